"""The TwiML each voice widget answers with: properties become Twilio's verbs and attributes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.executions.factories import definition, on, state
from tests.executions.voice_support import ring, twiml_of, verbs

pytestmark = pytest.mark.django_db(transaction=True)


def answer(flow_factory: Any, wtype: str, **props: Any) -> Any:
    d = definition(state("w", wtype, [], **props), trigger=[on("incomingCall", "w")])
    return twiml_of(ring(flow_factory(d)))


def test_it_says_with_voice_language_loop_and_keeps_ssml(flow_factory: Any) -> None:
    root = answer(
        flow_factory, "say-play", say='Hi <break time="1s"/> {{trigger.call.From}}', voice="Polly.Mia", loop=3
    )
    say = root.find("Say")
    assert (say.get("voice"), say.get("loop"), say.get("language")) == ("Polly.Mia", "3", None)
    assert say.find("break").get("time") == "1s" and "+1555" in say.find("break").tail


def test_it_plays_a_url_or_digits(flow_factory: Any) -> None:
    assert answer(flow_factory, "say-play", play="https://a.test/m.mp3", loop=2).find("Play").text == (
        "https://a.test/m.mp3"
    )
    assert answer(flow_factory, "say-play", digits="1w2#").find("Play").get("digits") == "1w2#"


def test_it_gathers_with_the_speech_options_and_a_play_prompt(flow_factory: Any) -> None:
    root = answer(
        flow_factory,
        "gather-input-on-call",
        play="https://a.test/p.mp3",
        timeout=8,
        finish_on_key="*",
        stop_gather=False,
        gather_language="fr-FR",
        speech_timeout="3",
        speech_model="phone_call",
        hints="sales, support",
        profanity_filter="false",
    )
    g = root.find("Gather")
    assert g.get("timeout") == "8" and g.get("finishOnKey") == "*" and g.get("bargeIn") == "false"
    assert (g.get("language"), g.get("speechTimeout"), g.get("speechModel")) == ("fr-FR", "3", "phone_call")
    assert g.get("hints") == "sales, support" and g.get("profanityFilter") == "false"
    assert g.find("Play").text == "https://a.test/p.mp3"
    assert verbs(root) == ["Gather", "Redirect"]


@pytest.mark.parametrize(
    ("props", "nouns"),
    [
        ({"noun": "number", "to": "+15550002222"}, [("Number", "+15550002222")]),
        (
            {"noun": "number-multi", "to": "+15550002222, +15550003333"},
            [("Number", "+15550002222"), ("Number", "+15550003333")],
        ),
        ({"noun": "client", "to": "agent_1"}, [("Client", "agent_1")]),
        ({"noun": "conference", "to": "room-1"}, [("Conference", "room-1")]),
        ({"noun": "sim", "to": "DE" + "1" * 32}, [("Sim", "DE" + "1" * 32)]),
        ({"noun": "sip", "sip_endpoint": "sip:a@b.test", "sip_username": "u"}, [("Sip", "sip:a@b.test")]),
    ],
)
def test_it_dials_every_noun(flow_factory: Any, props: dict[str, Any], nouns: list[tuple[str, str]]) -> None:
    root = answer(
        flow_factory,
        "connect-call-to",
        caller_id="{{flow.channel.address}}",
        record=True,
        timeout=20,
        time_limit="600",
        **props,
    )
    dial = root.find("Dial")
    assert dial.get("callerId") == "+15550001111" and dial.get("record") == "record-from-answer"
    assert (dial.get("timeout"), dial.get("timeLimit")) == ("20", "600")
    assert [(c.tag, (c.text or "").strip()) for c in dial] == nouns


def test_it_records_voicemail_with_its_options(flow_factory: Any) -> None:
    root = answer(
        flow_factory,
        "record-voicemail",
        timeout=3,
        finish_on_key="#",
        max_length=120,
        play_beep="false",
        trim="do-not-trim",
        recording_status_callback_url="https://cb.test/rec",
    )
    rec = root.find("Record")
    assert (rec.get("timeout"), rec.get("finishOnKey"), rec.get("maxLength")) == ("3", "#", "120")
    assert (rec.get("playBeep"), rec.get("trim")) == ("false", "do-not-trim")
    assert rec.get("recordingStatusCallback") == "https://cb.test/rec"


def test_it_enqueues_by_name_or_into_a_workflow_with_task_attributes(flow_factory: Any) -> None:
    root = answer(flow_factory, "enqueue-call", queue_name="support", wait_url="https://h.test/hold")
    enqueue = root.find("Enqueue")
    assert enqueue.text == "support" and enqueue.get("waitUrl") == "https://h.test/hold"
    assert enqueue.get("waitUrlMethod") == "GET"
    root = answer(
        flow_factory,
        "enqueue-call",
        workflow_sid="WW" + "c" * 32,
        task_attributes='{"from": "{{trigger.call.From}}"}',
        priority=5,
        timeout=300,
    )
    task = root.find("Enqueue/Task")
    assert root.find("Enqueue").get("workflowSid") == "WW" + "c" * 32
    assert json.loads(task.text) == {"from": "+15551230000"}
    assert (task.get("priority"), task.get("timeout")) == ("5", "300")


def test_it_sends_a_call_to_flex_as_an_enqueue_with_a_task(flow_factory: Any) -> None:
    root = answer(
        flow_factory,
        "send-to-flex",
        workflow="WW" + "d" * 32,
        channel="TC" + "e" * 32,
        attributes='{"type": "inbound", "name": "{{trigger.call.From}}"}',
        priority="1",
        timeout="3600",
        waitUrl="https://h.test/hold",
    )
    enqueue = root.find("Enqueue")
    assert enqueue.get("workflowSid") == "WW" + "d" * 32 and enqueue.get("waitUrlMethod") == "POST"
    task = enqueue.find("Task")
    assert json.loads(task.text) == {"type": "inbound", "name": "+15551230000"}
    assert (task.get("priority"), task.get("timeout")) == ("1", "3600")


def test_it_captures_payments_with_pay(flow_factory: Any) -> None:
    root = answer(
        flow_factory,
        "capture-payments",
        payment_connector="Stripe_Connector",
        payment_amount="{{flow.data.amount | default: '12.50'}}",
        currency="EUR",
        payment_method="CREDIT_CARD",
        payment_token_type="reusable",
        valid_card_types=["visa", "master-card"],
        security_code=False,
        postal_code="false",
        parameters=[{"key": "customer", "value": "c1"}],
    )
    pay = root.find("Pay")
    assert (pay.get("paymentConnector"), pay.get("chargeAmount"), pay.get("currency")) == (
        "Stripe_Connector",
        "12.50",
        "eur",
    )
    assert pay.get("tokenType") == "reusable" and pay.get("validCardTypes") == "visa mastercard"
    assert (pay.get("securityCode"), pay.get("postalCode")) == ("false", "false")
    assert pay.find("Parameter").get("name") == "customer"


def test_it_connects_a_virtual_agent_and_a_conversation_relay(flow_factory: Any) -> None:
    root = answer(
        flow_factory,
        "connect-virtual-agent-v2",
        connector_name="cx-agent",
        configurations=[{"key": "welcomeIntent", "value": "hi"}],
        parameters=[{"key": "customer", "value": "{{trigger.call.From}}"}],
        status_callback="https://cb.test/va",
    )
    agent = root.find("Connect/VirtualAgent")
    assert agent.get("connectorName") == "cx-agent" and agent.get("statusCallback") == "https://cb.test/va"
    assert agent.find("Config").get("name") == "welcomeIntent"
    assert agent.find("Parameter").get("value") == "+15551230000"
    root = answer(
        flow_factory,
        "run-conversation-relay",
        url="wss://ai.test/relay",
        welcome_greeting="Hi there",
        voice="en-US-Journey-O",
        parameters=[{"key": "k", "value": "v"}],
    )
    relay = root.find("Connect/ConversationRelay")
    assert relay.get("url") == "wss://ai.test/relay" and relay.get("welcomeGreeting") == "Hi there"
    assert relay.find("Parameter").get("name") == "k"
