"""Console API account isolation: a user of another account gets 404 on every flow endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from tests.studio.console import console_user, send
from tests.studio.flowdefs import make_flow, message_flow

pytestmark = pytest.mark.django_db


def endpoints(sid: str) -> list[tuple[str, str, Any]]:
    return [
        ("get", f"/api/console/flows/{sid}", None),
        ("patch", f"/api/console/flows/{sid}", {"friendly_name": "x"}),
        ("delete", f"/api/console/flows/{sid}", None),
        ("post", f"/api/console/flows/{sid}/duplicate", {}),
        ("get", f"/api/console/flows/{sid}/revisions", None),
        (
            "post",
            f"/api/console/flows/{sid}/revisions",
            {"definition": message_flow("x"), "expected_revision": 1},
        ),
        ("get", f"/api/console/flows/{sid}/revisions/1", None),
        ("post", f"/api/console/flows/{sid}/publish", {"expected_revision": 1}),
        ("post", f"/api/console/flows/{sid}/restore", {"revision": 1, "expected_revision": 1}),
        ("get", f"/api/console/flows/{sid}/diff?from=1&to=1", None),
    ]


@pytest.mark.parametrize("index", range(10))
def test_it_answers_404_to_another_accounts_user(
    alice: Any, bob: Any, django_user_model: Any, index: int
) -> None:
    flow = make_flow(alice)
    bobs_user = console_user(bob, django_user_model, "bob", "owner")
    method, path, body = endpoints(flow.sid)[index]
    response = bobs_user.get(path) if method == "get" else send(bobs_user, method, path, body)
    assert response.status_code == 404
    assert response.json()["code"] == 20404
    flow.refresh_from_db()
    assert flow.revision == 1 and flow.friendly_name == "Support"


def test_it_lists_only_the_users_account_flows(alice: Any, bob: Any, django_user_model: Any) -> None:
    make_flow(alice)
    bobs_user = console_user(bob, django_user_model, "bob", "owner")
    assert bobs_user.get("/api/console/flows").json() == {"flows": []}


def test_it_picks_the_account_with_the_x_account_sid_header(
    alice: Any, bob: Any, django_user_model: Any
) -> None:
    from accounts.models import Membership

    client = console_user(alice, django_user_model, "both", "viewer")
    Membership.objects.create(user=client.user, account=bob, role="owner")
    make_flow(bob, "Bob's")
    assert client.get("/api/console/flows").json()["flows"] == []
    flows = client.get("/api/console/flows", HTTP_X_ACCOUNT_SID=bob.sid).json()["flows"]
    assert [f["friendly_name"] for f in flows] == ["Bob's"]
    assert client.get("/api/console/me", HTTP_X_ACCOUNT_SID=bob.sid).json()["role"] == "owner"


def test_it_refuses_an_account_the_user_is_not_a_member_of(
    alice: Any, bob: Any, django_user_model: Any
) -> None:
    client = console_user(alice, django_user_model, "ann", "owner")
    response = client.get("/api/console/flows", HTTP_X_ACCOUNT_SID=bob.sid)
    assert response.status_code == 403


def test_it_does_not_accept_api_credentials_on_the_console_api(api: Any) -> None:
    assert api.get("/api/console/flows").status_code in (401, 403)
