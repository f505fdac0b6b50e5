"""Studio v2 REST API: Revisions, TestUsers and Validate."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from studio import revisions
from tests.studio.flowdefs import as_json, broken_flow, make_flow, message_flow

pytestmark = pytest.mark.django_db
BASE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def public_base_url(settings: Any) -> None:
    settings.PUBLIC_BASE_URL = BASE


def form(client: Any, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")


def three_revisions(account: Any) -> Any:
    flow = make_flow(account, definition=message_flow("v1"))  # 1 published
    revisions.save_revision(flow, definition=message_flow("v2"), status="draft", commit_message="two")
    revisions.save_revision(flow, definition=message_flow("v3"), status="draft", commit_message="three")
    return flow


def test_it_lists_revisions_newest_first_without_definitions(api: Any) -> None:
    flow = three_revisions(api.account)
    body = api.get(f"/v2/Flows/{flow.sid}/Revisions").json()
    assert [r["revision"] for r in body["revisions"]] == [3, 2, 1]
    assert [r["status"] for r in body["revisions"]] == ["draft", "draft", "published"]
    item = body["revisions"][0]
    assert item["definition"] is None and item["valid"] is None and item["errors"] is None
    assert item["url"] == f"{BASE}/v2/Flows/{flow.sid}/Revisions/3"
    assert item["sid"] == flow.sid and item["account_sid"] == api.account.sid
    assert body["meta"]["key"] == "revisions"


def test_it_pages_revisions(api: Any) -> None:
    flow = three_revisions(api.account)
    first = api.get(f"/v2/Flows/{flow.sid}/Revisions?PageSize=2").json()
    assert [r["revision"] for r in first["revisions"]] == [3, 2]
    second = api.get(first["meta"]["next_page_url"].replace(BASE, "")).json()
    assert [r["revision"] for r in second["revisions"]] == [1]
    assert second["meta"]["next_page_url"] is None


def test_it_fetches_a_revision_by_number_with_its_definition(api: Any) -> None:
    flow = three_revisions(api.account)
    body = api.get(f"/v2/Flows/{flow.sid}/Revisions/2").json()
    assert set(body) == {
        "sid",
        "account_sid",
        "author_sid",
        "friendly_name",
        "definition",
        "status",
        "revision",
        "commit_message",
        "valid",
        "errors",
        "date_created",
        "date_updated",
        "url",
    }
    assert body["revision"] == 2 and body["commit_message"] == "two"
    assert body["definition"] == message_flow("v2") and body["valid"] is True and body["errors"] == []


def test_it_resolves_latest_published_and_latest_revision(api: Any) -> None:
    flow = three_revisions(api.account)
    assert api.get(f"/v2/Flows/{flow.sid}/Revisions/LatestPublished").json()["revision"] == 1
    assert api.get(f"/v2/Flows/{flow.sid}/Revisions/LatestRevision").json()["revision"] == 3


def test_it_answers_404_for_latest_published_of_a_never_published_flow(api: Any) -> None:
    flow = make_flow(api.account, status="draft")
    response = api.get(f"/v2/Flows/{flow.sid}/Revisions/LatestPublished")
    assert response.status_code == 404 and response.json()["code"] == 20404


def test_it_answers_404_for_a_revision_that_does_not_exist(api: Any) -> None:
    flow = make_flow(api.account)
    assert api.get(f"/v2/Flows/{flow.sid}/Revisions/9").status_code == 404


def test_it_refuses_a_revision_token_that_is_neither_number_nor_keyword_with_81021(api: Any) -> None:
    flow = make_flow(api.account)
    response = api.get(f"/v2/Flows/{flow.sid}/Revisions/Newest")
    assert response.status_code == 400 and response.json()["code"] == 81021


def test_it_starts_with_no_test_users(api: Any) -> None:
    flow = make_flow(api.account)
    assert api.get(f"/v2/Flows/{flow.sid}/TestUsers").json() == {
        "sid": flow.sid,
        "test_users": [],
        "url": f"{BASE}/v2/Flows/{flow.sid}/TestUsers",
    }


def test_it_replaces_test_users_from_repeated_form_fields(api: Any) -> None:
    flow = make_flow(api.account)
    form(api, f"/v2/Flows/{flow.sid}/TestUsers", {"TestUsers": ["+15550001", "+15550002"]})
    response = form(api, f"/v2/Flows/{flow.sid}/TestUsers", {"TestUsers": ["+15550003", "+15550003"]})
    assert response.status_code == 200
    assert response.json()["test_users"] == ["+15550003"]
    assert api.get(f"/v2/Flows/{flow.sid}/TestUsers").json()["test_users"] == ["+15550003"]


def test_it_clears_test_users_with_one_empty_value(api: Any) -> None:
    flow = make_flow(api.account)
    form(api, f"/v2/Flows/{flow.sid}/TestUsers", {"TestUsers": ["+15550001"]})
    assert form(api, f"/v2/Flows/{flow.sid}/TestUsers", {"TestUsers": ""}).json()["test_users"] == []


def test_it_refuses_a_test_users_update_without_test_users(api: Any) -> None:
    flow = make_flow(api.account)
    response = form(api, f"/v2/Flows/{flow.sid}/TestUsers", {})
    assert response.status_code == 400
    assert response.json()["message"] == "Missing required parameter TestUsers in the post body"


def test_it_runs_test_users_on_the_latest_revision_and_others_on_the_published_one(api: Any) -> None:
    flow = three_revisions(api.account)
    form(api, f"/v2/Flows/{flow.sid}/TestUsers", {"TestUsers": ["+15550001"]})
    flow.refresh_from_db()
    assert flow.revision_for("+15550001").revision == 3
    assert flow.revision_for("+15559999").revision == 1


def test_it_validates_a_good_definition(api: Any) -> None:
    response = form(
        api,
        "/v2/Flows/Validate",
        {"FriendlyName": "x", "Status": "draft", "Definition": as_json(message_flow())},
    )
    assert response.status_code == 200 and response.json() == {"valid": True}


def test_it_reports_an_invalid_definition_with_81022_errors(api: Any) -> None:
    response = form(
        api,
        "/v2/Flows/Validate",
        {"FriendlyName": "x", "Status": "draft", "Definition": as_json(broken_flow())},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 81022
    assert body["details"]["errors"][0]["property_path"].startswith("#/states/0")
    assert "warnings" in body["details"]


def test_it_requires_friendly_name_status_and_definition_to_validate(api: Any) -> None:
    response = form(api, "/v2/Flows/Validate", {"Status": "draft", "Definition": as_json(message_flow())})
    assert response.status_code == 400 and response.json()["code"] == 20001
