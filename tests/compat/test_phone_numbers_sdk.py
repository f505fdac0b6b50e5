"""The official ``twilio`` client records the account's phone numbers (IncomingPhoneNumbers,
2010 API) and points their webhooks at a flow, as Functions templates do."""

from __future__ import annotations

from typing import Any

import pytest
from twilio.rest import Client

from tests.compat.test_keys_sdk import client_for, refusal

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "+15550001111"


@pytest.fixture
def client(live_server: Any, alice: Any) -> Client:
    return client_for(live_server, alice.sid, alice.auth_token, alice.sid)


def test_a_number_is_created_listed_by_number_updated_and_removed(client: Client, alice: Any) -> None:
    made = client.incoming_phone_numbers.create(phone_number=NUMBER, voice_url="https://example.com/voice")
    assert made.sid.startswith("PN") and len(made.sid) == 34
    assert (made.account_sid, made.phone_number, made.voice_url, made.sms_url) == (
        alice.sid,
        NUMBER,
        "https://example.com/voice",
        None,
    )
    client.incoming_phone_numbers.create(phone_number="+15550002222")
    (found,) = client.incoming_phone_numbers.list(phone_number=NUMBER, limit=20)
    assert found.sid == made.sid
    assert len(client.incoming_phone_numbers.list()) == 2

    webhook = f"https://studio.example.com/v2/Flows/FW{'0' * 32}/Webhook"
    updated = client.incoming_phone_numbers(made.sid).update(sms_url=webhook, sms_method="POST")
    assert (updated.sms_url, updated.sms_method, updated.voice_url) == (
        webhook,
        "POST",
        "https://example.com/voice",
    )
    assert client.incoming_phone_numbers(made.sid).fetch().sms_url == webhook

    assert client.incoming_phone_numbers(made.sid).delete() is True
    assert refusal(lambda: client.incoming_phone_numbers(made.sid).fetch()) == "HTTP 404 code 20404"


def test_bad_numbers_duplicates_and_strangers_are_refused(client: Client, live_server: Any, bob: Any) -> None:
    made = client.incoming_phone_numbers.create(phone_number=NUMBER)
    assert (
        refusal(lambda: client.incoming_phone_numbers.create(phone_number="555-1234"))
        == "HTTP 400 code 21421"
    )
    assert refusal(lambda: client.incoming_phone_numbers.create(phone_number=NUMBER)) == "HTTP 400 code 21422"
    assert refusal(lambda: client.incoming_phone_numbers.create(area_code="555")) == "HTTP 400 code 21452"
    assert (
        refusal(lambda: client.incoming_phone_numbers(made.sid).update(sms_method="PUT"))
        == "HTTP 400 code 20001"
    )
    stranger = client_for(live_server, bob.sid, bob.auth_token, bob.sid)
    assert stranger.incoming_phone_numbers.list() == []
    assert refusal(lambda: stranger.incoming_phone_numbers(made.sid).fetch()) == "HTTP 404 code 20404"
