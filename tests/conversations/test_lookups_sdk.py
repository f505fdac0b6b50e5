"""Cross-resource reads of Conversations v1, driven by the official client: participant
conversations, user conversations, delivery receipts, a conversation created with its
participants, push bindings, and message lists in either order."""

from __future__ import annotations

import json

import pytest
from twilio.rest import Client

from tests.conversations.test_conversations_sdk import refusal

pytestmark = pytest.mark.django_db(transaction=True)

SMS = {"messaging_binding_address": "+15551230001", "messaging_binding_proxy_address": "+15550009999"}


def test_participant_conversations_are_found_by_identity_or_address(client: Client) -> None:
    v1 = client.conversations.v1
    first = v1.conversations.create(friendly_name="First", unique_name="first")
    second = v1.conversations.create(friendly_name="Second")
    mine = v1.conversations(first.sid).participants.create(identity="zoe")
    v1.conversations(second.sid).participants.create(identity="zoe")
    v1.conversations(second.sid).participants.create(**SMS)
    found = v1.participant_conversations.list(identity="zoe")
    assert [c.conversation_sid for c in found] == [first.sid, second.sid]
    one = found[0]
    assert (one.participant_sid, one.participant_identity, one.conversation_unique_name) == (
        mine.sid,
        "zoe",
        "first",
    )
    assert one.participant_user_sid == v1.users("zoe").fetch().sid
    assert (one.conversation_friendly_name, one.conversation_state) == ("First", "active")
    assert one.links["conversation"].endswith(f"/v1/Conversations/{first.sid}")
    by_address = v1.participant_conversations.list(address="+15551230001")
    assert [c.conversation_sid for c in by_address] == [second.sid]
    assert by_address[0].participant_messaging_binding["address"] == "+15551230001"
    assert v1.participant_conversations.list(identity="nobody") == []


def test_participant_conversations_page(client: Client) -> None:
    v1 = client.conversations.v1
    made = []
    for _ in range(3):
        conv = v1.conversations.create()
        v1.conversations(conv.sid).participants.create(identity="zoe")
        made.append(conv.sid)
    page = v1.participant_conversations.page(identity="zoe", page_size=2)
    assert [c.conversation_sid for c in page] == made[:2]
    assert [c.conversation_sid for c in page.next_page()] == made[2:]


def test_a_users_conversations_are_read_marked_muted_and_left(client: Client) -> None:
    v1 = client.conversations.v1
    conv = v1.conversations.create(friendly_name="Chat", unique_name="chat")
    participant = v1.conversations(conv.sid).participants.create(identity="zoe")
    for body in ("one", "two", "three"):
        v1.conversations(conv.sid).messages.create(author="system", body=body)
    user = v1.users("zoe").fetch()
    listed = v1.users(user.sid).user_conversations.list()
    assert [c.conversation_sid for c in listed] == [conv.sid]
    one = v1.users(user.sid).user_conversations(conv.sid).fetch()
    assert (one.participant_sid, one.user_sid, one.friendly_name, one.unique_name) == (
        participant.sid,
        user.sid,
        "Chat",
        "chat",
    )
    assert (one.notification_level, one.unread_messages_count, one.conversation_state) == (
        "default",
        None,
        "active",
    )
    assert one.url.endswith(f"/v1/Users/{user.sid}/Conversations/{conv.sid}")
    marked = (
        v1.users(user.sid)
        .user_conversations(conv.sid)
        .update(last_read_message_index=0, notification_level="muted")
    )
    assert (marked.last_read_message_index, marked.unread_messages_count, marked.notification_level) == (
        0,
        2,
        "muted",
    )
    assert v1.conversations(conv.sid).participants(participant.sid).fetch().last_read_message_index == 0
    assert v1.users("zoe").user_conversations("chat").fetch().conversation_sid == conv.sid  # names work too
    assert v1.users(user.sid).user_conversations(conv.sid).delete() is True  # the user leaves
    assert v1.conversations(conv.sid).participants.list() == []
    assert refusal(lambda: v1.users(user.sid).user_conversations(conv.sid).fetch()) == (404, 20404)


def test_a_message_to_sms_participants_has_one_delivery_receipt_each(client: Client) -> None:
    v1 = client.conversations.v1
    conv = v1.conversations.create()
    c = v1.conversations(conv.sid)
    sms = c.participants.create(**SMS)
    c.participants.create(identity="agent-ann")
    message = c.messages.create(author="agent-ann", body="Your order shipped")
    receipts = c.messages(message.sid).delivery_receipts.list()
    assert len(receipts) == 1
    receipt = receipts[0]
    assert receipt.sid.startswith("DY") and len(receipt.sid) == 34
    assert (receipt.message_sid, receipt.conversation_sid, receipt.participant_sid) == (
        message.sid,
        conv.sid,
        sms.sid,
    )
    assert receipt.channel_message_sid.startswith("SM") and receipt.status == "delivered"
    assert receipt.error_code == 0
    fetched = c.messages(message.sid).delivery_receipts(receipt.sid).fetch()
    assert fetched.channel_message_sid == receipt.channel_message_sid
    assert fetched.url.endswith(f"/v1/Conversations/{conv.sid}/Messages/{message.sid}/Receipts/{receipt.sid}")
    chat_only = c.messages.create(author="system", body="note")  # no SMS went out for the agent's own…
    assert len(c.messages(chat_only.sid).delivery_receipts.list()) == 1  # …but the SMS participant got it
    assert refusal(lambda: c.messages(message.sid).delivery_receipts("DY" + "0" * 32).fetch()) == (404, 20404)


def test_a_conversation_is_created_with_its_participants_in_one_call(client: Client) -> None:
    v1 = client.conversations.v1
    made = v1.conversation_with_participants.create(
        friendly_name="Support",
        attributes=json.dumps({"topic": "billing"}),
        participant=[
            json.dumps({"identity": "zoe"}),
            json.dumps({"messaging_binding": {"address": "+15551230001", "proxy_address": "+15550009999"}}),
        ],
    )
    assert made.sid.startswith("CH") and made.friendly_name == "Support" and made.state == "active"
    assert made.links["participants"].endswith(f"/v1/Conversations/{made.sid}/Participants")
    participants = v1.conversations(made.sid).participants.list()
    assert sorted(p.identity or p.messaging_binding["address"] for p in participants) == [
        "+15551230001",
        "zoe",
    ]
    broken = [json.dumps({"identity": "ann"}), json.dumps({"identity": "ann"})]
    assert (
        refusal(lambda: v1.conversation_with_participants.create(unique_name="x", participant=broken))[0]
        == 409
    )
    assert v1.conversations.list(limit=10)[-1].sid == made.sid  # the refused one left nothing behind


def test_a_service_lists_no_push_bindings(client: Client) -> None:
    service = client.conversations.v1.services.create(friendly_name="S")
    assert client.conversations.v1.services(service.sid).bindings.list() == []


def test_messages_list_in_either_order_and_page(client: Client) -> None:
    conv = client.conversations.v1.conversations.create()
    c = client.conversations.v1.conversations(conv.sid)
    for n in range(5):
        c.messages.create(author="system", body=f"m{n}")
    assert [m.body for m in c.messages.list(order="desc")] == ["m4", "m3", "m2", "m1", "m0"]
    assert [m.index for m in c.messages.list(order="asc", limit=3)] == [0, 1, 2]
    page = c.messages.page(order="desc", page_size=2)
    assert [m.body for m in page] == ["m4", "m3"]
    assert [m.body for m in page.next_page()] == ["m2", "m1"]
    assert refusal(lambda: c.messages.list(order="sideways")) == (400, 20001)


def test_service_scoped_lookups_answer_under_the_service(client: Client) -> None:
    service = client.conversations.v1.services.create(friendly_name="S")
    s = client.conversations.v1.services(service.sid)
    conv = s.conversations.create()
    s.conversations(conv.sid).participants.create(identity="zoe")
    found = s.participant_conversations.list(identity="zoe")
    assert [c.conversation_sid for c in found] == [conv.sid] and found[0].chat_service_sid == service.sid
    assert (
        client.conversations.v1.participant_conversations.list(identity="zoe") == []
    )  # not the default service
    user = s.users("zoe").fetch()
    listed = s.users(user.sid).user_conversations.list()
    assert [c.conversation_sid for c in listed] == [conv.sid]
    assert listed[0].url.endswith(f"/v1/Services/{service.sid}/Users/{user.sid}/Conversations/{conv.sid}")
    made = s.conversation_with_participants.create(participant=[json.dumps({"identity": "ann"})])
    assert made.chat_service_sid == service.sid


def test_another_accounts_lookups_answer_404(client: Client, bob_client: Client) -> None:
    conv = client.conversations.v1.conversations.create()
    client.conversations.v1.conversations(conv.sid).participants.create(identity="zoe")
    user = client.conversations.v1.users("zoe").fetch()
    assert refusal(lambda: bob_client.conversations.v1.users(user.sid).user_conversations.list()) == (
        404,
        20404,
    )
    assert bob_client.conversations.v1.participant_conversations.list(identity="zoe") == []
