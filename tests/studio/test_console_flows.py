"""Console JSON API (studio/CONSOLE_API.md): flows, revisions, publish, restore, stale saves."""

from __future__ import annotations

from typing import Any

import pytest

from studio.models import Flow
from tests.studio.console import console_user, post, send
from tests.studio.flowdefs import broken_flow, make_flow, message_flow

pytestmark = pytest.mark.django_db

SUMMARY_KEYS = {
    "sid",
    "friendly_name",
    "status",
    "revision",
    "published_revision",
    "valid",
    "date_created",
    "date_updated",
    "widget_count",
}
DETAIL_KEYS = SUMMARY_KEYS | {
    "definition",
    "errors",
    "warnings",
    "commit_message",
    "webhook_url",
    "test_users",
}


def test_it_tells_the_canvas_who_is_signed_in(console: Any) -> None:
    assert console.get("/api/console/me").json() == {
        "username": "alice",
        "account_sid": console.account.sid,
        "account_name": "Alice's account",
        "role": "owner",
    }


def test_it_serves_the_widget_catalogue(console: Any) -> None:
    entries = console.get("/api/console/widgets").json()["widgets"]
    by_type = {w["type"]: w for w in entries}
    assert "send-message" in by_type and "trigger" in by_type
    assert {"type", "family", "label", "properties", "events", "defaults"} <= set(by_type["send-message"])


def test_it_creates_a_blank_flow_with_only_the_trigger(console: Any) -> None:
    response = post(console, "/api/console/flows", {"friendly_name": "Blank"})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == DETAIL_KEYS
    assert body["revision"] == 1 and body["status"] == "draft" and body["published_revision"] is None
    assert [s["type"] for s in body["definition"]["states"]] == ["trigger"]
    assert body["valid"] is True and body["widget_count"] == 1
    assert body["webhook_url"].endswith(f"/v1/Accounts/{console.account.sid}/Flows/{body['sid']}")


def test_it_creates_a_flow_from_a_definition(console: Any) -> None:
    body = post(console, "/api/console/flows", {"friendly_name": "F", "definition": message_flow()}).json()
    assert body["definition"] == message_flow() and body["widget_count"] == 2


def test_it_requires_a_friendly_name(console: Any) -> None:
    response = post(console, "/api/console/flows", {})
    assert response.status_code == 400 and response.json()["code"] == 20001


def test_it_refuses_writes_without_the_csrf_token(console: Any) -> None:
    response = post(console, "/api/console/flows", {"friendly_name": "x"}, token=False)
    assert response.status_code == 403
    assert Flow.objects.count() == 0


def test_it_lists_flow_summaries_and_searches_by_name(console: Any) -> None:
    make_flow(console.account, "Support line")
    make_flow(console.account, "Sales")
    flows = console.get("/api/console/flows").json()["flows"]
    assert {f["friendly_name"] for f in flows} == {"Support line", "Sales"}
    assert all(set(f) == SUMMARY_KEYS for f in flows)
    found = console.get("/api/console/flows?search=support").json()["flows"]
    assert [f["friendly_name"] for f in found] == ["Support line"]


def test_it_fetches_a_flow_detail(console: Any) -> None:
    flow = make_flow(console.account)
    body = console.get(f"/api/console/flows/{flow.sid}").json()
    assert set(body) == DETAIL_KEYS and body["definition"] == message_flow()
    assert body["published_revision"] == 1


def test_it_saves_a_revision_based_on_the_latest(console: Any) -> None:
    flow = make_flow(console.account)
    response = post(
        console,
        f"/api/console/flows/{flow.sid}/revisions",
        {"definition": message_flow("v2"), "expected_revision": 1, "commit_message": "wording"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["revision"] == 2 and body["status"] == "draft" and body["commit_message"] == "wording"
    assert body["published_revision"] == 1


def test_it_refuses_a_stale_save_with_409_and_the_current_flow(console: Any) -> None:
    flow = make_flow(console.account)
    post(
        console,
        f"/api/console/flows/{flow.sid}/revisions",
        {"definition": message_flow("a"), "expected_revision": 1},
    )
    response = post(
        console,
        f"/api/console/flows/{flow.sid}/revisions",
        {"definition": message_flow("b"), "expected_revision": 1},
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == 20409
    assert body["details"]["current_revision"] == 2
    assert body["details"]["flow"]["definition"] == message_flow("a")
    flow.refresh_from_db()
    assert flow.revision == 2


def test_it_requires_expected_revision_to_save(console: Any) -> None:
    flow = make_flow(console.account)
    response = post(console, f"/api/console/flows/{flow.sid}/revisions", {"definition": message_flow()})
    assert response.status_code == 400 and "expected_revision" in response.json()["message"]


def test_it_saves_an_invalid_draft_with_its_errors(console: Any) -> None:
    flow = make_flow(console.account)
    response = post(
        console,
        f"/api/console/flows/{flow.sid}/revisions",
        {"definition": broken_flow(), "expected_revision": 1},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["valid"] is False and body["errors"][0]["property_path"].startswith("#/states/0")
    assert console.get("/api/console/flows").json()["flows"][0]["valid"] is False


def test_it_refuses_to_save_an_invalid_definition_as_published(console: Any) -> None:
    flow = make_flow(console.account)
    response = post(
        console,
        f"/api/console/flows/{flow.sid}/revisions",
        {"definition": broken_flow(), "expected_revision": 1, "status": "published"},
    )
    assert response.status_code == 400 and response.json()["code"] == 81022
    assert response.json()["details"]["errors"]


def test_it_publishes_the_latest_revision_as_a_new_revision(console: Any) -> None:
    flow = make_flow(console.account, status="draft")
    response = post(console, f"/api/console/flows/{flow.sid}/publish", {"expected_revision": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["revision"] == 2 and body["status"] == "published" and body["published_revision"] == 2
    flow.refresh_from_db()
    assert flow.latest_published().definition == message_flow()


def test_it_refuses_to_publish_an_invalid_latest_revision(console: Any) -> None:
    flow = make_flow(console.account)
    post(
        console,
        f"/api/console/flows/{flow.sid}/revisions",
        {"definition": broken_flow(), "expected_revision": 1},
    )
    response = post(console, f"/api/console/flows/{flow.sid}/publish", {"expected_revision": 2})
    assert response.status_code == 400 and response.json()["code"] == 81022


def test_it_refuses_a_stale_publish(console: Any) -> None:
    flow = make_flow(console.account)
    response = post(console, f"/api/console/flows/{flow.sid}/publish", {"expected_revision": 0})
    assert response.status_code == 409 and response.json()["details"]["current_revision"] == 1


def test_it_lists_revisions_newest_first_with_their_author(console: Any) -> None:
    flow = make_flow(console.account)
    post(
        console,
        f"/api/console/flows/{flow.sid}/revisions",
        {"definition": message_flow("2"), "expected_revision": 1},
    )
    revisions = console.get(f"/api/console/flows/{flow.sid}/revisions").json()["revisions"]
    assert [(r["revision"], r["status"], r["author"]) for r in revisions] == [
        (2, "draft", "alice"),
        (1, "published", None),
    ]
    assert set(revisions[0]) == {"revision", "status", "commit_message", "author", "valid", "date_created"}


def test_it_fetches_one_revision_with_its_definition(console: Any) -> None:
    flow = make_flow(console.account)
    body = console.get(f"/api/console/flows/{flow.sid}/revisions/1").json()
    assert body["definition"] == message_flow() and body["errors"] == [] and body["warnings"] == []
    assert console.get(f"/api/console/flows/{flow.sid}/revisions/5").status_code == 404


def test_it_restores_an_old_revision_as_a_new_draft(console: Any) -> None:
    flow = make_flow(console.account, definition=message_flow("v1"))
    post(
        console,
        f"/api/console/flows/{flow.sid}/revisions",
        {"definition": message_flow("v2"), "expected_revision": 1},
    )
    response = post(
        console, f"/api/console/flows/{flow.sid}/restore", {"revision": 1, "expected_revision": 2}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["revision"] == 3 and body["status"] == "draft" and body["definition"] == message_flow("v1")
    stale = post(console, f"/api/console/flows/{flow.sid}/restore", {"revision": 1, "expected_revision": 2})
    assert stale.status_code == 409


def test_it_duplicates_a_flow(console: Any) -> None:
    flow = make_flow(console.account, "Support")
    response = post(console, f"/api/console/flows/{flow.sid}/duplicate", {})
    assert response.status_code == 201
    body = response.json()
    assert body["sid"] != flow.sid and body["friendly_name"] == "Copy of Support"
    assert body["definition"] == message_flow() and body["revision"] == 1 and body["status"] == "draft"
    named = post(console, f"/api/console/flows/{flow.sid}/duplicate", {"friendly_name": "Twin"}).json()
    assert named["friendly_name"] == "Twin"


def test_it_renames_and_sets_test_users_without_a_new_revision(console: Any) -> None:
    flow = make_flow(console.account)
    response = send(
        console,
        "patch",
        f"/api/console/flows/{flow.sid}",
        {"friendly_name": "New", "test_users": ["+1555", "+1555"]},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["friendly_name"] == "New" and body["test_users"] == ["+1555"] and body["revision"] == 1


def test_it_deletes_a_flow(console: Any) -> None:
    flow = make_flow(console.account)
    assert send(console, "delete", f"/api/console/flows/{flow.sid}").status_code == 204
    assert not Flow.objects.filter(pk=flow.pk).exists()


def test_it_validates_a_definition_without_saving(console: Any) -> None:
    good = post(console, "/api/console/validate", {"definition": message_flow()}).json()
    assert good["valid"] is True and good["errors"] == []
    bad = post(console, "/api/console/validate", {"definition": broken_flow()}).json()
    assert bad["valid"] is False and bad["errors"][0]["property_path"] == "#/states/0/transitions/0/event"


def test_it_lets_a_viewer_read_but_not_write(alice: Any, django_user_model: Any) -> None:
    viewer = console_user(alice, django_user_model, "vic", "viewer")
    flow = make_flow(alice)
    assert viewer.get(f"/api/console/flows/{flow.sid}").status_code == 200
    assert viewer.get("/api/console/flows").status_code == 200
    writes = [
        ("post", "/api/console/flows", {"friendly_name": "x"}),
        (
            "post",
            f"/api/console/flows/{flow.sid}/revisions",
            {"definition": message_flow(), "expected_revision": 1},
        ),
        ("post", f"/api/console/flows/{flow.sid}/publish", {"expected_revision": 1}),
        ("post", f"/api/console/flows/{flow.sid}/restore", {"revision": 1, "expected_revision": 1}),
        ("post", f"/api/console/flows/{flow.sid}/duplicate", {}),
        ("patch", f"/api/console/flows/{flow.sid}", {"friendly_name": "x"}),
        ("delete", f"/api/console/flows/{flow.sid}", None),
    ]
    for method, path, body in writes:
        response = send(viewer, method, path, body)
        assert response.status_code == 403, (method, path)
        assert response.json()["code"] == 20403
    flow.refresh_from_db()
    assert flow.revision == 1 and Flow.objects.count() == 1


def test_it_lets_an_editor_write(alice: Any, django_user_model: Any) -> None:
    editor = console_user(alice, django_user_model, "ed", "editor")
    assert post(editor, "/api/console/flows", {"friendly_name": "x"}).status_code == 201


def test_it_refuses_anonymous_visitors(db: None) -> None:
    from django.test import Client

    response = Client().get("/api/console/flows")
    assert response.status_code in (401, 403)
