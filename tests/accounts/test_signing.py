"""``accounts.signing`` signs and checks ``X-Twilio-Signature`` exactly as the official SDK does."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict
from twilio.request_validator import RequestValidator

from accounts.signing import twilio_signature, valid_signature

TOKEN = "12345678901234567890123456789012"
URLS = [
    "https://mycompany.com/myapp.php?foo=1&bar=2",
    "https://studio.example.com/v1/Accounts/AC1/Flows/FW1",
    "https://studio.example.com:443/v1/Accounts/AC1/Flows/FW1",
    "http://127.0.0.1:8000/v1/Accounts/AC1/Flows/FW1?FlowEvent=return&x=é",
    "http://localhost/cb",
]
PARAMS: list[dict[str, str]] = [
    {},
    {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234", "From": "+12349013030"},
    {"Body": "héllo wörld ✓", "From": "+15551230000", "To": "+15550001111", "NumMedia": "0"},
    {"b": "2", "a": "1", "A": "0", "a1": "", "": "empty name"},
]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("params", PARAMS)
def test_it_signs_a_dict_like_the_sdk(url: str, params: dict[str, str]) -> None:
    assert twilio_signature(TOKEN, url, params) == RequestValidator(TOKEN).compute_signature(url, params)


def test_it_signs_a_querydict_with_repeated_names_like_the_sdk() -> None:
    form = QueryDict("b=3&a=1&b=2&b=3&c=", mutable=False)
    url = URLS[1]
    assert twilio_signature(TOKEN, url, form) == RequestValidator(TOKEN).compute_signature(url, form)


def test_it_signs_pairs_like_the_sdk_signs_the_same_querydict() -> None:
    pairs = [("b", "3"), ("a", "1"), ("b", "2"), ("b", "3")]
    form = QueryDict("b=3&a=1&b=2&b=3")
    assert twilio_signature(TOKEN, URLS[0], pairs) == RequestValidator(TOKEN).compute_signature(URLS[0], form)


def test_it_signs_a_url_alone_without_parameters() -> None:
    url = "https://example.twil.io/fn?x=1&y=2"
    assert twilio_signature(TOKEN, url) == RequestValidator(TOKEN).compute_signature(url, {})


@pytest.mark.parametrize("signed", URLS)
@pytest.mark.parametrize("checked", URLS)
def test_it_validates_exactly_what_the_sdk_validates(signed: str, checked: str) -> None:
    params = PARAMS[1]
    signature = RequestValidator(TOKEN).compute_signature(signed, params)
    expected = RequestValidator(TOKEN).validate(checked, params, signature)
    assert valid_signature(TOKEN, checked, params, signature) is expected


def test_it_accepts_a_signature_made_with_the_default_port_and_without() -> None:
    params = PARAMS[2]
    bare = "https://studio.example.com/v1/x"
    with_port = "https://studio.example.com:443/v1/x"
    assert valid_signature(TOKEN, bare, params, twilio_signature(TOKEN, with_port, params))
    assert valid_signature(TOKEN, with_port, params, twilio_signature(TOKEN, bare, params))


@pytest.mark.parametrize(
    "signature",
    ["", "bm90IHRoZSBzaWduYXR1cmU=", "ünïcode", "x" * 28],
)
def test_it_refuses_a_missing_or_wrong_signature(signature: str) -> None:
    params: dict[str, Any] = PARAMS[1]
    assert valid_signature(TOKEN, URLS[1], params, signature) is False
    assert RequestValidator(TOKEN).validate(URLS[1], params, signature) is False


def test_it_refuses_another_token_and_altered_parameters() -> None:
    params = PARAMS[2]
    signature = twilio_signature(TOKEN, URLS[1], params)
    assert valid_signature(TOKEN, URLS[1], params, signature)
    assert not valid_signature("another token", URLS[1], params, signature)
    assert not valid_signature(TOKEN, URLS[1], {**params, "Body": "hello"}, signature)
    assert not valid_signature(TOKEN, URLS[1] + "?x=1", params, signature)
