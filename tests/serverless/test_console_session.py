"""The console's Functions pages use the Serverless v1 API with the user's session: CSRF enforced,
viewers read only, and the page reaches its pages' URLs."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Membership

pytestmark = pytest.mark.django_db


def csrf(console: Any) -> str:
    console.get("/functions")  # the page sets the CSRF cookie
    return str(console.cookies["csrftoken"].value)


def test_a_signed_in_user_manages_services_with_the_csrf_token(console: Any) -> None:
    assert console.get("/functions").status_code == 200
    refused = console.post("/v1/Services", {"UniqueName": "web", "FriendlyName": "Web"})
    assert refused.status_code == 403  # no CSRF token
    made = console.post(
        "/v1/Services", {"UniqueName": "web", "FriendlyName": "Web"}, HTTP_X_CSRFTOKEN=csrf(console)
    )
    assert made.status_code == 201 and made.json()["account_sid"] == console.account.sid
    listed = console.get("/v1/Services").json()["services"]
    assert [s["unique_name"] for s in listed] == ["web"]
    assert console.get(f"/functions/{made.json()['sid']}").status_code == 200


def test_a_viewer_reads_but_cannot_change(console: Any) -> None:
    Membership.objects.filter(user=console.user).update(role=Membership.Role.VIEWER)
    assert console.get("/v1/Services").status_code == 200
    answer = console.post(
        "/v1/Services", {"UniqueName": "x", "FriendlyName": "X"}, HTTP_X_CSRFTOKEN=csrf(console)
    )
    assert answer.status_code == 403 and answer.json()["code"] == 20403
