"""The simulator's transcript shows every message of the execution with the contact, whatever its ``from``."""

from __future__ import annotations

from typing import Any

import pytest

from executions.models import Message
from tests.executions.factories import corpus_definition, definition, on, state
from tests.executions.test_console_sim import post, say

pytestmark = pytest.mark.django_db(transaction=True)

ME, US = "+15550100001", "+15550109999"


def branded(sender: str) -> dict[str, Any]:
    """Ask from ``sender`` (not the flow's number), then answer with a picture."""
    return definition(
        state(
            "ask",
            "send-and-wait-for-reply",
            [on("incomingMessage", "done"), on("timeout"), on("deliveryFailure")],
            body="Your first name?",
            timeout="3600",
            **{"from": sender},
        ),
        state(
            "done",
            "send-message",
            [on("sent"), on("failed")],
            body="Thanks {{widgets.ask.inbound.Body}}",
            to="{{contact.channel.address}}",
            media_url="https://example.com/card.png",
            **{"from": sender},
        ),
        trigger=[on("incomingMessage", "ask")],
    )


def transcript(console: Any, flow: Any, contact: str = ME, channel: str = US) -> list[dict[str, Any]]:
    response = console.get(
        f"/api/console/flows/{flow.sid}/simulate/conversation", {"contact": contact, "channel": channel}
    )
    assert response.status_code == 200, response.content
    return list(response.json()["messages"])


@pytest.mark.parametrize("sender", ["NFM Lending", "MG0123456789abcdef0123456789abcdef"])
def test_it_shows_messages_sent_from_an_alphanumeric_sender_or_a_messaging_service(
    console: Any, flow_factory: Any, sender: str
) -> None:
    flow = flow_factory(branded(sender))
    first = say(console, flow, "hi").json()
    assert [(m["direction"], m["from"], m["body"]) for m in first["conversation"]["messages"]] == [
        ("inbound", ME, "hi"),
        ("outbound", Message.objects.get(body="Your first name?").from_address, "Your first name?"),
    ]
    say(console, flow, "Ada")
    messages = transcript(console, flow)
    assert [(m["direction"], m["body"]) for m in messages] == [
        ("inbound", "hi"),
        ("outbound", "Your first name?"),
        ("inbound", "Ada"),
        ("outbound", "Thanks Ada"),
    ]
    assert messages[-1]["media_urls"] == ["https://example.com/card.png"]


def test_it_shows_a_whatsapp_conversation_sent_from_the_flows_whatsapp_sender(
    console: Any, flow_factory: Any
) -> None:
    contact, channel = "whatsapp:+15550100001", "whatsapp:+15550109999"
    flow = flow_factory(branded("{{flow.channel.address}}"))
    say(console, flow, "hola", frm=contact, to=channel)
    messages = transcript(console, flow, contact, channel)
    assert [(m["direction"], m["from"], m["to"], m["body"]) for m in messages] == [
        ("inbound", contact, channel, "hola"),
        ("outbound", channel, contact, "Your first name?"),
    ]


def test_it_keeps_other_contacts_and_other_flows_out_of_the_transcript(
    console: Any, flow_factory: Any
) -> None:
    flow = flow_factory(branded("NFM Lending"))
    other_flow = flow_factory(branded("NFM Lending"), name="Other")
    say(console, flow, "mine")
    say(console, flow, "theirs", frm="+15550100002")
    say(console, other_flow, "elsewhere")
    assert [m["body"] for m in transcript(console, flow)] == ["mine", "Your first name?"]


def test_it_shows_media_the_contact_sent(console: Any, flow_factory: Any) -> None:
    flow = flow_factory(branded("NFM Lending"))
    response = post(
        console,
        f"/api/console/flows/{flow.sid}/simulate/message",
        {"from": ME, "to": US, "body": "look", "media_urls": ["https://example.com/me.jpg"]},
    )
    assert response.status_code == 201, response.content
    inbound = response.json()["conversation"]["messages"][0]
    assert (inbound["body"], inbound["media_urls"]) == ("look", ["https://example.com/me.jpg"])
    bad = post(
        console, f"/api/console/flows/{flow.sid}/simulate/message", {"from": ME, "to": US, "media_urls": "x"}
    )
    assert bad.status_code == 400


def test_it_chats_through_corpus_flow_11_whose_bot_speaks_as_nfm_lending(
    console: Any, flow_factory: Any
) -> None:
    flow = flow_factory(corpus_definition("11-flex-interactive-webchat-bot.json"))
    for text in ("hello", "Ada", "Lovelace"):
        assert say(console, flow, text).status_code == 201
    messages = transcript(console, flow)
    assert [(m["direction"], m["body"]) for m in messages] == [
        ("inbound", "hello"),
        ("outbound", "Please enter your first name"),
        ("inbound", "Ada"),
        ("outbound", "Please enter your last name"),
        ("inbound", "Lovelace"),
        ("outbound", "Please enter your email address"),
    ]
    assert {m["from"] for m in messages if m["direction"] == "outbound"} == {"NFM Lending"}


def test_it_shows_replies_sent_outside_the_flow_from_the_number_the_contact_writes_to(
    console: Any, flow_factory: Any, bob: Any
) -> None:
    """A Flex agent (or the Messages API) answers from the flow's number: the simulator's contact
    sees the reply in the transcript; a message to the contact from another number, or another
    account's, is not in this conversation."""
    flow = flow_factory(definition(trigger=[on("incomingMessage")]))
    say(console, flow, "I need a person")
    Message.objects.create(account=flow.account, from_address=US, to_address=ME, body="Alice here, hi")
    Message.objects.create(account=flow.account, from_address="+15550000000", to_address=ME, body="elsewhere")
    Message.objects.create(account=bob, from_address=US, to_address=ME, body="Bob's")
    assert [(m["direction"], m["body"]) for m in transcript(console, flow)] == [
        ("inbound", "I need a person"),
        ("outbound", "Alice here, hi"),
    ]
    assert [m["body"] for m in transcript(console, flow, channel="")] == ["I need a person", "Alice here, hi"]
