"""Console login, admin and the health check."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_serves_the_login_form_with_username_and_password_fields() -> None:
    response = Client().get("/login")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html and "csrfmiddlewaretoken" in html


def test_it_logs_a_console_user_in_and_lands_on_the_flows_list(alice: Any, django_user_model: Any) -> None:
    from accounts.models import Membership

    user = django_user_model.objects.create_user(username="carol", password="pw-123456")
    Membership.objects.create(user=user, account=alice, role="owner")
    client = Client()
    response = client.post("/login", {"username": "carol", "password": "pw-123456"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_it_rejects_a_wrong_console_password(django_user_model: Any) -> None:
    django_user_model.objects.create_user(username="dave", password="right")
    response = Client().post("/login", {"username": "dave", "password": "wrong"})
    assert response.status_code == 200
    assert b"didn't match" in response.content


def test_it_redirects_anonymous_visitors_of_the_console_to_login() -> None:
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login")


def test_it_serves_the_admin_login() -> None:
    assert Client().get("/admin/login/").status_code == 200


def test_it_reports_healthy_when_the_database_answers() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_it_reports_503_and_the_failing_part_when_redis_is_down(settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["redis"]


def test_it_reports_503_when_the_database_is_down() -> None:
    with mock.patch("accounts.views.connection") as conn:
        conn.cursor.side_effect = RuntimeError("db down")
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
