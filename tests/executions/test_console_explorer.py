"""The executions explorer: the account's executions across flows, each filter, bulk end and
delete with role checks, and an execution's trace (what each step exchanged and raised)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Membership
from executions.models import Execution, Step, Wait
from tests.executions.factories import survey
from tests.executions.test_console_sim import bob_console, csrf, post, say  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


def found(client: Any, **query: Any) -> list[str]:
    response = client.get("/api/console/executions", query)
    assert response.status_code == 200, response.content
    return [e["sid"] for e in response.json()["executions"]]


@pytest.fixture
def two_flows(console: Any, flow_factory: Any) -> dict[str, Any]:
    """Flow one: a (waiting at ask), b (ended, 3 days old, revision 2). Flow two: c (waiting)."""
    one, two = flow_factory(survey(), name="One"), flow_factory(survey(), name="Two")
    a = say(console, one, "a", frm="+15550100002").json()["execution_sid"]
    b = say(console, one, "b", frm="+15550100003").json()["execution_sid"]
    say(console, one, "Bea", frm="+15550100003")
    c = say(console, two, "c", frm="+15550100004").json()["execution_sid"]
    Execution.objects.filter(sid=b).update(date_created=timezone.now() - dt.timedelta(days=3), flow_version=2)
    return {"one": one, "two": two, "a": a, "b": b, "c": c}


def test_it_lists_every_flow_of_the_account_newest_first_with_the_flow_name(
    console: Any, two_flows: dict[str, Any]
) -> None:
    body = console.get("/api/console/executions").json()
    assert [e["sid"] for e in body["executions"]] == [two_flows["c"], two_flows["b"], two_flows["a"]]
    assert {e["flow_name"] for e in body["executions"]} == {"One", "Two"}


def test_it_filters_by_flow(console: Any, two_flows: dict[str, Any]) -> None:
    assert found(console, flow=two_flows["two"].sid) == [two_flows["c"]]
    assert console.get("/api/console/executions", {"flow": "FW" + "0" * 32}).status_code == 404


def test_it_filters_by_flow_revision_only_within_a_flow(console: Any, two_flows: dict[str, Any]) -> None:
    assert found(console, flow=two_flows["one"].sid, revision=2) == [two_flows["b"]]
    assert found(console, flow=two_flows["one"].sid, revision=1) == [two_flows["a"]]
    assert console.get("/api/console/executions", {"revision": 2}).status_code == 400


def test_it_filters_by_the_widget_an_execution_waits_at(console: Any, two_flows: dict[str, Any]) -> None:
    assert found(console, widget="ask") == [two_flows["c"], two_flows["a"]]
    assert found(console, widget="thanks") == []


def test_it_filters_by_status(console: Any, two_flows: dict[str, Any]) -> None:
    assert found(console, status="ended") == [two_flows["b"]]
    assert found(console, status="active") == [two_flows["c"], two_flows["a"]]
    assert console.get("/api/console/executions", {"status": "asleep"}).status_code == 400


def test_it_filters_by_date_range(console: Any, two_flows: dict[str, Any]) -> None:
    yesterday = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert found(console, until=yesterday) == [two_flows["b"]]
    assert found(console, since=yesterday) == [two_flows["c"], two_flows["a"]]


def test_it_filters_by_part_of_the_contact(console: Any, two_flows: dict[str, Any]) -> None:
    assert found(console, contact="0100004") == [two_flows["c"]]
    assert found(console, contact="010000") == [two_flows["c"], two_flows["b"], two_flows["a"]]


def test_it_matches_a_whole_address_exactly(console: Any, two_flows: dict[str, Any]) -> None:
    assert found(console, contact="+15550100003") == [two_flows["b"]]
    assert found(console, contact="+1555010000") == []  # a whole number, not a prefix
    assert found(console, contact="+15550100004", flow=two_flows["one"].sid) == []


def test_it_filters_stuck_executions(console: Any, two_flows: dict[str, Any]) -> None:
    Wait.objects.filter(execution__sid=two_flows["a"]).delete()
    Execution.objects.filter(sid=two_flows["a"]).update(date_updated=timezone.now() - dt.timedelta(hours=2))
    assert found(console, stuck="true") == [two_flows["a"]]
    assert found(console, stuck="true", stuck_after=100_000) == []


def test_it_pages_with_a_keyset_token(console: Any, two_flows: dict[str, Any]) -> None:
    first = console.get("/api/console/executions", {"page_size": 2}).json()
    second = console.get("/api/console/executions", {"page_size": 2, "page_token": first["next_page_token"]})
    assert [e["sid"] for e in second.json()["executions"]] == [two_flows["a"]]
    assert second.json()["next_page_token"] is None


def test_it_never_lists_another_accounts_executions(
    bob_console: Any,  # noqa: F811 - the fixture imported above
    two_flows: dict[str, Any],
) -> None:
    assert found(bob_console) == []
    assert bob_console.get("/api/console/executions", {"flow": two_flows["one"].sid}).status_code == 404


def test_it_ends_and_deletes_in_bulk_within_the_account(
    console: Any,
    bob_console: Any,  # noqa: F811 - the fixture imported above
    two_flows: dict[str, Any],
) -> None:
    a, b, c = two_flows["a"], two_flows["b"], two_flows["c"]
    refused = post(bob_console, "/api/console/executions/end", {"sids": [a, c]})
    assert refused.json() == {"ended": [], "not_found": [a, c]}
    ended = post(console, "/api/console/executions/end", {"sids": [a, b, c]})
    assert ended.json() == {"ended": [a, c], "not_found": []}
    assert set(Execution.objects.values_list("status", flat=True)) == {"ended"}
    assert post(console, "/api/console/executions/end", {"sids": []}).status_code == 400
    deleted = post(console, "/api/console/executions/delete", {"sids": [a, b, "FNnope"]})
    assert deleted.json() == {"deleted": [a, b], "not_found": ["FNnope"]}
    assert list(Execution.objects.values_list("sid", flat=True)) == [c]
    assert not Step.objects.filter(execution__sid__in=[a, b]).exists()


def test_it_refuses_a_viewer_ending_or_deleting(console: Any, two_flows: dict[str, Any]) -> None:
    Membership.objects.filter(user=console.user).update(role=Membership.Role.VIEWER)
    a = two_flows["a"]
    assert found(console, status="active")  # a viewer reads
    for path in ("/api/console/executions/end", "/api/console/executions/delete"):
        assert post(console, path, {"sids": [a]}).status_code == 403
    assert post(console, f"/api/console/executions/{a}/end", {}).status_code == 403
    assert console.delete(f"/api/console/executions/{a}", HTTP_X_CSRFTOKEN=csrf(console)).status_code == 403
    assert Execution.objects.get(sid=a).status == "active"


def test_it_traces_messages_and_warnings_to_the_step_that_made_them(
    console: Any, two_flows: dict[str, Any]
) -> None:
    b = Execution.objects.get(sid=two_flows["b"])
    b.log = [{"level": "warning", "code": 81018, "message": "odd Liquid", "widget": "thanks", "date": None}]
    b.save(update_fields=["log"])
    body = console.get(f"/api/console/executions/{b.sid}/trace").json()
    into = {s["to"]: s for s in body["steps"]}
    assert [m["body"] for m in into["ask"]["messages"]] == ["Hi b, your name?"]
    assert [m["body"] for m in into["thanks"]["messages"]] == ["Thanks Bea"]
    assert [e["code"] for e in into["thanks"]["log"]] == [81018]
    assert [m["body"] for m in body["messages"]] == ["Hi b, your name?", "Thanks Bea"]
    assert body["flow_name"] == "One" and body["unplaced_log"] == []
    assert console.get("/api/console/executions/FNnope/trace").status_code == 404


def test_it_traces_the_http_answer_at_the_request_step(
    console: Any,
    flow_factory: Any,
    stub: Any,
    allow_local: None,
) -> None:
    from tests.executions.support import start_rest
    from tests.executions.test_http_request import http_flow

    stub.route("/hello", body="hi there", content_type="text/plain; charset=utf-8")
    ex = start_rest(flow_factory(http_flow(url=stub.url("/hello"))))
    steps = console.get(f"/api/console/executions/{ex.sid}/trace").json()["steps"]
    assert [(s["from"], s["http"]) for s in steps] == [
        ("Trigger", None),
        ("http", {"status_code": 200, "content_type": "text/plain; charset=utf-8", "body": "hi there"}),
    ]
