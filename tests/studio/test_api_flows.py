"""Studio v2 REST API: /v2/Flows create, list, fetch, update, delete (spec §6.2, §6.3)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest

from studio.models import Flow, FlowRevision
from tests.studio.flowdefs import as_json, broken_flow, make_flow, message_flow

pytestmark = pytest.mark.django_db

SID = re.compile(r"^FW[0-9a-f]{32}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
BASE = "http://127.0.0.1:8000"


def form(client: Any, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")


def create(client: Any, **overrides: Any) -> Any:
    data = {"FriendlyName": "Support", "Status": "published", "Definition": as_json(message_flow())}
    data.update(overrides)
    return form(client, "/v2/Flows", {k: v for k, v in data.items() if v is not None})


@pytest.fixture(autouse=True)
def public_base_url(settings: Any) -> None:
    settings.PUBLIC_BASE_URL = BASE


def test_it_creates_a_flow_and_answers_201_with_every_flow_field(api: Any) -> None:
    response = create(api, CommitMessage="first")
    assert response.status_code == 201
    body = response.json()
    sid = body["sid"]
    assert SID.match(sid)
    assert body == {
        "sid": sid,
        "account_sid": api.account.sid,
        "author_sid": None,
        "friendly_name": "Support",
        "definition": message_flow(),
        "status": "published",
        "revision": 1,
        "commit_message": "first",
        "valid": True,
        "errors": [],
        "warnings": [],
        "date_created": body["date_created"],
        "date_updated": body["date_updated"],
        "webhook_url": f"{BASE}/v1/Accounts/{api.account.sid}/Flows/{sid}",
        "url": f"{BASE}/v2/Flows/{sid}",
        "links": {
            "test_users": f"{BASE}/v2/Flows/{sid}/TestUsers",
            "revisions": f"{BASE}/v2/Flows/{sid}/Revisions",
            "executions": f"{BASE}/v2/Flows/{sid}/Executions",
        },
    }
    assert TIMESTAMP.match(body["date_created"]) and TIMESTAMP.match(body["date_updated"])


def test_it_stores_the_first_save_as_revision_1(api: Any) -> None:
    sid = create(api, Status="draft").json()["sid"]
    flow = Flow.objects.get(sid=sid)
    assert [(r.revision, r.status) for r in flow.revisions.all()] == [(1, "draft")]
    assert flow.published_revision is None


def test_it_accepts_a_json_body_with_the_definition_as_an_object(api: Any) -> None:
    response = api.post(
        "/v2/Flows",
        {"FriendlyName": "JSON", "Status": "draft", "Definition": message_flow()},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["definition"] == message_flow()


@pytest.mark.parametrize("missing", ["FriendlyName", "Status", "Definition"])
def test_it_refuses_a_create_without_a_required_parameter(api: Any, missing: str) -> None:
    response = create(api, **{missing: None})
    assert response.status_code == 400
    assert response.json() == {
        "code": 20001,
        "message": f"Missing required parameter {missing} in the post body",
        "more_info": "https://www.twilio.com/docs/errors/20001",
        "status": 400,
    }


def test_it_refuses_an_unknown_status(api: Any) -> None:
    response = create(api, Status="live")
    assert response.status_code == 400 and response.json()["code"] == 20001


def test_it_refuses_a_definition_that_is_not_json(api: Any) -> None:
    response = create(api, Definition="{not json")
    assert response.status_code == 400 and response.json()["code"] == 20001


def test_it_refuses_an_invalid_definition_with_81022_and_the_errors(api: Any) -> None:
    response = create(api, Definition=as_json(broken_flow()))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 81022
    assert body["message"] == "Flow definition validation failed"
    errors = body["details"]["errors"]
    assert errors and all({"message", "property_path"} <= set(e) for e in errors)
    assert any(e["property_path"].startswith("#/states/0/transitions") for e in errors)
    assert Flow.objects.count() == 0


def test_it_lists_flows_oldest_first_with_null_definitions(api: Any) -> None:
    first = make_flow(api.account, "First")
    second = make_flow(api.account, "Second")
    body = api.get("/v2/Flows").json()
    assert [f["sid"] for f in body["flows"]] == [first.sid, second.sid]
    for item in body["flows"]:
        assert item["definition"] is None and item["valid"] is None
        assert item["errors"] is None and item["warnings"] is None
        assert item["revision"] == 1 and item["status"] == "published"
    assert body["meta"]["key"] == "flows"
    assert body["meta"]["url"] == f"{BASE}/v2/Flows?PageSize=50&Page=0"


def test_it_pages_the_flow_list_with_a_page_token(api: Any) -> None:
    flows = [make_flow(api.account, f"Flow {i}") for i in range(5)]
    seen: list[str] = []
    url = "/v2/Flows?PageSize=2"
    pages = 0
    while url:
        body = api.get(url.replace(BASE, "")).json()
        seen += [f["sid"] for f in body["flows"]]
        url = body["meta"]["next_page_url"]
        pages += 1
    assert seen == [f.sid for f in flows]
    assert pages == 3


def test_it_fetches_a_flow_with_its_latest_definition(api: Any) -> None:
    flow = make_flow(api.account)
    body = api.get(f"/v2/Flows/{flow.sid}").json()
    assert body["sid"] == flow.sid and body["definition"] == message_flow() and body["valid"] is True


def test_it_updates_a_flow_as_a_new_revision(api: Any) -> None:
    flow = make_flow(api.account)
    response = form(
        api,
        f"/v2/Flows/{flow.sid}",
        {
            "Status": "draft",
            "Definition": as_json(message_flow("Bye")),
            "CommitMessage": "bye",
            "FriendlyName": "Bye",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["revision"] == 2 and body["status"] == "draft" and body["commit_message"] == "bye"
    assert body["friendly_name"] == "Bye"
    assert body["definition"]["states"][1]["properties"]["body"] == "Bye"
    flow.refresh_from_db()
    assert flow.published_revision == 1
    assert flow.latest_published().definition == message_flow()


def test_it_keeps_the_definition_when_an_update_only_publishes(api: Any) -> None:
    flow = make_flow(api.account, status="draft", definition=message_flow("v1"))
    response = form(api, f"/v2/Flows/{flow.sid}", {"Status": "published"})
    assert response.status_code == 200
    assert response.json()["revision"] == 2 and response.json()["status"] == "published"
    flow.refresh_from_db()
    assert flow.published_revision == 2
    assert flow.latest_published().definition == message_flow("v1")


def test_it_never_changes_an_existing_revision_on_update(api: Any) -> None:
    flow = make_flow(api.account, definition=message_flow("v1"))
    form(api, f"/v2/Flows/{flow.sid}", {"Status": "published", "Definition": as_json(message_flow("v2"))})
    first = FlowRevision.objects.get(flow=flow, revision=1)
    assert first.definition == message_flow("v1") and first.status == "published"


def test_it_refuses_an_update_without_status(api: Any) -> None:
    flow = make_flow(api.account)
    response = form(api, f"/v2/Flows/{flow.sid}", {"Definition": as_json(message_flow())})
    assert response.status_code == 400
    assert response.json()["message"] == "Missing required parameter Status in the post body"


def test_it_refuses_an_invalid_update_and_keeps_the_revision(api: Any) -> None:
    flow = make_flow(api.account)
    response = form(api, f"/v2/Flows/{flow.sid}", {"Status": "draft", "Definition": as_json(broken_flow())})
    assert response.status_code == 400 and response.json()["code"] == 81022
    flow.refresh_from_db()
    assert flow.revision == 1


def test_it_deletes_a_flow_with_its_revisions(api: Any) -> None:
    flow = make_flow(api.account)
    response = api.delete(f"/v2/Flows/{flow.sid}")
    assert response.status_code == 204
    assert not Flow.objects.filter(pk=flow.pk).exists()
    assert not FlowRevision.objects.filter(flow_id=flow.pk).exists()


def test_it_answers_404_20404_for_an_unknown_flow(api: Any) -> None:
    response = api.get("/v2/Flows/FW" + "0" * 32)
    assert response.status_code == 404
    assert response.json()["code"] == 20404
    assert response.json()["message"] == f"The requested resource /Flows/FW{'0' * 32} was not found"


def test_it_builds_urls_from_the_public_base_url(api: Any, settings: Any) -> None:
    settings.PUBLIC_BASE_URL = "https://studio.example.org"
    flow = make_flow(api.account)
    body = api.get(f"/v2/Flows/{flow.sid}").json()
    assert body["url"] == f"https://studio.example.org/v2/Flows/{flow.sid}"
    assert body["webhook_url"] == f"https://studio.example.org/v1/Accounts/{api.account.sid}/Flows/{flow.sid}"
