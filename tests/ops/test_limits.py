"""Limits, Twilio's way: per-account request rates on the REST API and the inbound webhook answer
429 with Twilio's body (code 20429) and Retry-After; guessing passwords and tokens is throttled per
user and per address."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.executions.factories import make_flow, survey
from tests.executions.support import message_params, post_webhook, send_sms
from tests.support import basic_auth


@pytest.fixture
def tight(settings: Any) -> Any:
    settings.STUDIO = {
        **settings.STUDIO,
        # Hour-long windows: a test never straddles two (fixed windows start over at the boundary).
        "API_RATE_LIMIT": "3/1h",
        "WEBHOOK_RATE_LIMIT": "2/1h",
        "LOGIN_FAILURES_PER_USER": "3/1h",
        "LOGIN_FAILURES_PER_ADDRESS": "5/1h",
        "API_AUTH_FAILURES_PER_ADDRESS": "4/1h",
    }
    return settings


def assert_twilio_429(response: Any, window: int = 3600) -> None:
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == 20429 and body["status"] == 429
    assert body["more_info"] == "https://www.twilio.com/docs/errors/20429"
    assert 1 <= int(response["Retry-After"]) <= window


def test_the_rest_api_answers_429_past_the_account_rate(tight: Any, api: Any, bob_api: Any) -> None:
    assert [api.get("/v2/Flows").status_code for _ in range(3)] == [200, 200, 200]
    assert_twilio_429(api.get("/v2/Flows"))
    assert bob_api.get("/v2/Flows").status_code == 200  # another account has its own budget


def test_the_inbound_webhook_answers_429_past_the_account_rate(tight: Any, alice: Any, bob: Any) -> None:
    flow, bobs = make_flow(alice, survey()), make_flow(bob, survey())
    client = Client()
    answers = [send_sms(client, flow, "+15550001111", "+15551230000", "hi").status_code for _ in range(2)]
    assert answers == [200, 200]
    assert_twilio_429(send_sms(client, flow, "+15550001111", "+15551230000", "hi"))
    assert send_sms(client, bobs, "+15550001111", "+15551230000", "hi").status_code == 200


def test_unsigned_webhooks_do_not_spend_the_account_budget(tight: Any, alice: Any) -> None:
    flow = make_flow(alice, survey())
    client = Client()
    for _ in range(5):
        params = message_params("+15550001111", "+15551230000", "hi")
        assert post_webhook(client, flow, params, signature="bm90IHNpZ25lZA==").status_code == 403
    assert send_sms(client, flow, "+15550001111", "+15551230000", "hi").status_code == 200


def test_the_defaults_leave_room_for_the_webhook_benchmark(settings: Any) -> None:
    from accounts.limits import parse_rate

    webhooks = parse_rate(settings.STUDIO["WEBHOOK_RATE_LIMIT"])
    api_rate = parse_rate(settings.STUDIO["API_RATE_LIMIT"])
    assert webhooks.count / webhooks.seconds >= 1000  # bench/webhook_bench.py: 500+/s inbound
    assert api_rate.count / api_rate.seconds >= 100


def test_wrong_api_tokens_are_throttled_per_address(tight: Any, alice: Any) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic_auth(alice.sid, "wrong-token"))
    assert [client.get("/v2/Flows").status_code for _ in range(4)] == [401] * 4
    assert_twilio_429(client.get("/v2/Flows"))
    # Even the right token waits from that address: guessing must not tell which one was right.
    client.credentials(HTTP_AUTHORIZATION=basic_auth(alice.sid, alice.auth_token))
    assert client.get("/v2/Flows").status_code == 429
    elsewhere = APIClient(REMOTE_ADDR="10.9.8.7")
    elsewhere.credentials(HTTP_AUTHORIZATION=basic_auth(alice.sid, alice.auth_token))
    assert elsewhere.get("/v2/Flows").status_code == 200


@pytest.fixture
def user(db: Any, django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(
        username="carol", password="right-password", is_staff=True, is_superuser=True
    )


def login(path: str, username: str, password: str, address: str = "127.0.0.1") -> Any:
    return Client(REMOTE_ADDR=address).post(path, {"username": username, "password": password})


@pytest.mark.parametrize("path", ["/login", "/admin/login/"])
def test_sign_in_is_throttled_per_user_with_a_clear_message(tight: Any, user: Any, path: str) -> None:
    for n in range(3):
        assert login(path, "carol", "wrong", address=f"10.0.0.{n}").status_code == 200
    locked = login(path, "carol", "right-password", address="10.0.0.99")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in locked.client.session
    assert login(path, "dave", "wrong", address="10.0.0.99").status_code == 200  # others are not locked


@pytest.mark.parametrize("path", ["/login", "/admin/login/"])
def test_sign_in_is_throttled_per_address(tight: Any, user: Any, path: str) -> None:
    for n in range(5):
        login(path, f"nobody{n}", "wrong", address="10.1.1.1")
    locked = login(path, "carol", "right-password", address="10.1.1.1")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert login(path, "carol", "right-password", address="10.1.1.2").status_code == 302


def test_the_limit_defaults_are_studio_settings_defaults() -> None:
    """accounts.limits may not import studio: its fallbacks equal studio.conf's defaults."""
    from accounts.limits import DEFAULTS
    from studio.conf import StudioSettings

    assert {name: getattr(StudioSettings(), name) for name in DEFAULTS} == DEFAULTS
