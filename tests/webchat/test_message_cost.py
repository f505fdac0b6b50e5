"""What a chat message costs the database, pinned: once its conversation is known to the process,
a visitor's (or a chat agent's) message is one UPDATE … RETURNING (the next index, the timers
re-armed, the row locked) and one INSERT; participants and webhooks come from a per-process cache
that a change to either invalidates, and the fan-out (live push, agents' notices) reads nothing.
What stays the same: gapless indexes, no doubled resend, SMS delivery, the Studio trigger."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations import services
from conversations.models import Conversation, ConversationWebhook
from executions.models import InboundEvent, Message
from studio.models import Flow
from tests.webchat.conftest import open_chat
from webchat import visitors

pytestmark = pytest.mark.django_db(transaction=True)

TRANSACTION = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")


def a_chat(key: Any, flow: Flow, *, with_flow: bool = False) -> tuple[visitors.Visitor, Conversation]:
    answer = open_chat(key.key, flow.sid, friendlyName="Ann")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    visitor = visitors.visitor_from(body["token"], body["conversation_sid"])
    assert visitor is not None
    conversation = Conversation.objects.get(sid=body["conversation_sid"])
    if not with_flow:
        conversation.webhooks.all().delete()
    return visitor, conversation


def statements(queries: CaptureQueriesContext) -> list[str]:
    """The statements that read or write tables (transaction control apart), by their verb."""
    sqls = [q["sql"] for q in queries.captured_queries]
    return [s.split()[0].upper() for s in sqls if not s.upper().startswith(TRANSACTION)]


def test_a_known_conversations_message_is_one_update_and_one_insert(key: Any, webchat_flow: Flow) -> None:
    visitor, conversation = a_chat(key, webchat_flow)
    worker = json.dumps({"role": "agent", "worker_sid": "WK" + "0" * 32})
    services.add_participant(conversation, identity="agent-1", attributes=worker)
    visitors.post(visitor, "first", "c1")  # reads the conversation and its roster once
    with CaptureQueriesContext(connection) as queries:
        message = visitors.post(visitor, "second", "c2")
    assert statements(queries) == ["UPDATE", "INSERT"], [q["sql"][:80] for q in queries.captured_queries]
    update = next(q["sql"].upper() for q in queries.captured_queries if q["sql"].upper().startswith("UPDATE"))
    assert "RETURNING" in update
    assert not [q for q in queries.captured_queries if q["sql"].upper().startswith("SAVEPOINT")]
    assert message.index == 1 and message.participant_sid.startswith("MB")


def test_the_agents_chat_reply_costs_the_same(key: Any, webchat_flow: Flow) -> None:
    visitor, conversation = a_chat(key, webchat_flow)
    services.add_participant(conversation, identity="agent-1", attributes='{"role": "agent"}')
    agent = visitors.Visitor(visitor.account_sid, visitor.conversation_sid, "agent-1")
    visitors.post(visitor, "hello", "q0")
    visitors.post(agent, "hi, how can I help?", "a0")
    with CaptureQueriesContext(connection) as queries:
        visitors.post(agent, "still there?", "a1")
    assert statements(queries) == ["UPDATE", "INSERT"]


def test_indexes_stay_gapless_around_a_resend(key: Any, webchat_flow: Flow) -> None:
    visitor, conversation = a_chat(key, webchat_flow)
    first = visitors.post(visitor, "one", "m1")
    again = visitors.post(visitor, "one", "m1")  # the page missed the acknowledgement
    second = visitors.post(visitor, "two", "m2")
    assert again.sid == first.sid
    assert [m.index for m in services.messages_since(conversation)] == [0, 1]
    assert second.index == 1
    assert Conversation.objects.get(pk=conversation.pk).next_index == 2


def test_a_resend_does_not_count_against_the_visitors_limit(
    key: Any, webchat_flow: Flow, monkeypatch: Any
) -> None:
    monkeypatch.setattr(visitors, "clock", lambda: 2_000_000.0)
    visitor, conversation = a_chat(key, webchat_flow)
    visitors.post(visitor, "one", "r1")
    for _ in range(visitors.MESSAGES_PER_WINDOW):
        visitors.post(visitor, "one", "r1")
    for n in range(visitors.MESSAGES_PER_WINDOW - 1):
        visitors.post(visitor, f"more {n}", f"n{n}")
    assert conversation.messages.count() == visitors.MESSAGES_PER_WINDOW


def test_a_participant_added_later_gets_the_next_message_by_sms(key: Any, webchat_flow: Flow) -> None:
    visitor, conversation = a_chat(key, webchat_flow)
    visitors.post(visitor, "before the SMS participant", "b1")
    services.add_participant(conversation, address="+15551230001", proxy_address="+15550009999")
    message = visitors.post(visitor, "after", "b2")
    sms = list(Message.objects.filter(to_address="+15551230001").values_list("from_address", "body"))
    assert sms == [("+15550009999", "after")]
    assert message.delivery == {"message_sids": [Message.objects.get(body="after").sid]}


def test_a_studio_webhook_added_later_hears_the_next_message_and_a_removed_one_does_not(
    key: Any, webchat_flow: Flow
) -> None:
    visitor, conversation = a_chat(key, webchat_flow)
    visitors.post(visitor, "nobody listens", "s1")
    hook = ConversationWebhook.objects.create(
        account=conversation.account,
        conversation=conversation,
        target="studio",
        flow_sid=webchat_flow.sid,
        filters=["onMessageAdded"],
    )
    visitors.post(visitor, "the flow hears this", "s2")
    ConversationWebhook.objects.filter(pk=hook.pk).delete()  # the flow may have handed it over
    visitors.post(visitor, "not this", "s3")
    bodies = [e.params.get("Body") for e in InboundEvent.objects.order_by("id")]
    assert bodies == ["the flow hears this"]


def test_a_closed_conversation_refuses_the_known_visitor(key: Any, webchat_flow: Flow) -> None:
    from accounts.errors import TwilioAPIError

    visitor, conversation = a_chat(key, webchat_flow)
    kept = visitors.post(visitor, "hello", "k1")
    services.close_conversation(Conversation.objects.get(pk=conversation.pk))
    with pytest.raises(TwilioAPIError) as err:
        visitors.post(visitor, "anyone?", "k2")
    assert err.value.code == 50300
    assert visitors.post(visitor, "hello", "k1").sid == kept.sid  # a late resend still finds it
