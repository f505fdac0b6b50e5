"""Trigger, Set Variables, Send Message, Send & Wait For Reply: every event."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from executions.engine import store
from executions.messaging.providers import simulator
from executions.models import Execution, Message, Wait
from tests.executions.factories import definition, on, state
from tests.executions.support import bodies, deliver, send_sms, start_rest, step_names

pytestmark = pytest.mark.django_db(transaction=True)

ME, US = "+15551230000", "+15550001111"
FROM = {"from": "{{flow.channel.address}}"}


def mark(name: str) -> dict[str, Any]:
    return state(name, "set-variables", [on("next")], variables=[{"key": "took", "value": name}])


def took(ex: Execution) -> Any:
    return ex.context["flow"]["variables"].get("took")


# -- trigger ---------------------------------------------------------------------------------


def trigger_flow() -> dict[str, Any]:
    events = [
        "incomingMessage",
        "incomingCall",
        "incomingConversationMessage",
        "incomingRequest",
        "incomingParent",
    ]
    return definition(*[mark(e) for e in events], trigger=[on(e, e) for e in events])


def test_it_fires_incoming_request_for_rest_executions(flow_factory: Any) -> None:
    assert took(start_rest(flow_factory(trigger_flow()))) == "incomingRequest"


def test_it_fires_incoming_message_for_an_sms(flow_factory: Any) -> None:
    flow = flow_factory(trigger_flow())
    send_sms(Client(), flow, ME, US, "hi")
    ex = Execution.objects.get()
    assert took(ex) == "incomingMessage"
    assert ex.context["trigger"]["message"]["From"] == ME


def test_it_fires_incoming_conversation_message_for_a_conversations_webhook(flow_factory: Any) -> None:
    flow = flow_factory(trigger_flow())
    send_sms(Client(), flow, ME, US, "hi", ConversationSid="CH" + "1" * 32, ChannelAttributes='{"a": 1}')
    ex = Execution.objects.get()
    assert took(ex) == "incomingConversationMessage"
    assert ex.context["trigger"]["conversation"]["ChannelAttributes"] == {"a": 1}


@pytest.mark.parametrize("event,namespace", [("incomingCall", "call"), ("incomingParent", "parent")])
def test_it_fires_the_other_trigger_events(event: str, namespace: str, flow_factory: Any) -> None:
    flow = flow_factory(trigger_flow())
    with transaction.atomic():
        ex = store.create_execution(
            flow,
            flow.latest_revision(),
            contact=ME,
            channel=US,
            trigger_event=event,
            trigger={"CallSid": "CA1"},
        )
        store.run_start(store.lock(ex.pk))
    ex.refresh_from_db()
    assert took(ex) == event
    assert ex.context["trigger"][namespace] == {"CallSid": "CA1"}


def test_it_ends_when_the_trigger_event_is_not_connected(flow_factory: Any) -> None:
    ex = start_rest(flow_factory(definition(trigger=[on("incomingRequest")])))
    assert ex.status == "ended"
    assert step_names(ex) == ["Trigger-incomingRequest->Ended"]


# -- set-variables ---------------------------------------------------------------------------


def test_it_sets_typed_variables_last_write_wins(flow_factory: Any) -> None:
    flow = flow_factory(
        definition(
            state(
                "a",
                "set-variables",
                [on("next", "b")],
                variables=[
                    {"key": "n", "value": "{{flow.data.n}}"},
                    {"key": "phone", "value": "+15551230000"},
                    {"key": "zip", "value": "02134"},
                    {"key": "word", "value": "hello"},
                    {"key": "x", "value": "first"},
                ],
            ),
            state(
                "b",
                "set-variables",
                [on("next")],
                variables=[
                    {"key": "x", "value": "second"},
                    {"key": "sum", "value": "{{flow.variables.n | plus: 1}}"},
                    {"key": "empty", "value": "{{flow.variables.nothing}}"},
                ],
            ),
            trigger=[on("incomingRequest", "a")],
        )
    )
    variables = start_rest(flow, data={"n": "41"}).context["flow"]["variables"]
    assert variables == {
        "n": 41,
        "phone": "+15551230000",
        "zip": "02134",
        "word": "hello",
        "x": "second",
        "sum": 42,
        "empty": "",
    }


def test_it_parses_a_value_as_json_when_asked(flow_factory: Any) -> None:
    flow = flow_factory(
        definition(
            state(
                "a",
                "set-variables",
                [on("next", "b")],
                variables=[
                    {"key": "obj", "value": '{"member": {"deep": "{{flow.data.v}}"}}', "parse_as_json": True},
                    {"key": "bad", "value": "{not json", "parse_as_json": True},
                ],
            ),
            state(
                "b",
                "set-variables",
                [on("next")],
                variables=[{"key": "got", "value": "{{flow.variables.obj.member.deep}}"}],
            ),
            trigger=[on("incomingRequest", "a")],
        )
    )
    ex = start_rest(flow, data={"v": "ok"})
    assert ex.context["flow"]["variables"]["obj"] == {"member": {"deep": "ok"}}
    assert ex.context["flow"]["variables"]["got"] == "ok"
    assert ex.context["flow"]["variables"]["bad"] == "{not json"
    assert [e["code"] for e in ex.log] == [81027]


# -- send-message ----------------------------------------------------------------------------


def send_flow(to: str = "{{contact.channel.address}}", body: str = "Hi {{flow.data.name}}") -> dict[str, Any]:
    return definition(
        state("send", "send-message", [on("sent", "sent"), on("failed", "failed")], body=body, to=to, **FROM),
        mark("sent"),
        mark("failed"),
        trigger=[on("incomingRequest", "send")],
    )


def test_it_sends_and_takes_sent(flow_factory: Any) -> None:
    ex = start_rest(flow_factory(send_flow()), data={"name": "Zeke"})
    assert took(ex) == "sent"
    outbound = ex.context["widgets"]["send"]["outbound"]
    message = Message.objects.get()
    assert outbound["Sid"] == message.sid and outbound["Body"] == "Hi Zeke"
    assert (outbound["To"], outbound["From"], outbound["Status"]) == (ME, US, "queued")
    assert message.execution_id == ex.pk and message.status == "delivered"


def test_it_takes_failed_when_the_messaging_api_refuses(flow_factory: Any) -> None:
    ex = start_rest(flow_factory(send_flow(to="+15005550001")))
    assert took(ex) == "failed"
    assert ex.context["widgets"]["send"]["outbound"]["ErrorCode"] == 21211


def test_it_takes_failed_when_the_body_template_is_broken(flow_factory: Any) -> None:
    ex = start_rest(flow_factory(send_flow(body="Hi {{ flow.data.name ")))
    assert took(ex) == "failed"
    assert [e["code"] for e in ex.log] == [81018]
    assert Message.objects.count() == 0


# -- send-and-wait-for-reply -----------------------------------------------------------------


def wait_flow(timeout: str = "60") -> dict[str, Any]:
    return definition(
        state(
            "ask",
            "send-and-wait-for-reply",
            [
                on("incomingMessage", "incomingMessage"),
                on("timeout", "timeout"),
                on("deliveryFailure", "deliveryFailure"),
            ],
            body="Question?",
            timeout=timeout,
            **FROM,
        ),
        mark("incomingMessage"),
        mark("timeout"),
        mark("deliveryFailure"),
        trigger=[on("incomingRequest", "ask"), on("incomingMessage", "ask")],
    )


def test_it_waits_and_takes_incoming_message_on_reply(flow_factory: Any) -> None:
    flow = flow_factory(wait_flow())
    ex = start_rest(flow, to=ME, frm=US)
    assert (ex.status, ex.current_widget) == ("active", "ask")
    wait = Wait.objects.get()
    assert 55 < (wait.fire_at - ex.date_created).total_seconds() < 65
    send_sms(Client(), flow, ME, US, "Answer", MediaUrl0="https://example.com/a.png", NumMedia="1")
    ex.refresh_from_db()
    assert took(ex) == "incomingMessage"
    inbound = ex.context["widgets"]["ask"]["inbound"]
    assert (inbound["Body"], inbound["From"], inbound["To"], inbound["MediaUrl0"]) == (
        "Answer",
        ME,
        US,
        "https://example.com/a.png",
    )
    assert ex.context["widgets"]["ask"]["outbound"]["Body"] == "Question?"
    assert Wait.objects.count() == 0


def test_it_takes_timeout_when_no_reply_comes(flow_factory: Any) -> None:
    from executions.engine.timers import sweep

    ex = start_rest(flow_factory(wait_flow()))
    Wait.objects.update(fire_at=ex.date_created)
    assert sweep() == 1
    ex.refresh_from_db()
    assert took(ex) == "timeout"
    assert ex.context["widgets"]["ask"]["outbound"]["Body"] == "Question?"


def test_it_takes_delivery_failure_when_the_send_is_refused(flow_factory: Any) -> None:
    ex = start_rest(flow_factory(wait_flow()), to="+15005550009")
    assert took(ex) == "deliveryFailure"
    assert Wait.objects.count() == 0


def test_it_takes_delivery_failure_when_the_message_is_undelivered(flow_factory: Any) -> None:
    ex = start_rest(flow_factory(wait_flow()), to="+15005550004")
    assert took(ex) == "deliveryFailure"
    assert ex.context["widgets"]["ask"]["outbound"]["Status"] == "undelivered"


def test_it_takes_delivery_failure_through_the_simulator_hook(flow_factory: Any) -> None:
    ex = start_rest(flow_factory(wait_flow()))
    simulator.fail(Message.objects.get().sid)
    ex.refresh_from_db()
    assert took(ex) == "deliveryFailure"
    assert ex.context["widgets"]["ask"]["outbound"]["ErrorCode"] == 30003


def test_it_ignores_an_unexpected_event_with_warning_81002(flow_factory: Any) -> None:
    ex = start_rest(flow_factory(wait_flow()))
    ex = deliver(ex, "call_status", {"CallStatus": "completed"})
    assert (ex.status, ex.current_widget) == ("active", "ask")
    assert [e["code"] for e in ex.log] == [81002]


def test_it_loops_back_to_wait_again(flow_factory: Any) -> None:
    cond = {
        "friendly_name": "c",
        "arguments": ["{{widgets.ask.inbound.Body}}"],
        "type": "equal_to",
        "value": "stop",
    }
    flow = flow_factory(
        definition(
            state(
                "ask",
                "send-and-wait-for-reply",
                [on("incomingMessage", "check"), on("timeout"), on("deliveryFailure")],
                body="Say stop",
                **FROM,
            ),
            state(
                "check",
                "split-based-on",
                [on("noMatch", "ask"), on("match", "bye", conditions=[cond])],
                input="{{widgets.ask.inbound.Body}}",
            ),
            state(
                "bye",
                "send-message",
                [on("sent"), on("failed")],
                body="Bye",
                to="{{contact.channel.address}}",
                **FROM,
            ),
            trigger=[on("incomingMessage", "ask")],
        )
    )
    for body in ("hi", "no", "STOP "):
        send_sms(Client(), flow, ME, US, body)
    assert bodies() == ["Say stop", "Say stop", "Bye"]
    assert Execution.objects.get().status == "ended"
