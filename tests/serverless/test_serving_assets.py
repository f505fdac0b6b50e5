"""Assets of a live environment by URL: content type, ETag, ranges, and visibility."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from serverless.serializers import resource_url
from tests.serverless.support import live_assets

pytestmark = pytest.mark.django_db

AUDIO = bytes(range(256)) * 4


@pytest.fixture
def env(alice: Any) -> Any:
    return live_assets(
        alice,
        [
            ("/hold.mp3", "public", AUDIO, "audio/mpeg"),
            ("/index.html", "public", b"<h1>hi</h1>", "text/html"),
            ("/secret.json", "private", b"{}", "application/json"),
            ("/signed.txt", "protected", b"for twilio only", "text/plain"),
        ],
    )


def test_a_public_asset_keeps_its_content_type_and_etag(env: Any) -> None:
    answer = Client().get(f"/fn/{env.label}/hold.mp3")
    assert answer.status_code == 200 and answer["Content-Type"] == "audio/mpeg"
    assert b"".join(answer.streaming_content) == AUDIO
    etag = answer["ETag"]
    again = Client().get(f"/fn/{env.label}/hold.mp3", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag


def test_byte_ranges_answer_206_with_the_slice(env: Any) -> None:
    answer = Client().get(f"/fn/{env.label}/hold.mp3", HTTP_RANGE="bytes=10-19")
    assert answer.status_code == 206 and answer["Content-Range"] == f"bytes 10-19/{len(AUDIO)}"
    assert b"".join(answer.streaming_content) == AUDIO[10:20]
    tail = Client().get(f"/fn/{env.label}/hold.mp3", HTTP_RANGE="bytes=-5")
    assert b"".join(tail.streaming_content) == AUDIO[-5:]
    beyond = Client().get(f"/fn/{env.label}/hold.mp3", HTTP_RANGE=f"bytes={len(AUDIO)}-")
    assert beyond.status_code == 416


def test_the_root_falls_back_to_index_html(env: Any) -> None:
    answer = Client().get(f"/fn/{env.label}/")
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == b"<h1>hi</h1>"


def test_private_assets_and_unknown_paths_are_not_routable(env: Any) -> None:
    for path in (f"/fn/{env.label}/secret.json", f"/fn/{env.label}/nope", "/fn/no-such-env-1234/hold.mp3"):
        answer = Client().get(path)
        assert answer.status_code == 404 and answer.json()["code"] == 20404


def test_protected_assets_need_the_accounts_signature(env: Any, alice: Any, bob: Any) -> None:
    url = resource_url(env, "/signed.txt")
    unsigned = Client().get(f"/fn/{env.label}/signed.txt")
    assert unsigned.status_code == 401 and set(unsigned.json()) == {"code", "message", "more_info", "status"}
    wrong = RequestValidator(bob.auth_token).compute_signature(url, {})
    assert Client().get(f"/fn/{env.label}/signed.txt", HTTP_X_TWILIO_SIGNATURE=wrong).status_code == 401
    good = RequestValidator(alice.auth_token).compute_signature(url, {})
    answer = Client().get(f"/fn/{env.label}/signed.txt", HTTP_X_TWILIO_SIGNATURE=good)
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == b"for twilio only"


def test_with_a_functions_domain_each_environment_answers_on_its_own_host(env: Any, settings: Any) -> None:
    settings.SERVERLESS = {**settings.SERVERLESS, "FUNCTIONS_DOMAIN": "functions.example.com"}
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".functions.example.com"]
    assert resource_url(env, "/hold.mp3").endswith(f"://{env.label}.functions.example.com/hold.mp3")
    answer = Client().get("/hold.mp3", HTTP_HOST=f"{env.label}.functions.example.com")
    assert answer.status_code == 200 and answer["Content-Type"] == "audio/mpeg"
    assert Client().get("/hold.mp3", HTTP_HOST="other-1.functions.example.com").status_code == 404
