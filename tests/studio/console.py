"""Helpers for console API tests: JSON requests with the CSRF token a browser would send."""

from __future__ import annotations

import json
from typing import Any


def csrf(client: Any) -> str:
    """The csrftoken cookie the browser holds (set here directly: Django accepts a 32-char secret)."""
    if "csrftoken" not in client.cookies:
        from django.utils.crypto import get_random_string

        client.cookies["csrftoken"] = get_random_string(32)
    return str(client.cookies["csrftoken"].value)


def send(client: Any, method: str, path: str, body: Any = None, *, token: bool = True) -> Any:
    headers = {"HTTP_X_CSRFTOKEN": csrf(client)} if token else {}
    data = json.dumps(body if body is not None else {})
    return getattr(client, method)(path, data=data, content_type="application/json", **headers)


def post(client: Any, path: str, body: Any = None, **kw: Any) -> Any:
    return send(client, "post", path, body, **kw)


def console_user(account: Any, django_user_model: Any, username: str, role: str) -> Any:
    from django.test import Client

    from accounts.models import Membership

    user = django_user_model.objects.create_user(username=username, password="pw")
    Membership.objects.create(user=user, account=account, role=role)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.account = account
    client.user = user
    return client
