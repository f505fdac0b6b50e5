"""The console's executions list: filters, paging, end and delete, stuck executions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from executions.models import Execution, Step, Wait
from tests.executions.factories import survey
from tests.executions.test_console_sim import bob_console, csrf, post, say  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


def listing(client: Any, flow: Any, **query: Any) -> dict[str, Any]:
    response = client.get(f"/api/console/flows/{flow.sid}/executions", query)
    assert response.status_code == 200, response.content
    return dict(response.json())


def sids(body: dict[str, Any]) -> list[str]:
    return [e["sid"] for e in body["executions"]]


def contact(n: int) -> str:
    return f"+1555010{n:04d}"


def test_it_pages_newest_first_through_more_than_a_hundred_executions(
    console: Any, flow_factory: Any
) -> None:
    flow = flow_factory(survey())
    revision = flow.revisions.get()
    made = [
        Execution.objects.create(
            account=flow.account,
            flow=flow,
            revision=revision,
            flow_version=1,
            contact_channel_address=contact(n),
            channel_address="+15550109999",
        ).sid
        for n in range(130)
    ]
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        body = listing(console, flow, page_size=50, **({"page_token": token} if token else {}))
        seen += sids(body)
        pages += 1
        token = body["next_page_token"]
        if token is None:
            break
    assert pages == 3 and seen == made[::-1]
    assert console.get(f"/api/console/flows/{flow.sid}/executions", {"page_size": 500}).status_code == 400
    assert console.get(f"/api/console/flows/{flow.sid}/executions", {"page_token": "x"}).status_code == 400


def test_it_filters_by_status_contact_and_date_range(console: Any, flow_factory: Any) -> None:
    flow = flow_factory(survey())
    old = say(console, flow, "one", frm="+15550100002").json()["execution_sid"]
    say(console, flow, "Bo", frm="+15550100002")
    waiting = say(console, flow, "two", frm="+15550100003").json()["execution_sid"]
    Execution.objects.filter(sid=old).update(date_created=timezone.now() - dt.timedelta(days=3))
    assert sids(listing(console, flow, status="active")) == [waiting]
    assert sids(listing(console, flow, status="ended")) == [old]
    assert sids(listing(console, flow, contact="0100002")) == [old]
    yesterday = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert sids(listing(console, flow, since=yesterday)) == [waiting]
    assert sids(listing(console, flow, until=yesterday)) == [old]
    two_days_ago = (timezone.now() - dt.timedelta(days=4)).date().isoformat()
    assert sids(listing(console, flow, since=two_days_ago, until=yesterday)) == [old]
    assert console.get(f"/api/console/flows/{flow.sid}/executions", {"since": "soon"}).status_code == 400


def test_it_flags_executions_idle_without_a_timer_and_those_past_their_timer(
    console: Any, flow_factory: Any
) -> None:
    flow = flow_factory(survey())
    idle = say(console, flow, "a", frm="+15550100002").json()["execution_sid"]
    fresh = say(console, flow, "b", frm="+15550100003").json()["execution_sid"]
    overdue = say(console, flow, "c", frm="+15550100004").json()["execution_sid"]
    # Waiting with no timer, as a voice widget waits for its action callback.
    Wait.objects.filter(execution__sid__in=[idle, fresh]).delete()
    two_hours_ago = timezone.now() - dt.timedelta(hours=2)
    Execution.objects.filter(sid=idle).update(date_updated=two_hours_ago)
    Wait.objects.filter(execution__sid=overdue).update(fire_at=timezone.now() - dt.timedelta(minutes=10))
    body = listing(console, flow)
    flags = {e["sid"]: (e["stuck"], e["stuck_reason"]) for e in body["executions"]}
    assert flags == {idle: (True, "idle"), fresh: (False, None), overdue: (True, "timer_overdue")}
    assert body["stuck_after"] == 3600
    assert sorted(sids(listing(console, flow, stuck="true"))) == sorted([idle, overdue])
    # A shorter threshold catches the fresh one too; an armed timer in the future never is stuck.
    Execution.objects.filter(sid=fresh).update(date_updated=timezone.now() - dt.timedelta(seconds=120))
    assert fresh in sids(listing(console, flow, stuck="1", stuck_after=60))
    Wait.objects.create(
        execution=Execution.objects.get(sid=fresh),
        widget="ask",
        token="u",
        fire_at=timezone.now() + dt.timedelta(hours=1),
    )
    assert fresh not in sids(listing(console, flow, stuck="1", stuck_after=60))


def test_it_ends_one_execution_or_many_and_deletes_one_with_its_steps(
    console: Any, flow_factory: Any
) -> None:
    flow = flow_factory(survey())
    a = say(console, flow, "a", frm="+15550100002").json()["execution_sid"]
    b = say(console, flow, "b", frm="+15550100003").json()["execution_sid"]
    c = say(console, flow, "c", frm="+15550100004").json()["execution_sid"]
    ended = post(console, f"/api/console/executions/{a}/end", {})
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert Execution.objects.get(sid=a).status == "ended"
    again = post(console, f"/api/console/executions/{a}/end", {})
    assert (again.status_code, again.json()["code"]) == (409, 20409)
    bulk = post(console, f"/api/console/flows/{flow.sid}/executions/end", {"sids": [a, b, c, "FNnope"]})
    assert bulk.json() == {"ended": [b, c], "not_found": ["FNnope"]}
    assert set(Execution.objects.values_list("status", flat=True)) == {"ended"}
    assert Step.objects.filter(execution__sid=a).exists()
    deleted = console.delete(f"/api/console/executions/{a}", HTTP_X_CSRFTOKEN=csrf(console))
    assert deleted.status_code == 204
    assert not Execution.objects.filter(sid=a).exists() and not Step.objects.filter(execution__sid=a).exists()
    assert console.get(f"/api/console/executions/{a}").status_code == 404


def test_it_keeps_other_accounts_from_ending_or_deleting(
    console: Any,
    bob_console: Any,  # noqa: F811 - the fixture imported above
    flow_factory: Any,
) -> None:
    flow = flow_factory(survey())
    sid = say(console, flow, "a").json()["execution_sid"]
    assert post(bob_console, f"/api/console/executions/{sid}/end", {}).status_code == 404
    assert (
        bob_console.delete(f"/api/console/executions/{sid}", HTTP_X_CSRFTOKEN=csrf(bob_console)).status_code
        == 404
    )
    bulk = post(bob_console, f"/api/console/flows/{flow.sid}/executions/end", {"sids": [sid]})
    assert bulk.status_code == 404
    assert console.delete(f"/api/console/executions/{sid}").status_code == 403  # no CSRF token
    assert Execution.objects.get(sid=sid).status == "active"
    assert (
        json.loads(post(console, f"/api/console/flows/{flow.sid}/executions/end", {}).content)["code"]
        == 20001
    )
