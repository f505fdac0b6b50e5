"""The official ``twilio`` client drives Conversations v1 here, at Twilio's paths."""

from __future__ import annotations

import json
from typing import Any

import pytest
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from conversations.models import ConversationMedia, ConversationService

pytestmark = pytest.mark.django_db(transaction=True)


def refusal(attempt: Any) -> tuple[int, int]:
    """(HTTP status, Twilio error code) of what the client raised."""
    with pytest.raises(TwilioException) as err:
        attempt()
    if isinstance(err.value, TwilioRestException):
        return err.value.status, int(err.value.code or 0)
    body = json.loads(str(err.value.args[1]).split(" ", 2)[2])  # a list: 'HTTP 404 {…}'
    return int(body["status"]), int(body["code"])


def test_it_creates_fetches_updates_lists_and_deletes_a_conversation(client: Client, alice: Any) -> None:
    conv = client.conversations.v1.conversations.create(
        friendly_name="Support", unique_name="support-1", attributes=json.dumps({"topic": "billing"})
    )
    assert conv.sid.startswith("CH") and len(conv.sid) == 34
    assert conv.account_sid == alice.sid and conv.chat_service_sid.startswith("IS")
    assert (conv.state, conv.friendly_name, conv.unique_name) == ("active", "Support", "support-1")
    assert json.loads(conv.attributes) == {"topic": "billing"}
    assert conv.links["messages"].endswith(f"/v1/Conversations/{conv.sid}/Messages")
    fetched = client.conversations.v1.conversations(conv.sid).fetch()
    assert fetched.sid == conv.sid and fetched.date_created is not None
    by_name = client.conversations.v1.conversations("support-1").fetch()
    assert by_name.sid == conv.sid
    updated = client.conversations.v1.conversations(conv.sid).update(
        friendly_name="Renamed", state="inactive", timers_closed="PT10M"
    )
    assert (updated.friendly_name, updated.state) == ("Renamed", "inactive")
    assert updated.timers["date_closed"]
    assert [c.sid for c in client.conversations.v1.conversations.list()] == [conv.sid]
    assert client.conversations.v1.conversations(conv.sid).delete() is True
    assert refusal(lambda: client.conversations.v1.conversations(conv.sid).fetch()) == (404, 20404)


def test_a_closed_conversation_stays_closed(client: Client) -> None:
    conv = client.conversations.v1.conversations.create()
    closed = client.conversations.v1.conversations(conv.sid).update(state="closed")
    assert closed.state == "closed" and closed.timers == {}
    assert refusal(lambda: client.conversations.v1.conversations(conv.sid).update(state="active"))[0] == 400
    attempt = lambda: client.conversations.v1.conversations(conv.sid).messages.create(body="hi")  # noqa: E731
    assert refusal(attempt) == (400, 50300)


def test_participants_are_chat_identities_or_sms_bindings(client: Client) -> None:
    conv = client.conversations.v1.conversations.create()
    participants = client.conversations.v1.conversations(conv.sid).participants
    chat = participants.create(identity="visitor-1", attributes='{"name": "Ann"}')
    sms = participants.create(
        messaging_binding_address="+15551230001", messaging_binding_proxy_address="+15550009999"
    )
    assert chat.sid.startswith("MB") and chat.identity == "visitor-1" and chat.messaging_binding is None
    assert sms.identity is None
    assert sms.messaging_binding == {
        "type": "sms",
        "address": "+15551230001",
        "proxy_address": "+15550009999",
    }
    assert {p.sid for p in participants.list()} == {chat.sid, sms.sid}
    assert refusal(lambda: participants.create(identity="visitor-1")) == (409, 50433)
    assert participants(chat.sid).fetch().conversation_sid == conv.sid
    assert participants(chat.sid).delete() is True
    assert [p.sid for p in participants.list()] == [sms.sid]


def test_messages_carry_author_body_media_and_a_growing_index(client: Client) -> None:
    conv = client.conversations.v1.conversations.create()
    c = client.conversations.v1.conversations(conv.sid)
    c.participants.create(identity="visitor-1")
    first = c.messages.create(author="visitor-1", body="hello")
    second = c.messages.create(body="Hi, what is your name?")
    uploaded = ConversationMedia.objects.create(  # as the Media Content Service keeps an upload
        account=ConversationService.objects.get(sid=conv.chat_service_sid).account,
        service=ConversationService.objects.get(sid=conv.chat_service_sid),
        content_type="image/png",
        size=3,
        content=b"png",
    )
    third = c.messages.create(author="visitor-1", media_sid=[uploaded.sid])
    assert first.sid.startswith("IM") and (first.index, second.index, third.index) == (0, 1, 2)
    assert first.participant_sid.startswith("MB") and second.author == "system"
    assert third.media[0]["sid"] == uploaded.sid and third.media[0]["content_type"] == "image/png"
    assert [m.index for m in c.messages.list()] == [0, 1, 2]
    assert [m.index for m in c.messages.list(order="desc")] == [2, 1, 0]
    assert [m.index for m in c.messages.list(page_size=2)] == [0, 1, 2]  # paged through
    assert c.messages(second.sid).fetch().body == "Hi, what is your name?"
    assert c.messages(second.sid).update(body="edited").body == "edited"
    assert c.messages(second.sid).delete() is True


def test_an_sms_participant_gets_the_others_messages_and_a_delivery_summary(client: Client) -> None:
    conv = client.conversations.v1.conversations.create()
    c = client.conversations.v1.conversations(conv.sid)
    c.participants.create(
        messaging_binding_address="+15551230001", messaging_binding_proxy_address="+15550009999"
    )
    message = c.messages.create(author="agent-ann", body="Your order shipped")
    assert message.delivery["total"] == 1
    fetched = c.messages(message.sid).fetch()
    assert fetched.delivery["delivered"] == "all" and fetched.delivery["failed"] == "none"


def test_webhooks_are_studio_flows_or_urls(client: Client, alice: Any) -> None:
    from tests.executions.factories import definition, make_flow

    flow = make_flow(alice, definition()).sid
    conv = client.conversations.v1.conversations.create()
    hooks = client.conversations.v1.conversations(conv.sid).webhooks
    studio = hooks.create(target="studio", configuration_flow_sid=flow)
    plain = hooks.create(
        target="webhook",
        configuration_url="https://example.com/hook",
        configuration_method="POST",
        configuration_filters=["onMessageAdded"],
    )
    assert studio.sid.startswith("WH") and studio.target == "studio"
    assert studio.configuration["flow_sid"] == flow
    assert plain.configuration == {
        "url": "https://example.com/hook",
        "method": "POST",
        "filters": ["onMessageAdded"],
    }
    assert {h.sid for h in hooks.list()} == {studio.sid, plain.sid}
    assert refusal(lambda: hooks.create(target="studio", configuration_flow_sid=flow)) == (400, 50100)
    assert refusal(lambda: hooks.create(target="studio"))[0] == 400
    assert hooks(studio.sid).delete() is True
    assert [h.sid for h in hooks.list()] == [plain.sid]


def test_conversations_live_under_the_accounts_default_service(client: Client) -> None:
    service_sid = client.conversations.v1.configuration().fetch().default_chat_service_sid
    assert service_sid.startswith("IS")
    service = client.conversations.v1.services(service_sid).fetch()
    assert service.sid == service_sid
    scoped = client.conversations.v1.services(service_sid).conversations
    conv = scoped.create(friendly_name="Scoped")
    assert conv.chat_service_sid == service_sid
    assert conv.url.endswith(f"/v1/Services/{service_sid}/Conversations/{conv.sid}")
    scoped(conv.sid).messages.create(author="x", body="hi")
    assert [m.body for m in scoped(conv.sid).messages.list()] == ["hi"]
    assert [c.sid for c in client.conversations.v1.conversations.list()] == [conv.sid]


def test_a_second_conversation_service_is_created_beside_serverless(client: Client, live_server: Any) -> None:
    service = client.conversations.v1.services.create(friendly_name="Chat")
    assert service.sid.startswith("IS")
    client.serverless.base_url = live_server.url
    functions = client.serverless.v1.services.create(unique_name="fns", friendly_name="Functions")
    assert functions.sid.startswith("ZS")
    assert client.conversations.v1.services(service.sid).fetch().friendly_name == "Chat"
    assert client.serverless.v1.services(functions.sid).fetch().unique_name == "fns"
    assert [s.sid for s in client.serverless.v1.services.list()] == [
        functions.sid
    ]  # the listing is Serverless's
    conv = client.conversations.v1.services(service.sid).conversations.create()
    assert conv.chat_service_sid == service.sid


def test_address_configurations_are_created_listed_and_deleted(client: Client, alice: Any) -> None:
    from tests.executions.factories import definition, make_flow

    flow = make_flow(alice, definition()).sid  # a flow of the account's own
    addresses = client.conversations.v1.address_configurations
    config = addresses.create(
        type="sms",
        address="+15550009999",
        friendly_name="Support line",
        auto_creation_enabled=True,
        auto_creation_type="studio",
        auto_creation_studio_flow_sid=flow,
    )
    assert config.sid.startswith("IG") and config.address == "+15550009999"
    assert config.auto_creation["type"] == "studio" and config.auto_creation["studio_flow_sid"] == flow
    assert [a.sid for a in addresses.list()] == [config.sid]
    attempt = lambda: addresses.create(type="sms", address="+15550009999")  # noqa: E731
    assert refusal(attempt)[0] == 409
    assert addresses(config.sid).update(auto_creation_enabled=False).auto_creation["enabled"] is False
    assert addresses(config.sid).delete() is True


def test_another_accounts_sids_answer_404(client: Client, bob_client: Client) -> None:
    conv = client.conversations.v1.conversations.create()
    participant = client.conversations.v1.conversations(conv.sid).participants.create(identity="ann")
    message = client.conversations.v1.conversations(conv.sid).messages.create(body="secret")
    bob = bob_client.conversations.v1
    assert refusal(lambda: bob.conversations(conv.sid).fetch()) == (404, 20404)
    assert refusal(lambda: bob.conversations(conv.sid).messages.list()) == (404, 20404)
    assert refusal(lambda: bob.conversations(conv.sid).messages(message.sid).fetch()) == (404, 20404)
    assert refusal(lambda: bob.conversations(conv.sid).participants(participant.sid).delete()) == (404, 20404)
    assert refusal(lambda: bob.conversations(conv.sid).messages.create(body="x")) == (404, 20404)
    assert refusal(lambda: bob.services(conv.chat_service_sid).fetch()) == (404, 20404)
    assert bob.conversations.list() == []
