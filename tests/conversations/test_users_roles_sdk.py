"""Conversations Users (US…) and Roles (RL…), driven by the official ``twilio`` client: in the
account's default service at ``/v1/Users`` and ``/v1/Roles``, and under a named service at
``/v1/Services/{IS}/Users|Roles``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from twilio.rest import Client

from tests.conversations.test_conversations_sdk import refusal

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_creates_lists_fetches_updates_and_deletes_a_role(client: Client, alice: Any) -> None:
    roles = client.conversations.v1.roles
    role = roles.create(
        friendly_name="helper", type="conversation", permission=["sendMessage", "leaveConversation"]
    )
    assert role.sid.startswith("RL") and len(role.sid) == 34
    assert (role.account_sid, role.friendly_name, role.type) == (alice.sid, "helper", "conversation")
    assert role.permissions == ["sendMessage", "leaveConversation"]
    assert role.chat_service_sid == client.conversations.v1.configuration().fetch().default_chat_service_sid
    assert role.url.endswith(f"/v1/Roles/{role.sid}") and role.date_created is not None
    assert [r.sid for r in roles.list()][-1] == role.sid  # after the service's four default roles
    assert roles(role.sid).fetch().permissions == ["sendMessage", "leaveConversation"]
    updated = roles(role.sid).update(permission=["sendMessage"])  # the whole list is replaced
    assert updated.permissions == ["sendMessage"]
    assert roles(role.sid).delete() is True
    assert refusal(lambda: roles(role.sid).fetch()) == (404, 20404)


def test_a_role_needs_a_name_a_type_and_permissions(client: Client) -> None:
    roles = client.conversations.v1.roles
    assert refusal(lambda: roles.create(friendly_name="x", type="channel", permission=["sendMessage"])) == (
        400,
        20001,
    )
    assert refusal(lambda: roles.create(friendly_name="x", type="service", permission=["<b>"]))[0] == 400
    roles.create(friendly_name="agents", type="service", permission=["createConversation"])
    duplicate = refusal(
        lambda: roles.create(friendly_name="agents", type="service", permission=["joinConversation"])
    )
    assert duplicate[0] == 409


def test_it_creates_fetches_by_sid_or_identity_updates_lists_and_deletes_a_user(
    client: Client, alice: Any
) -> None:
    role = client.conversations.v1.roles.create(
        friendly_name="member", type="service", permission=["joinConversation"]
    )
    users = client.conversations.v1.users
    user = users.create(
        identity="ann@example.com", friendly_name="Ann", attributes=json.dumps({"tier": "gold"})
    )
    assert user.sid.startswith("US") and len(user.sid) == 34
    assert (user.account_sid, user.identity, user.friendly_name) == (alice.sid, "ann@example.com", "Ann")
    assert json.loads(user.attributes) == {"tier": "gold"}
    default_role = client.conversations.v1.services(user.chat_service_sid).configuration().fetch()
    assert user.role_sid == default_role.default_chat_service_role_sid  # "service user"
    assert user.url.endswith(f"/v1/Users/{user.sid}")
    assert user.links["user_conversations"].endswith(f"/v1/Users/{user.sid}/Conversations")
    assert users("ann@example.com").fetch().sid == user.sid  # an identity names the user too
    updated = users(user.sid).update(friendly_name="Ann B.", role_sid=role.sid)
    assert (updated.friendly_name, updated.role_sid) == ("Ann B.", role.sid)
    assert [u.identity for u in users.list()] == ["ann@example.com"]
    assert refusal(lambda: users.create(identity="ann@example.com")) == (409, 50201)
    assert users(user.sid).delete() is True
    assert refusal(lambda: users(user.sid).fetch()) == (404, 20404)


def test_a_user_takes_a_service_role_of_its_own_service(client: Client) -> None:
    conversation_role = client.conversations.v1.roles.create(
        friendly_name="in-chat", type="conversation", permission=["sendMessage"]
    )
    users = client.conversations.v1.users
    assert refusal(lambda: users.create(identity="bo", role_sid=conversation_role.sid))[0] == 400
    assert refusal(lambda: users.create(identity="bo", role_sid="RL" + "0" * 32)) == (400, 20001)
    assert refusal(lambda: users.create(identity="bo", attributes="{not json")) == (400, 50003)


def test_a_named_service_has_its_own_users_and_roles(client: Client) -> None:
    service = client.conversations.v1.services.create(friendly_name="Support")
    scoped = client.conversations.v1.services(service.sid)
    role = scoped.roles.create(friendly_name="member", type="service", permission=["joinConversation"])
    user = scoped.users.create(identity="ann", role_sid=role.sid)
    assert (user.chat_service_sid, role.chat_service_sid) == (service.sid, service.sid)
    assert user.url.endswith(f"/v1/Services/{service.sid}/Users/{user.sid}")
    assert role.url.endswith(f"/v1/Services/{service.sid}/Roles/{role.sid}")
    assert scoped.users("ann").fetch().role_sid == role.sid
    assert client.conversations.v1.users.list() == []  # the default service has none
    assert refusal(lambda: client.conversations.v1.users(user.sid).fetch()) == (404, 20404)
    client.conversations.v1.users.create(identity="ann")  # one identity per service, not per account


def test_another_accounts_users_and_roles_are_not_found(client: Client, bob_client: Client) -> None:
    user = client.conversations.v1.users.create(identity="ann")
    role = client.conversations.v1.roles.create(
        friendly_name="r", type="service", permission=["joinConversation"]
    )
    assert refusal(lambda: bob_client.conversations.v1.users(user.sid).fetch()) == (404, 20404)
    assert refusal(lambda: bob_client.conversations.v1.users("ann").delete()) == (404, 20404)
    assert refusal(lambda: bob_client.conversations.v1.roles(role.sid).update(permission=["x"])) == (
        404,
        20404,
    )
    assert bob_client.conversations.v1.users.list() == []
