"""Operations of the official client that had no answer here: updating a conversation-scoped
webhook, a message's author, and listing conversations by creation date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from twilio.rest import Client

from tests.conversations.test_conversations_sdk import refusal

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_conversation_webhook_is_updated(client: Client) -> None:
    conv = client.conversations.v1.conversations(client.conversations.v1.conversations.create().sid)
    hook = conv.webhooks.create(
        target="webhook", configuration_url="https://example.com/a", configuration_filters=["onMessageAdded"]
    )
    updated = conv.webhooks(hook.sid).update(
        configuration_url="https://example.com/b",
        configuration_method="GET",
        configuration_filters=["onMessageAdded", "onParticipantAdded"],
    )
    assert updated.sid == hook.sid and updated.target == "webhook"
    assert updated.configuration == {
        "url": "https://example.com/b",
        "method": "GET",
        "filters": ["onMessageAdded", "onParticipantAdded"],
    }
    assert conv.webhooks(hook.sid).fetch().configuration["url"] == "https://example.com/b"
    assert refusal(lambda: conv.webhooks(hook.sid).update(configuration_url="javascript:alert(1)")) == (
        400,
        20001,
    )
    assert refusal(lambda: conv.webhooks(hook.sid).update(configuration_filters=["onNothing"])) == (
        400,
        20001,
    )


def test_a_studio_webhook_changes_flow_within_the_account(client: Client, alice: Any, bob: Any) -> None:
    from tests.executions.factories import definition, make_flow

    first, second = make_flow(alice, definition()).sid, make_flow(alice, definition()).sid
    foreign = make_flow(bob, definition()).sid
    conv = client.conversations.v1.conversations(client.conversations.v1.conversations.create().sid)
    hook = conv.webhooks.create(target="studio", configuration_flow_sid=first)
    assert conv.webhooks(hook.sid).update(configuration_flow_sid=second).configuration["flow_sid"] == second
    assert refusal(lambda: conv.webhooks(hook.sid).update(configuration_flow_sid=foreign)) == (400, 20001)


def test_a_messages_author_is_updated(client: Client) -> None:
    conv = client.conversations.v1.conversations(client.conversations.v1.conversations.create().sid)
    message = conv.messages.create(author="bot", body="hello")
    assert conv.messages(message.sid).update(author="agent-ann").author == "agent-ann"
    assert conv.messages(message.sid).fetch().author == "agent-ann"


def test_conversations_are_listed_by_creation_date(client: Client) -> None:
    made = client.conversations.v1.conversations.create()
    today = datetime.now(UTC).date()
    listed = client.conversations.v1.conversations.list(
        start_date=today.isoformat(), end_date=today.isoformat()
    )
    assert [c.sid for c in listed] == [made.sid]
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert client.conversations.v1.conversations.list(start_date=tomorrow) == []
    assert client.conversations.v1.conversations.list(end_date=(today - timedelta(days=1)).isoformat()) == []
    assert refusal(lambda: client.conversations.v1.conversations.list(start_date="someday")) == (400, 20001)
