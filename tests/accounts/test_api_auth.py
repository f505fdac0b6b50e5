"""API authentication: Basic with AccountSid:AuthToken or ApiKeySid:Secret, as Twilio does."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import Account, ApiKey
from tests.support import basic_auth

pytestmark = pytest.mark.django_db


def client_with(username: str, password: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic_auth(username, password))
    return client


def test_it_lists_flows_with_account_sid_and_auth_token(alice: Account) -> None:
    response = client_with(alice.sid, alice.auth_token).get("/v2/Flows")
    assert response.status_code == 200
    assert response.json()["flows"] == []
    assert response.json()["meta"]["key"] == "flows"


def test_it_lists_flows_with_an_api_key_and_its_secret(alice: Account) -> None:
    key, secret = ApiKey.create(alice, "ci")
    assert key.sid.startswith("SK") and len(key.sid) == 34
    response = client_with(key.sid, secret).get("/v2/Flows")
    assert response.status_code == 200


def test_it_stores_only_a_hash_of_the_api_key_secret(alice: Account) -> None:
    key, secret = ApiKey.create(alice)
    assert secret not in key.secret_hash
    assert key.check_secret(secret) and not key.check_secret(secret + "x")


def test_it_refuses_a_wrong_token_with_20003(alice: Account) -> None:
    response = client_with(alice.sid, "0" * 32).get("/v2/Flows")
    assert response.status_code == 401
    assert response.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }
    assert response["WWW-Authenticate"].startswith("Basic")


def test_it_refuses_a_wrong_api_key_secret(alice: Account) -> None:
    key, _ = ApiKey.create(alice)
    response = client_with(key.sid, "nope").get("/v2/Flows")
    assert response.status_code == 401 and response.json()["code"] == 20003


def test_it_refuses_a_request_without_credentials() -> None:
    response = APIClient().get("/v2/Flows")
    assert response.status_code == 401 and response.json()["code"] == 20003


def test_it_refuses_malformed_basic_credentials(db: None) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic !!!not-base64")
    assert client.get("/v2/Flows").status_code == 401


def test_it_refuses_a_suspended_account(alice: Account) -> None:
    alice.status = Account.Status.SUSPENDED
    alice.save()
    response = client_with(alice.sid, alice.auth_token).get("/v2/Flows")
    assert response.status_code == 401
    assert response.json()["code"] == 20005


def test_it_refuses_one_accounts_token_for_another_account(alice: Account, bob: Account) -> None:
    response = client_with(alice.sid, bob.auth_token).get("/v2/Flows")
    assert response.status_code == 401


def test_it_gives_every_account_a_twilio_shaped_sid_and_token(alice: Account) -> None:
    assert alice.sid.startswith("AC") and len(alice.sid) == 34
    assert len(alice.auth_token) == 32 and int(alice.auth_token, 16) >= 0
