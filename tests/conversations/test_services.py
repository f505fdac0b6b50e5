"""conversations.services: the interface the API, the engine's plug, Flex and the web chat share."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.errors import TwilioAPIError
from conversations import services
from conversations.models import Conversation

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_numbers_messages_from_zero_and_reads_them_back_since_an_index(alice: Any) -> None:
    with transaction.atomic():
        conv = services.create_conversation(alice, friendly_name="Support")
        services.add_participant(conv, identity="visitor-1")
        first = services.add_message(conv, author="visitor-1", body="hello")
        second = services.add_message(conv, body="Hi! What's your name?")
    assert (first.index, second.index) == (0, 1)
    assert first.participant_sid.startswith("MB") and second.author == "system"
    assert [m.sid for m in services.messages_since(conv, 0)] == [second.sid]
    assert [m.index for m in services.messages_since(conv)] == [0, 1]


def test_each_account_has_one_default_service(alice: Any, bob: Any) -> None:
    a1, a2 = services.default_service(alice), services.default_service(alice)
    assert a1.pk == a2.pk and a1.sid.startswith("IS")
    assert services.default_service(bob).pk != a1.pk


def test_another_accounts_conversation_is_not_found(alice: Any, bob: Any) -> None:
    conv = services.create_conversation(alice)
    with pytest.raises(TwilioAPIError) as err:
        services.get_conversation(bob, conv.sid)
    assert (err.value.status_code, err.value.code) == (404, 20404)


def test_a_closed_conversation_takes_no_message(alice: Any) -> None:
    with transaction.atomic():
        conv = services.create_conversation(alice)
        services.close_conversation(conv)
    with pytest.raises(TwilioAPIError) as err, transaction.atomic():
        services.add_message(conv, body="anyone?")
    assert err.value.code == 50300
    assert services.messages_since(conv) == []


def test_listeners_and_the_channels_group_hear_of_a_message_after_commit(alice: Any) -> None:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    heard: list[str] = []

    def listener(m: Any) -> None:
        heard.append(m.sid)

    services.on_message_added(listener)
    conv = services.create_conversation(alice)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(services.group_name(conv.sid), channel)
    try:
        with transaction.atomic():
            message = services.add_message(conv, body="<script>alert(1)</script>")
            assert heard == []  # nothing before commit
        assert heard == [message.sid]
        event = async_to_sync(layer.receive)(channel)
        assert event["type"] == "conversation.message"
        assert event["message"]["sid"] == message.sid
        assert event["message"]["body"] == "<script>alert(1)</script>"  # stored verbatim
    finally:
        from conversations import effects

        effects.listeners.remove(listener)


def test_timers_make_a_conversation_inactive_then_closed(alice: Any) -> None:
    conv = services.create_conversation(alice, timers_inactive=60, timers_closed=600)
    assert conv.date_inactive is not None and conv.date_closed is not None
    later = timezone.now() + timedelta(seconds=61)
    assert services.sweep_timers(later) == 1
    conv.refresh_from_db()
    assert conv.state == Conversation.State.INACTIVE
    with transaction.atomic():
        services.add_message(conv, body="back")  # activity wakes it and re-arms the timers
    conv.refresh_from_db()
    assert conv.state == Conversation.State.ACTIVE
    services.sweep_timers(timezone.now() + timedelta(seconds=601))
    conv.refresh_from_db()
    assert conv.state == Conversation.State.CLOSED


def test_an_sms_participant_gets_other_participants_messages_by_sms(alice: Any) -> None:
    from executions.models import Message

    with transaction.atomic():
        conv = services.create_conversation(alice)
        services.add_participant(conv, address="+15551230001", proxy_address="+15550009999")
        services.add_participant(conv, identity="agent")
        services.add_message(conv, author="+15551230001", body="from the phone")
        reply = services.add_message(conv, author="agent", body="from the agent")
    sms = list(Message.objects.filter(account=alice).values_list("to_address", "from_address", "body"))
    assert sms == [("+15551230001", "+15550009999", "from the agent")]
    from conversations.effects import delivery_statuses

    reply.refresh_from_db()
    assert delivery_statuses(reply) == ["delivered"]


def test_a_removed_sms_participant_gets_no_more_messages(alice: Any) -> None:
    from executions.models import Message

    conv = services.create_conversation(alice)
    phone = services.add_participant(conv, address="+15551230001", proxy_address="+15550009999")
    services.add_message(conv, author="agent", body="while in")
    services.remove_participant(phone)  # the writer's cached roster must not keep it
    services.add_message(conv, author="agent", body="after leaving")
    assert list(Message.objects.filter(account=alice).values_list("body", flat=True)) == ["while in"]


def test_an_inactive_conversation_is_woken_by_a_message_and_its_timers_rearmed(alice: Any) -> None:
    conv = services.create_conversation(alice, timers_inactive=60)
    services.set_state(conv, Conversation.State.INACTIVE)
    message = services.add_message(conv, author="visitor", body="back again")
    conv.refresh_from_db()
    assert message.index == 0 and conv.state == Conversation.State.ACTIVE and conv.next_index == 1
    assert conv.date_inactive is not None and conv.date_inactive > timezone.now() + timedelta(seconds=50)
    later = services.add_message(conv, author="visitor", body="and again")
    assert later.index == 1


def test_the_last_messages_are_the_newest_oldest_first(alice: Any) -> None:
    conv = services.create_conversation(alice)
    for n in range(5):
        services.add_message(conv, body=f"m{n}")
    assert [m.body for m in services.last_messages(conv, 3)] == ["m2", "m3", "m4"]
