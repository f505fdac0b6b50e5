"""The console's settings: switching accounts, members and roles, API keys, Twilio credentials and
the webhook URLs. Owners change; other members read; nothing crosses accounts."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from accounts.models import ApiKey, Membership

pytestmark = pytest.mark.django_db


def csrf(client: Any) -> str:
    client.get("/api/console/me")
    if "csrftoken" not in client.cookies:
        from django.middleware.csrf import _get_new_csrf_string

        client.cookies["csrftoken"] = _get_new_csrf_string()
    return str(client.cookies["csrftoken"].value)


def send(client: Any, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    return getattr(client, method)(
        path, json.dumps(body or {}), content_type="application/json", HTTP_X_CSRFTOKEN=csrf(client)
    )


@pytest.fixture
def carol(django_user_model: Any) -> Any:
    """A console user with no membership yet."""
    return django_user_model.objects.create_user(username="carol", email="carol@example.com", password="pw")


def as_role(console: Any, role: str) -> None:
    Membership.objects.filter(user=console.user, account=console.account).update(role=role)


def test_it_lists_the_users_accounts_and_switches_the_session_to_another(
    console: Any, bob: Any, make_account: Any
) -> None:
    Membership.objects.create(user=console.user, account=bob, role=Membership.Role.VIEWER)
    accounts = console.get("/api/console/accounts").json()["accounts"]
    assert [(a["account_sid"], a["current"]) for a in accounts] == [
        (console.account.sid, True),
        (bob.sid, False),
    ]
    switched = send(console, "post", "/api/console/accounts/switch", {"account_sid": bob.sid})
    assert switched.json() == {"account_sid": bob.sid, "role": "viewer"}
    assert console.get("/api/console/me").json()["account_sid"] == bob.sid
    strangers = make_account("Dave's")
    refused = send(console, "post", "/api/console/accounts/switch", {"account_sid": strangers.sid})
    assert refused.status_code == 404
    assert console.get("/api/console/me").json()["account_sid"] == bob.sid


def test_it_falls_back_to_the_first_account_when_the_switched_one_was_left(console: Any, bob: Any) -> None:
    membership = Membership.objects.create(user=console.user, account=bob)
    send(console, "post", "/api/console/accounts/switch", {"account_sid": bob.sid})
    membership.delete()
    assert console.get("/api/console/me").json()["account_sid"] == console.account.sid


def test_it_adds_an_existing_user_by_username_or_email_changes_the_role_and_removes(
    console: Any, carol: Any
) -> None:
    added = send(console, "post", "/api/console/members", {"user": "CAROL@example.com", "role": "viewer"})
    assert added.status_code == 201 and added.json()["username"] == "carol"
    again = send(console, "post", "/api/console/members", {"user": "carol", "role": "editor"})
    assert again.status_code == 409
    assert (
        send(console, "post", "/api/console/members", {"user": "nobody", "role": "editor"}).status_code == 404
    )
    assert send(console, "post", "/api/console/members", {"user": "carol", "role": "god"}).status_code == 400
    pk = added.json()["id"]
    assert send(console, "patch", f"/api/console/members/{pk}", {"role": "editor"}).json()["role"] == "editor"
    members = console.get("/api/console/members").json()["members"]
    assert [(m["username"], m["role"]) for m in members] == [("alice", "owner"), ("carol", "editor")]
    assert send(console, "delete", f"/api/console/members/{pk}").status_code == 204
    assert not Membership.objects.filter(user=carol).exists()


def test_it_keeps_the_last_owner(console: Any) -> None:
    own = Membership.objects.get(user=console.user).pk
    assert send(console, "patch", f"/api/console/members/{own}", {"role": "viewer"}).status_code == 409
    assert send(console, "delete", f"/api/console/members/{own}").status_code == 409


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_it_lets_only_owners_change_members_keys_and_credentials(console: Any, carol: Any, role: str) -> None:
    key, _ = ApiKey.create(console.account, "ci")
    as_role(console, role)
    assert console.get("/api/console/members").status_code == 200
    assert console.get("/api/console/keys").status_code == 200
    refused = [
        send(console, "post", "/api/console/members", {"user": "carol", "role": "viewer"}),
        send(console, "patch", f"/api/console/members/{Membership.objects.get().pk}", {"role": "owner"}),
        send(console, "post", "/api/console/keys", {"friendly_name": "x"}),
        send(console, "delete", f"/api/console/keys/{key.sid}"),
        send(console, "put", "/api/console/twilio", {"twilio_account_sid": "AC" + "a" * 32}),
    ]
    assert [r.status_code for r in refused] == [403] * 5
    assert ApiKey.objects.count() == 1 and Membership.objects.get().role == role


def test_it_shows_a_new_keys_secret_once_and_the_key_works_until_revoked(console: Any) -> None:
    created = send(console, "post", "/api/console/keys", {"friendly_name": "deploy"})
    assert created.status_code == 201
    sid, secret = created.json()["sid"], created.json()["secret"]
    listed = console.get("/api/console/keys").json()["keys"]
    assert [k["sid"] for k in listed] == [sid] and "secret" not in listed[0]
    auth = "Basic " + base64.b64encode(f"{sid}:{secret}".encode()).decode()
    from django.test import Client

    fresh = Client()
    assert fresh.get("/v2/Flows", HTTP_AUTHORIZATION=auth).status_code == 200
    assert send(console, "delete", f"/api/console/keys/{sid}").status_code == 204
    assert fresh.get("/v2/Flows", HTTP_AUTHORIZATION=auth).status_code == 401
    assert send(console, "delete", f"/api/console/keys/{sid}").status_code == 404


def test_it_never_touches_another_accounts_keys_or_members(console: Any, bob: Any, carol: Any) -> None:
    key, _ = ApiKey.create(bob, "bob's")
    theirs = Membership.objects.create(user=carol, account=bob, role=Membership.Role.OWNER)
    assert send(console, "delete", f"/api/console/keys/{key.sid}").status_code == 404
    assert send(console, "delete", f"/api/console/members/{theirs.pk}").status_code == 404
    assert console.get("/api/console/keys").json()["keys"] == []
    assert [m["username"] for m in console.get("/api/console/members").json()["members"]] == ["alice"]


def test_it_stores_the_real_twilio_credentials_and_never_reads_the_token_back(console: Any) -> None:
    assert console.get("/api/console/twilio").json() == {
        "twilio_account_sid": "",
        "auth_token_set": False,
        "provider": "default",
    }
    sid = "AC" + "0123456789abcdef" * 2
    saved = send(
        console, "put", "/api/console/twilio", {"twilio_account_sid": sid, "twilio_auth_token": "t0k"}
    )
    assert saved.json() == {"twilio_account_sid": sid, "auth_token_set": True, "provider": "twilio"}
    kept = send(console, "put", "/api/console/twilio", {"twilio_account_sid": sid, "twilio_auth_token": ""})
    assert kept.json()["auth_token_set"] is True
    console.account.refresh_from_db()
    assert console.account.twilio_auth_token == "t0k"
    bad = send(console, "put", "/api/console/twilio", {"twilio_account_sid": "nope"})
    assert bad.status_code == 400
    cleared = send(console, "put", "/api/console/twilio", {"twilio_account_sid": ""})
    assert cleared.json() == {"twilio_account_sid": "", "auth_token_set": False, "provider": "default"}


def test_it_lists_the_webhook_urls_of_each_flow(console: Any, settings: Any) -> None:
    from tests.executions.factories import make_flow, survey

    settings.PUBLIC_BASE_URL = "https://studio.example.com"
    flow = make_flow(console.account, survey(), name="Survey")
    body = console.get("/api/console/webhooks").json()
    url = f"https://studio.example.com/v1/Accounts/{console.account.sid}/Flows/{flow.sid}"
    assert body["flows"] == [
        {
            "flow_sid": flow.sid,
            "friendly_name": "Survey",
            "published": True,
            "messaging": url,
            "voice": url,
            "status_callback": url,
            "method": "POST",
        }
    ]
