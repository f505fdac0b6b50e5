"""``/healthz/live`` (the process answers, nothing else touched) and ``/healthz/ready`` (the
database, cache, Redis and channel layer answer; 503 naming what failed). ``/healthz`` as before."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_liveness_answers_without_touching_the_database() -> None:
    with mock.patch("accounts.views.connection") as conn:
        conn.cursor.side_effect = RuntimeError("db down")
        response = Client().get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert not conn.cursor.called


def test_readiness_checks_the_database_cache_and_channel_layer() -> None:
    response = Client().get("/healthz/ready")
    assert response.status_code == 200
    body = response.json()
    assert {"database", "cache", "channel_layer"} <= set(body["checks"])  # and redis when configured
    assert set(body["checks"].values()) == {"ok"}
    assert body["failing"] == []


def test_readiness_is_503_naming_the_database_when_it_is_down() -> None:
    with mock.patch("accounts.views.connection") as conn:
        conn.cursor.side_effect = RuntimeError("db down")
        response = Client().get("/healthz/ready")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    assert response.json()["checks"]["database"] == "error: RuntimeError"


def test_readiness_is_503_naming_the_cache_when_it_loses_values() -> None:
    with mock.patch("ops.health.cache") as cache:
        cache.get.return_value = None
        response = Client().get("/healthz/ready")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]


def test_readiness_is_503_naming_the_channel_layer_when_it_fails() -> None:
    broken = mock.Mock()
    broken.group_send = mock.AsyncMock(side_effect=ConnectionError("refused"))
    with mock.patch("ops.health.get_channel_layer", return_value=broken):
        response = Client().get("/healthz/ready")
    assert response.status_code == 503
    assert response.json()["failing"] == ["channel_layer"]


def test_readiness_checks_redis_when_configured(settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = Client().get("/healthz/ready")
    assert response.status_code == 503
    assert "redis" in response.json()["failing"]


def test_the_combined_healthz_still_answers_as_before(settings: Any) -> None:
    settings.REDIS_URL = ""
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok"}


def test_probes_and_metrics_are_exempt_from_the_https_redirect(settings: Any) -> None:
    from config.security import https_settings

    with mock.patch.dict("os.environ", {"DJANGO_HTTPS": "true"}):
        exempt = https_settings(False)["SECURE_REDIRECT_EXEMPT"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = exempt
    for path in ("/healthz", "/healthz/live", "/healthz/ready"):
        assert Client().get(path).status_code in (200, 503), path
    assert Client().get("/metrics").status_code == 404  # no token: not a redirect either
    assert Client().get("/login").status_code == 301
