"""Account isolation on every Studio v2 endpoint: another account's flow is a 404, never the flow."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from studio.models import Flow
from tests.studio.flowdefs import as_json, make_flow, message_flow

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


def endpoints(sid: str) -> list[tuple[str, str, dict[str, Any]]]:
    update = {"Status": "published", "Definition": as_json(message_flow("hijacked"))}
    return [
        ("get", f"/v2/Flows/{sid}", {}),
        ("post", f"/v2/Flows/{sid}", update),
        ("delete", f"/v2/Flows/{sid}", {}),
        ("get", f"/v2/Flows/{sid}/Revisions", {}),
        ("get", f"/v2/Flows/{sid}/Revisions/1", {}),
        ("get", f"/v2/Flows/{sid}/Revisions/LatestPublished", {}),
        ("get", f"/v2/Flows/{sid}/Revisions/LatestRevision", {}),
        ("get", f"/v2/Flows/{sid}/TestUsers", {}),
        ("post", f"/v2/Flows/{sid}/TestUsers", {"TestUsers": "+15550001"}),
    ]


@pytest.mark.parametrize("index", range(9))
def test_it_answers_404_to_bob_for_each_of_alices_flow_endpoints(
    alice: Any, bob_api: Any, index: int
) -> None:
    flow = make_flow(alice)
    method, path, data = endpoints(flow.sid)[index]
    if method == "post":
        response = bob_api.post(path, urlencode(data, doseq=True), content_type=FORM)
    else:
        response = getattr(bob_api, method)(path)
    assert response.status_code == 404
    assert response.json()["code"] == 20404
    flow.refresh_from_db()
    assert flow.revision == 1 and flow.test_users == []


def test_it_does_not_list_alices_flows_to_bob(alice: Any, bob_api: Any) -> None:
    make_flow(alice)
    assert bob_api.get("/v2/Flows").json()["flows"] == []


def test_it_creates_bobs_flows_in_bobs_account(alice: Any, bob_api: Any) -> None:
    data = {"FriendlyName": "Bob's", "Status": "draft", "Definition": as_json(message_flow())}
    sid = bob_api.post("/v2/Flows", urlencode(data), content_type=FORM).json()["sid"]
    assert Flow.objects.get(sid=sid).account == bob_api.account


def test_it_refuses_anonymous_callers_with_401(alice: Any) -> None:
    from rest_framework.test import APIClient

    flow = make_flow(alice)
    assert APIClient().get(f"/v2/Flows/{flow.sid}").status_code == 401
