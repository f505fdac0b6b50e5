"""What Twilio makes by itself in a Conversation Service, read with the official client: the four
default roles, the service Configuration naming them, the User behind a chat participant, and
the roles a new user and a new participant get."""

from __future__ import annotations

from typing import Any

import pytest
from twilio.rest import Client

from tests.conversations.test_conversations_sdk import refusal

pytestmark = pytest.mark.django_db(transaction=True)

DEFAULTS = {
    ("channel admin", "conversation"),
    ("channel user", "conversation"),
    ("service admin", "service"),
    ("service user", "service"),
}


def roles_by_name(roles: Any) -> dict[str, Any]:
    return {r.friendly_name: r for r in roles.list()}


def test_a_new_service_has_twilios_four_default_roles(client: Client) -> None:
    service = client.conversations.v1.services.create(friendly_name="Support")
    roles = roles_by_name(client.conversations.v1.services(service.sid).roles)
    assert {(name, r.type) for name, r in roles.items()} == DEFAULTS
    assert {"sendMessage", "leaveConversation"} <= set(roles["channel user"].permissions)
    assert "deleteAnyMessage" in roles["channel admin"].permissions
    assert "deleteAnyMessage" not in roles["channel user"].permissions
    assert {"createConversation", "joinConversation"} <= set(roles["service user"].permissions)
    assert all(r.sid.startswith("RL") and r.chat_service_sid == service.sid for r in roles.values())


def test_the_default_service_has_them_too(client: Client) -> None:
    names = {(r.friendly_name, r.type) for r in client.conversations.v1.roles.list()}
    assert names == DEFAULTS


def test_the_service_configuration_names_the_default_roles(client: Client) -> None:
    service = client.conversations.v1.services.create(friendly_name="Support")
    roles = roles_by_name(client.conversations.v1.services(service.sid).roles)
    config = client.conversations.v1.services(service.sid).configuration().fetch()
    assert config.chat_service_sid == service.sid
    assert config.default_conversation_creator_role_sid == roles["channel admin"].sid
    assert config.default_conversation_role_sid == roles["channel user"].sid
    assert config.default_chat_service_role_sid == roles["service user"].sid
    assert config.reachability_enabled is False
    assert config.url.endswith(f"/v1/Services/{service.sid}/Configuration")
    assert config.links["notifications"].endswith(f"/v1/Services/{service.sid}/Configuration/Notifications")
    assert config.links["webhooks"].endswith(f"/v1/Services/{service.sid}/Configuration/Webhooks")


def test_the_service_configuration_takes_other_roles_of_the_right_type(client: Client) -> None:
    service = client.conversations.v1.services(client.conversations.v1.services.create(friendly_name="S").sid)
    guest = service.roles.create(friendly_name="guest", type="conversation", permission=["sendMessage"])
    member = service.roles.create(friendly_name="member", type="service", permission=["joinConversation"])
    updated = service.configuration().update(
        default_conversation_role_sid=guest.sid, default_chat_service_role_sid=member.sid
    )
    assert (updated.default_conversation_role_sid, updated.default_chat_service_role_sid) == (
        guest.sid,
        member.sid,
    )
    assert service.configuration().fetch().default_conversation_role_sid == guest.sid
    assert refusal(lambda: service.configuration().update(default_conversation_role_sid=member.sid)) == (
        400,
        50057,
    )
    assert refusal(lambda: service.configuration().update(default_chat_service_role_sid="RL" + "0" * 32)) == (
        400,
        20001,
    )


def test_a_new_user_gets_the_default_service_role(client: Client) -> None:
    roles = roles_by_name(client.conversations.v1.roles)
    user = client.conversations.v1.users.create(identity="ann")
    assert user.role_sid == roles["service user"].sid


def test_a_chat_participant_by_identity_makes_its_user(client: Client) -> None:
    roles = roles_by_name(client.conversations.v1.roles)
    conv = client.conversations.v1.conversations.create()
    participant = client.conversations.v1.conversations(conv.sid).participants.create(identity="zoe")
    assert participant.role_sid == roles["channel user"].sid
    user = client.conversations.v1.users("zoe").fetch()
    assert user.sid.startswith("US") and user.identity == "zoe"
    assert user.role_sid == roles["service user"].sid
    # A second conversation finds the same user.
    other = client.conversations.v1.conversations.create()
    client.conversations.v1.conversations(other.sid).participants.create(identity="zoe")
    assert [u.identity for u in client.conversations.v1.users.list()] == ["zoe"]


def test_an_sms_participant_makes_no_user_but_has_the_default_conversation_role(client: Client) -> None:
    roles = roles_by_name(client.conversations.v1.roles)
    conv = client.conversations.v1.conversations.create()
    sms = client.conversations.v1.conversations(conv.sid).participants.create(
        messaging_binding_address="+15551230001", messaging_binding_proxy_address="+15550009999"
    )
    assert sms.role_sid == roles["channel user"].sid
    assert client.conversations.v1.users.list() == []


def test_a_participant_takes_a_conversation_role_by_role_sid(client: Client) -> None:
    roles = roles_by_name(client.conversations.v1.roles)
    conv = client.conversations.v1.conversations(client.conversations.v1.conversations.create().sid)
    admin = conv.participants.create(identity="ann", role_sid=roles["channel admin"].sid)
    assert admin.role_sid == roles["channel admin"].sid
    demoted = conv.participants(admin.sid).update(role_sid=roles["channel user"].sid)
    assert demoted.role_sid == roles["channel user"].sid
    wrong_type = lambda: conv.participants.create(identity="bo", role_sid=roles["service user"].sid)  # noqa: E731
    assert refusal(wrong_type) == (400, 50057)
    assert refusal(lambda: conv.participants.create(identity="bo", role_sid="RL" + "0" * 32)) == (400, 20001)
