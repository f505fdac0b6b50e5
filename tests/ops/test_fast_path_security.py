"""The inbound-webhook fast path answers with the headers Django answers with in production mode
(HTTPS behind a proxy: HSTS), and leaves the HTTPS redirect of a plain-HTTP request to Django."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from executions.inbound import fast_path as fast_webhook
from tests.executions.factories import make_flow, survey
from tests.executions.support import message_params, sign, webhook_path


@pytest.fixture
def https_mode(settings: Any) -> Any:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.PUBLIC_BASE_URL = "https://testserver"
    return settings


def scope(**headers: str) -> dict[str, Any]:
    return {"scheme": "http", "headers": [(k.encode(), v.encode()) for k, v in headers.items()]}


def test_it_reads_https_from_the_proxy_header_as_django_does(https_mode: Any) -> None:
    assert fast_webhook.is_secure(scope(**{"x-forwarded-proto": "https"}))
    assert fast_webhook.is_secure(scope(**{"x-forwarded-proto": "https, http"}))
    assert not fast_webhook.is_secure(scope(**{"x-forwarded-proto": "http"}))
    assert not fast_webhook.is_secure(scope())


def test_the_production_middleware_keeps_the_fast_path_on(https_mode: Any, settings: Any) -> None:
    assert list(settings.MIDDLEWARE) == fast_webhook.EXPECTED_MIDDLEWARE


@pytest.mark.django_db
def test_it_answers_the_headers_django_answers_behind_https(https_mode: Any, alice: Any, client: Any) -> None:
    flow = make_flow(alice, survey())
    params = message_params("+15551230000", "+15550001111", "hello")
    path = webhook_path(flow)
    response = client.post(
        path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=sign(alice, path, params),
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert response.status_code == 200
    expected = {(k.encode(), v.encode()) for k, v in response.headers.items()}
    assert set(fast_webhook.answer_headers(secure=True)) == expected
    assert (b"Strict-Transport-Security", b"max-age=31536000; includeSubDomains") in expected
