"""The official ``twilio`` client manages API keys (Key resource v2010) and signs in with them."""

from __future__ import annotations

from typing import Any

import pytest
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(live_server: Any, username: str, password: str, account_sid: str) -> Client:
    twilio = Client(username, password, account_sid=account_sid)
    twilio.api.base_url = live_server.url
    return twilio


def refusal(attempt: Any) -> str:
    """What the client raised (a list's page error carries the HTTP answer in its text)."""
    with pytest.raises(TwilioException) as err:
        attempt()
    if isinstance(err.value, TwilioRestException):
        return f"HTTP {err.value.status} code {err.value.code}"
    return str(err.value)


@pytest.fixture
def client(live_server: Any, alice: Any) -> Client:
    return client_for(live_server, alice.sid, alice.auth_token, alice.sid)


def test_a_new_key_shows_its_secret_once_and_signs_in(client: Client, live_server: Any, alice: Any) -> None:
    key = client.new_keys.create(friendly_name="ci deploys")
    assert key.sid.startswith("SK") and len(key.sid) == 34
    assert key.friendly_name == "ci deploys" and key.secret
    fetched = client.keys(key.sid).fetch()
    assert (fetched.sid, fetched.friendly_name) == (key.sid, "ci deploys")
    assert not hasattr(fetched, "secret")  # never shown again

    with_key = client_for(live_server, key.sid, key.secret, alice.sid)
    assert with_key.messages.list() == []  # the key opens the account's resources


def test_keys_are_listed_renamed_and_revoked(client: Client, live_server: Any, alice: Any) -> None:
    first = client.new_keys.create(friendly_name="one")
    second = client.new_keys.create(friendly_name="two")
    assert {k.sid for k in client.keys.list()} == {first.sid, second.sid}

    assert client.keys(first.sid).update(friendly_name="renamed").friendly_name == "renamed"
    assert client.keys(first.sid).fetch().friendly_name == "renamed"

    assert client.keys(second.sid).delete() is True
    assert [k.sid for k in client.keys.list()] == [first.sid]
    revoked = client_for(live_server, second.sid, second.secret, alice.sid)
    assert "HTTP 401" in refusal(revoked.messages.list) and "20003" in refusal(revoked.messages.list)


def test_an_api_key_cannot_manage_keys(client: Client, live_server: Any, alice: Any) -> None:
    key = client.new_keys.create(friendly_name="standard")
    with_key = client_for(live_server, key.sid, key.secret, alice.sid)
    assert refusal(lambda: with_key.new_keys.create(friendly_name="more")) == "HTTP 401 code 20003"
    listed = refusal(with_key.keys.list)
    assert "HTTP 401" in listed and "API keys are managed with the account's auth token" in listed


def test_keys_are_scoped_to_their_account(client: Client, live_server: Any, alice: Any, bob: Any) -> None:
    mine = client.new_keys.create(friendly_name="alice's")
    bobs = client_for(live_server, bob.sid, bob.auth_token, bob.sid)
    assert bobs.keys.list() == []
    assert refusal(bobs.keys(mine.sid).fetch) == "HTTP 404 code 20404"
    on_alices_path = client_for(live_server, bob.sid, bob.auth_token, alice.sid)
    assert "HTTP 404" in refusal(on_alices_path.keys.list)


def test_a_friendly_name_longer_than_64_characters_is_refused(client: Client) -> None:
    assert refusal(lambda: client.new_keys.create(friendly_name="x" * 65)) == "HTTP 400 code 20001"
