"""Inbound messages appear in the Messages list as Twilio shows them: direction inbound."""

from __future__ import annotations

from typing import Any

import pytest

from executions.models import Message
from tests.executions.factories import definition, on, state
from tests.executions.support import send_sms

pytestmark = pytest.mark.django_db(transaction=True)

ECHO = definition(
    state("reply", "send-message", [on("sent"), on("failed")], body="You said {{trigger.message.Body}}"),
    trigger=[on("incomingMessage", "reply")],
)


def test_it_lists_the_inbound_message_before_the_reply(client: Any, api: Any, flow_factory: Any) -> None:
    flow = flow_factory(ECHO)
    send_sms(client, flow, "+15551110000", "+15005550006", "hello", sid="SM" + "a" * 32)
    listed = api.get(f"/2010-04-01/Accounts/{flow.account.sid}/Messages.json").json()["messages"]
    assert [(m["direction"], m["body"], m["status"]) for m in reversed(listed)] == [
        ("inbound", "hello", "received"),
        ("outbound-api", "You said hello", "delivered"),
    ]
    inbound = listed[-1]
    assert inbound["sid"] == "SM" + "a" * 32
    assert (inbound["from"], inbound["to"]) == ("+15551110000", "+15005550006")


def test_it_keeps_a_redelivered_inbound_message_once(client: Any, flow_factory: Any) -> None:
    flow = flow_factory(ECHO)
    for _ in range(2):
        send_sms(client, flow, "+15551110000", "+15005550006", "hello", sid="SM" + "b" * 32)
    assert Message.objects.filter(direction="inbound").count() == 1
