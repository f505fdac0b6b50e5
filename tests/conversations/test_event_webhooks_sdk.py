"""The service-level and account-level event webhooks (``…/Configuration/Webhooks``), driven by the
official client: the post-action hook hears the events its Filters name, signed with the
account's token; the pre-action hook can reject an action or change what it adds; REST calls
fire them only with ``X-Twilio-Webhook-Enabled: true``, chat participants' actions always."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.utils import timezone
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from conversations import events, services
from conversations.models import Conversation, ConversationMessage
from scenarios.stubs import Recorded, Stub
from tests.conversations.test_conversations_sdk import refusal

pytestmark = pytest.mark.django_db(transaction=True)
ON = "true"  # the X-Twilio-Webhook-Enabled header the client sends


@pytest.fixture
def peer(settings: Any) -> Any:
    """A local HTTP peer recording the hook calls (127.0.0.1 allow-listed, as widgets need)."""
    settings.STUDIO = {**settings.STUDIO, "ALLOWED_HTTP_HOSTS": ["127.0.0.1"]}
    with Stub() as stub:
        stub.route("/post", body="")
        yield stub


def wait_for(stub: Stub, path: str, count: int, seconds: float = 5.0) -> list[Recorded]:
    """The requests to ``path`` once there are ``count`` (post-action hooks are sent off-thread)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [r for r in stub.requests if r.path == path]
        if len(found) >= count:
            return found
        time.sleep(0.02)
    return [r for r in stub.requests if r.path == path]


def signed_by(token: str, url: str, request: Recorded) -> bool:
    signature = request.headers["x-twilio-signature"]
    if request.method == "GET":
        return RequestValidator(token).validate(url + "?" + request.target.split("?", 1)[1], {}, signature)
    form = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
    return RequestValidator(token).validate(url, form, signature)


def service_hooks(client: Client) -> Any:
    service_sid = client.conversations.v1.configuration().fetch().default_chat_service_sid
    return client.conversations.v1.services(service_sid).configuration.webhooks()


def test_the_post_hook_hears_the_filtered_events_signed_with_the_account_token(
    client: Client, alice: Any, peer: Stub
) -> None:
    service_hooks(client).update(
        post_webhook_url=peer.url("/post"), filters=["onConversationAdded", "onMessageAdded"], method="POST"
    )
    conv = client.conversations.v1.conversations.create(friendly_name="Support", x_twilio_webhook_enabled=ON)
    client.conversations.v1.conversations(conv.sid).participants.create(
        identity="ann", x_twilio_webhook_enabled=ON
    )  # onParticipantAdded is not in the Filters
    message = client.conversations.v1.conversations(conv.sid).messages.create(
        author="ann", body="hello", x_twilio_webhook_enabled=ON
    )
    added, said = wait_for(peer, "/post", 2)
    time.sleep(0.2)
    assert len(wait_for(peer, "/post", 3, seconds=0.1)) == 2  # nothing else came
    assert (added.form["EventType"], added.form["ConversationSid"], added.form["FriendlyName"]) == (
        "onConversationAdded",
        conv.sid,
        "Support",
    )
    form = said.form
    assert (form["EventType"], form["MessageSid"], form["Index"], form["Author"], form["Body"]) == (
        "onMessageAdded",
        message.sid,
        "0",
        "ann",
        "hello",
    )
    assert form["ParticipantSid"].startswith("MB") and form["Source"] == "API"
    assert (form["AccountSid"], form["ChatServiceSid"]) == (alice.sid, conv.chat_service_sid)
    assert form["DateCreated"].endswith("Z")
    assert all(signed_by(alice.auth_token, peer.url("/post"), r) for r in (added, said))
    assert not signed_by("0" * 32, peer.url("/post"), said)


def test_a_rest_call_without_the_webhook_header_fires_no_event(client: Client, peer: Stub) -> None:
    service_hooks(client).update(post_webhook_url=peer.url("/post"), filters=["onMessageAdded"])
    conv = client.conversations.v1.conversations.create()
    client.conversations.v1.conversations(conv.sid).messages.create(author="ann", body="quiet")
    assert wait_for(peer, "/post", 1, seconds=0.5) == []


def test_the_account_configuration_serves_when_the_service_has_none_and_get_signs_the_query(
    client: Client, alice: Any, peer: Stub
) -> None:
    client.conversations.v1.configuration.webhooks().update(
        post_webhook_url=peer.url("/post"), filters=["onMessageAdded"], method="GET", target="webhook"
    )
    conv = client.conversations.v1.conversations.create()
    client.conversations.v1.conversations(conv.sid).messages.create(
        author="ann", body="via the account", x_twilio_webhook_enabled=ON
    )
    (request,) = wait_for(peer, "/post", 1)
    assert request.method == "GET" and request.query["Body"] == "via the account"
    assert signed_by(alice.auth_token, peer.url("/post"), request)


def test_a_flex_target_sends_nothing(client: Client, peer: Stub) -> None:
    client.conversations.v1.configuration.webhooks().update(
        post_webhook_url=peer.url("/post"), filters=["onMessageAdded"], target="flex"
    )
    conv = client.conversations.v1.conversations.create()
    client.conversations.v1.conversations(conv.sid).messages.create(body="x", x_twilio_webhook_enabled=ON)
    assert wait_for(peer, "/post", 1, seconds=0.5) == []


def test_a_pre_hook_rejection_keeps_the_message_out(client: Client, alice: Any, peer: Stub) -> None:
    peer.route("/pre", status=403, body="no")
    service_hooks(client).update(
        pre_webhook_url=peer.url("/pre"),
        post_webhook_url=peer.url("/post"),
        filters=["onMessageAdd", "onMessageAdded"],
    )
    conv = client.conversations.v1.conversations.create()
    attempt = lambda: client.conversations.v1.conversations(conv.sid).messages.create(  # noqa: E731
        author="ann", body="spam", x_twilio_webhook_enabled=ON
    )
    assert refusal(attempt) == (403, 20403)
    (asked,) = wait_for(peer, "/pre", 1)
    assert (asked.form["EventType"], asked.form["Body"], asked.form["ConversationSid"]) == (
        "onMessageAdd",
        "spam",
        conv.sid,
    )
    assert "MessageSid" not in asked.form and signed_by(alice.auth_token, peer.url("/pre"), asked)
    assert ConversationMessage.objects.count() == 0
    assert Conversation.objects.get(sid=conv.sid).next_index == 0  # no index taken
    assert wait_for(peer, "/post", 1, seconds=0.3) == []


def test_a_pre_hook_answer_changes_the_body_author_and_attributes(client: Client, peer: Stub) -> None:
    peer.route(
        "/pre", body={"body": "[filtered]", "author": "moderated-ann", "attributes": {"checked": True}}
    )
    service_hooks(client).update(pre_webhook_url=peer.url("/pre"), filters=["onMessageAdd"])
    conv = client.conversations.v1.conversations.create()
    message = client.conversations.v1.conversations(conv.sid).messages.create(
        author="ann", body="a rude word", x_twilio_webhook_enabled=ON
    )
    assert (message.body, message.author, json.loads(message.attributes)) == (
        "[filtered]",
        "moderated-ann",
        {"checked": True},
    )


def test_a_pre_hook_that_does_not_answer_in_time_lets_the_message_through_unmodified(
    client: Client, peer: Stub, monkeypatch: Any
) -> None:
    monkeypatch.setattr(events, "PRE_TIMEOUT_SECONDS", 0.3)
    peer.route("/pre", body={"body": "too late to change it"}, delay=3.0)
    service_hooks(client).update(pre_webhook_url=peer.url("/pre"), filters=["onMessageAdd"])
    conv = client.conversations.v1.conversations.create()
    started = time.monotonic()
    message = client.conversations.v1.conversations(conv.sid).messages.create(
        body="late", x_twilio_webhook_enabled=ON
    )
    assert message.body == "late" and time.monotonic() - started < 2.5  # not the peer's 3 s
    assert len(wait_for(peer, "/pre", 1)) == 1


def test_an_internal_address_is_not_called_and_the_message_goes_on(client: Client, settings: Any) -> None:
    settings.STUDIO = {**settings.STUDIO, "ALLOWED_HTTP_HOSTS": []}  # 127.0.0.1 refused, as for widgets
    with Stub() as internal:
        internal.route("/pre", status=403, body="")
        service_hooks(client).update(pre_webhook_url=internal.url("/pre"), filters=["onMessageAdd"])
        conv = client.conversations.v1.conversations.create()
        message = client.conversations.v1.conversations(conv.sid).messages.create(
            body="x", x_twilio_webhook_enabled=ON
        )
        assert message.body == "x"
        assert internal.requests == []


def test_a_chat_participants_message_goes_through_the_hooks_without_any_header(
    client: Client, alice: Any, peer: Stub
) -> None:
    peer.route("/pre", body={"body": "edited"})
    service_hooks(client).update(
        pre_webhook_url=peer.url("/pre"),
        post_webhook_url=peer.url("/post"),
        filters=["onMessageAdd", "onMessageAdded"],
    )
    conversation = services.create_conversation(alice)
    services.add_participant(conversation, identity="visitor-1")
    message = services.add_message(conversation, author="visitor-1", body="typed", source="SDK")
    assert message.body == "edited"
    (asked,) = wait_for(peer, "/pre", 1)
    assert (asked.form["Source"], asked.form["ClientIdentity"]) == ("SDK", "visitor-1")
    (told,) = wait_for(peer, "/post", 1)
    assert (told.form["Body"], told.form["Source"], told.form["MessageSid"]) == ("edited", "SDK", message.sid)


def test_participant_message_and_conversation_changes_are_told(client: Client, api: Any, peer: Stub) -> None:
    filters = [
        "onParticipantAdded",
        "onParticipantRemoved",
        "onMessageUpdated",
        "onMessageRemoved",
        "onConversationUpdated",
        "onConversationStateUpdated",
        "onConversationRemoved",
    ]
    service_hooks(client).update(post_webhook_url=peer.url("/post"), filters=filters)
    conv = client.conversations.v1.conversations.create()
    handle = client.conversations.v1.conversations(conv.sid)
    ann = handle.participants.create(identity="ann", x_twilio_webhook_enabled=ON)
    message = handle.messages.create(author="ann", body="v1", x_twilio_webhook_enabled=ON)
    handle.messages(message.sid).update(body="v2", x_twilio_webhook_enabled=ON)
    handle.update(state="inactive", x_twilio_webhook_enabled=ON)
    # (the official client drops X-Twilio-Webhook-Enabled on delete: sent by hand here)
    header = {"HTTP_X_TWILIO_WEBHOOK_ENABLED": "true"}
    path = f"/v1/Conversations/{conv.sid}"
    assert api.delete(f"{path}/Messages/{message.sid}", **header).status_code == 204
    assert api.delete(f"{path}/Participants/{ann.sid}", **header).status_code == 204
    assert api.delete(path, **header).status_code == 204
    heard = wait_for(peer, "/post", 7)
    kinds = sorted(r.form["EventType"] for r in heard)  # sent from a pool: in any order
    assert kinds == sorted(filters)
    by_kind = {r.form["EventType"]: r.form for r in heard}
    assert by_kind["onParticipantAdded"]["Identity"] == "ann"
    assert by_kind["onMessageUpdated"]["Body"] == "v2"
    assert by_kind["onMessageRemoved"]["MessageSid"] == message.sid
    assert by_kind["onMessageRemoved"]["DateRemoved"].endswith("Z")
    assert by_kind["onParticipantRemoved"]["ParticipantSid"] == ann.sid
    state = by_kind["onConversationStateUpdated"]
    assert (state["StateFrom"], state["StateTo"], state["Reason"]) == ("active", "inactive", "API")
    assert by_kind["onConversationRemoved"]["ConversationSid"] == conv.sid


def test_a_delete_without_the_header_is_not_told(client: Client, api: Any, peer: Stub) -> None:
    service_hooks(client).update(post_webhook_url=peer.url("/post"), filters=["onConversationRemoved"])
    conv = client.conversations.v1.conversations.create()
    assert api.delete(f"/v1/Conversations/{conv.sid}").status_code == 204
    assert wait_for(peer, "/post", 1, seconds=0.5) == []


def test_a_pre_hook_can_refuse_a_participant_and_rename_a_conversation(client: Client, peer: Stub) -> None:
    peer.route("/pre", handler=lambda r: _moderate(r))
    service_hooks(client).update(
        pre_webhook_url=peer.url("/pre"), filters=["onParticipantAdd", "onConversationAdd"]
    )
    conv = client.conversations.v1.conversations.create(friendly_name="raw", x_twilio_webhook_enabled=ON)
    assert conv.friendly_name == "Reviewed: raw"
    handle = client.conversations.v1.conversations(conv.sid)
    attempt = lambda: handle.participants.create(identity="mallory", x_twilio_webhook_enabled=ON)  # noqa: E731
    assert refusal(attempt) == (403, 20403)
    assert handle.participants.list() == []


def _moderate(request: Recorded) -> tuple[int, dict[str, str], str]:
    form = request.form
    if form["EventType"] == "onParticipantAdd" and form.get("Identity") == "mallory":
        return 403, {}, ""
    if form["EventType"] == "onConversationAdd":
        changed = {"friendlyName": "Reviewed: " + form["FriendlyName"]}
        return 200, {"Content-Type": "application/json"}, json.dumps(changed)
    return 200, {}, ""


def test_users_added_and_updated_are_told_and_a_pre_hook_can_rename(client: Client, peer: Stub) -> None:
    peer.route("/pre", body={"friendlyName": "Ann (checked)"})
    service_hooks(client).update(
        pre_webhook_url=peer.url("/pre"),
        post_webhook_url=peer.url("/post"),
        filters=["onUserAdded", "onUserUpdate", "onUserUpdated"],
    )
    user = client.conversations.v1.users.create(identity="ann", x_twilio_webhook_enabled=ON)
    renamed = client.conversations.v1.users(user.sid).update(friendly_name="Ann", x_twilio_webhook_enabled=ON)
    assert renamed.friendly_name == "Ann (checked)"
    (asked,) = wait_for(peer, "/pre", 1)
    assert (asked.form["EventType"], asked.form["FriendlyName"], asked.form["UserSid"]) == (
        "onUserUpdate",
        "Ann",
        user.sid,
    )
    heard = {r.form["EventType"]: r.form for r in wait_for(peer, "/post", 2)}
    assert heard["onUserAdded"]["Identity"] == "ann"
    assert heard["onUserUpdated"]["FriendlyName"] == "Ann (checked)"


def test_a_timer_and_a_close_tell_the_state_change_with_their_reason(
    client: Client, alice: Any, peer: Stub
) -> None:
    service_hooks(client).update(post_webhook_url=peer.url("/post"), filters=["onConversationStateUpdated"])
    timed = services.create_conversation(alice, timers_inactive=60)
    Conversation.objects.filter(pk=timed.pk).update(date_inactive=timezone.now() - timedelta(seconds=1))
    assert services.sweep_timers() == 1
    closed = services.create_conversation(alice)
    services.close_conversation(closed)
    heard = {r.form["ConversationSid"]: r.form for r in wait_for(peer, "/post", 2)}
    assert (heard[timed.sid]["StateTo"], heard[timed.sid]["Reason"]) == ("inactive", "TIMER")
    assert (heard[closed.sid]["StateFrom"], heard[closed.sid]["StateTo"]) == ("active", "closed")
    assert heard[closed.sid]["Reason"] == "EVENT"


def test_an_inbound_sms_opening_a_conversation_tells_each_step(
    client: Client, alice: Any, peer: Stub
) -> None:
    from conversations.addresses import receive_sms
    from conversations.models import AddressConfiguration

    service_hooks(client).update(
        post_webhook_url=peer.url("/post"),
        filters=["onConversationAdded", "onParticipantAdded", "onMessageAdded"],
    )
    AddressConfiguration.objects.create(account=alice, address="+15550009999")
    conv = receive_sms(alice, {"From": "+15551230001", "To": "+15550009999", "Body": "hello"})
    assert conv is not None
    heard = {r.form["EventType"]: r.form for r in wait_for(peer, "/post", 3)}
    assert sorted(heard) == ["onConversationAdded", "onMessageAdded", "onParticipantAdded"]
    assert {f["ConversationSid"] for f in heard.values()} == {conv.sid}
    assert heard["onParticipantAdded"]["MessagingBinding.Address"] == "+15551230001"
    assert (heard["onMessageAdded"]["Source"], heard["onMessageAdded"]["Body"]) == ("SMS", "hello")


def test_a_flows_own_message_is_not_put_to_the_pre_hook_but_is_told(
    client: Client, alice: Any, peer: Stub
) -> None:
    peer.route("/pre", status=403, body="")
    service_hooks(client).update(
        pre_webhook_url=peer.url("/pre"),
        post_webhook_url=peer.url("/post"),
        filters=["onMessageAdd", "onMessageAdded"],
    )
    conversation = services.create_conversation(alice)
    message = services.add_message(conversation, body="Welcome!", source="Studio")
    (told,) = wait_for(peer, "/post", 1)
    assert (told.form["MessageSid"], told.form["Author"], told.form["Source"]) == (
        message.sid,
        "system",
        "Studio",
    )
    assert wait_for(peer, "/pre", 1, seconds=0.1) == []


def test_an_inbound_sms_asks_the_pre_hook_with_no_transaction_open(
    client: Client, alice: Any, peer: Stub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pre-action hook may take 5 s: it is never asked while a row lock or SQLite's write lock
    is held (issue 16: no transaction open while waiting on the network)."""
    from django.db import connection

    from conversations.addresses import receive_sms
    from conversations.models import AddressConfiguration

    in_transaction: list[bool] = []
    real = events.signed_request

    def watching(*args: Any, **kwargs: Any) -> Any:
        in_transaction.append(connection.in_atomic_block)
        return real(*args, **kwargs)

    monkeypatch.setattr(events, "signed_request", watching)
    peer.route("/pre", body="")
    service_hooks(client).update(pre_webhook_url=peer.url("/pre"), filters=["onMessageAdd"])
    AddressConfiguration.objects.create(account=alice, address="+15550009999")
    conv = receive_sms(alice, {"From": "+15551230001", "To": "+15550009999", "Body": "hello"})
    assert conv is not None and [m.body for m in services.messages_since(conv)] == ["hello"]
    assert in_transaction == [False]
