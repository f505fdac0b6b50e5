"""Twilio accepts DateCreated and DateUpdated when a message, a conversation or a participant is
created (to import a history): they are kept, and a bad value is refused in Twilio's shape."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from twilio.rest import Client

from tests.conversations.test_conversations_sdk import refusal

pytestmark = pytest.mark.django_db(transaction=True)

THEN = datetime(2019, 3, 4, 5, 6, 7, tzinfo=UTC)
LATER = datetime(2019, 3, 5, 0, 0, 0, tzinfo=UTC)


def test_an_imported_message_keeps_its_dates(client: Client) -> None:
    conv = client.conversations.v1.conversations.create()
    handle = client.conversations.v1.conversations(conv.sid)
    old = handle.messages.create(author="ann", body="from 2019", date_created=THEN, date_updated=LATER)
    assert (old.date_created, old.date_updated) == (THEN, LATER)
    fetched = handle.messages(old.sid).fetch()
    assert (fetched.date_created, fetched.date_updated) == (THEN, LATER)
    only_created = handle.messages.create(body="no update date", date_created="2019-03-04T05:06:07Z")
    assert only_created.date_created == THEN and only_created.date_updated == THEN
    fresh = handle.messages.create(body="now")
    assert fresh.date_created.year >= 2026


def test_an_imported_conversation_and_participant_keep_their_dates(client: Client) -> None:
    conv = client.conversations.v1.conversations.create(date_created=THEN, date_updated=LATER)
    assert (conv.date_created, conv.date_updated) == (THEN, LATER)
    assert client.conversations.v1.conversations(conv.sid).fetch().date_created == THEN
    ann = client.conversations.v1.conversations(conv.sid).participants.create(
        identity="ann", date_created=THEN
    )
    assert (ann.date_created, ann.date_updated) == (THEN, THEN)


def test_a_bad_date_is_refused_and_nothing_is_made(client: Client) -> None:
    conv = client.conversations.v1.conversations.create()
    handle = client.conversations.v1.conversations(conv.sid)
    assert refusal(lambda: handle.messages.create(body="x", date_created="yesterday")) == (400, 20001)
    assert refusal(lambda: handle.messages.create(body="x", date_updated="2019-13-45")) == (400, 20001)
    assert handle.messages.list() == []
    assert refusal(lambda: client.conversations.v1.conversations.create(date_created="soon")) == (400, 20001)
    assert refusal(lambda: handle.participants.create(identity="bo", date_updated="nope")) == (400, 20001)
    assert [c.sid for c in client.conversations.v1.conversations.list()] == [conv.sid]
