"""The account's and a service's configuration resources, driven by the official client:
``/v1/Configuration`` (+ ``/Webhooks``) and ``/v1/Services/{IS}/Configuration/Notifications|Webhooks``."""

from __future__ import annotations

from typing import Any

import pytest
from twilio.rest import Client

from tests.conversations.test_conversations_sdk import refusal

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_account_configuration_reads_and_changes_the_defaults(client: Client, alice: Any) -> None:
    configuration = client.conversations.v1.configuration()
    before = configuration.fetch()
    assert before.account_sid == alice.sid and before.default_chat_service_sid.startswith("IS")
    assert (before.default_inactive_timer, before.default_closed_timer) == (None, None)
    assert before.links["webhooks"].endswith("/v1/Configuration/Webhooks")
    assert before.links["service"].endswith(f"/v1/Services/{before.default_chat_service_sid}")
    second = client.conversations.v1.services.create(friendly_name="Second")
    updated = configuration.update(
        default_chat_service_sid=second.sid, default_inactive_timer="PT1H", default_closed_timer="P1D"
    )
    assert updated.default_chat_service_sid == second.sid
    assert (updated.default_inactive_timer, updated.default_closed_timer) == ("PT3600S", "PT86400S")
    # The default service is where /v1/Conversations now creates.
    conv = client.conversations.v1.conversations.create()
    assert conv.chat_service_sid == second.sid
    assert refusal(lambda: configuration.update(default_chat_service_sid="IS" + "0" * 32)) == (404, 20404)


def test_the_account_webhook_settings_are_kept(client: Client, alice: Any) -> None:
    webhooks = client.conversations.v1.configuration.webhooks()
    first = webhooks.fetch()
    assert (first.account_sid, first.method, first.filters, first.target) == (
        alice.sid,
        "POST",
        [],
        "webhook",
    )
    assert (first.pre_webhook_url, first.post_webhook_url) == (None, None)
    updated = webhooks.update(
        method="GET",
        filters=["onMessageAdded", "onConversationRemoved"],
        post_webhook_url="https://example.com/post",
        target="flex",
    )
    assert (updated.method, updated.target, updated.post_webhook_url) == (
        "GET",
        "flex",
        "https://example.com/post",
    )
    assert webhooks.fetch().filters == ["onMessageAdded", "onConversationRemoved"]
    assert refusal(lambda: webhooks.update(filters=["onEverything"])) == (400, 20001)
    assert refusal(lambda: webhooks.update(pre_webhook_url="ftp://example.com"))[0] == 400


def test_a_services_webhook_settings_are_kept(client: Client, alice: Any) -> None:
    service = client.conversations.v1.services.create(friendly_name="S")
    webhooks = client.conversations.v1.services(service.sid).configuration.webhooks()
    first = webhooks.fetch()
    assert (first.chat_service_sid, first.account_sid, first.method, first.filters) == (
        service.sid,
        alice.sid,
        "POST",
        [],
    )
    updated = webhooks.update(pre_webhook_url="https://example.com/pre", filters=["onMessageAdd"])
    assert (updated.pre_webhook_url, updated.filters) == ("https://example.com/pre", ["onMessageAdd"])
    assert updated.url.endswith(f"/v1/Services/{service.sid}/Configuration/Webhooks")


def test_a_services_notification_settings_are_kept(client: Client) -> None:
    service = client.conversations.v1.services.create(friendly_name="S")
    notifications = client.conversations.v1.services(service.sid).configuration.notifications()
    first = notifications.fetch()
    assert first.new_message["enabled"] is False and first.log_enabled is False
    assert first.added_to_conversation == {"enabled": False, "template": None, "sound": None}
    updated = notifications.update(
        new_message_enabled=True,
        new_message_template="${PARTICIPANT}: ${MESSAGE}",
        new_message_with_media_enabled=True,
        log_enabled=True,
    )
    assert updated.new_message["enabled"] is True
    assert updated.new_message["template"] == "${PARTICIPANT}: ${MESSAGE}"
    assert updated.new_message["with_media"]["enabled"] is True and updated.log_enabled is True
    assert notifications.fetch().removed_from_conversation["enabled"] is False


def test_another_accounts_service_configuration_is_not_found(client: Client, bob_client: Client) -> None:
    service = client.conversations.v1.services.create(friendly_name="S")
    theirs = bob_client.conversations.v1.services(service.sid)
    assert refusal(lambda: theirs.configuration().fetch()) == (404, 20404)
    assert refusal(lambda: theirs.configuration.webhooks().update(method="GET")) == (404, 20404)


def test_push_credentials_are_listed_without_their_secrets(client: Client, bob_client: Client) -> None:
    credentials = client.conversations.v1.credentials
    made = credentials.create(type="apn", friendly_name="ios", certificate="-----BEGIN CERT…", sandbox=True)
    assert made.sid.startswith("CR") and len(made.sid) == 34
    assert (made.type, made.friendly_name, made.sandbox) == ("apn", "ios", "true")
    assert made.url.endswith(f"/v1/Credentials/{made.sid}")
    assert "BEGIN" not in str(vars(made))  # the secret is never answered (nor kept)
    assert credentials(made.sid).update(friendly_name="iPhone", sandbox=False).sandbox == "false"
    assert [c.friendly_name for c in credentials.list()] == ["iPhone"]
    assert refusal(lambda: credentials.create(type="pager")) == (400, 20001)
    assert refusal(lambda: bob_client.conversations.v1.credentials(made.sid).fetch()) == (404, 20404)
    assert credentials(made.sid).delete() is True
    assert refusal(lambda: credentials(made.sid).fetch()) == (404, 20404)
