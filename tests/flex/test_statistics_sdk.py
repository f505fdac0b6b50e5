"""Statistics and CumulativeStatistics of the workspace, its queues, workflows and workers, read
by the official client at Twilio's paths: the cumulative numbers count what happened in the
window (one task accepted and completed, one rejected then canceled)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from twilio.rest import Client

from tests.flex.conftest import refusal

pytestmark = pytest.mark.django_db(transaction=True)


def by_name(items: list[Any]) -> dict[str, Any]:
    return {item.friendly_name: item for item in items}


@pytest.fixture
def busy(client: Client) -> Any:
    """A workspace where Ada accepted and completed one task, and rejected another that was
    then canceled; Bo stays offline."""
    ws = client.taskrouter.v1.workspaces(client.taskrouter.v1.workspaces.create(friendly_name="W").sid)
    activities = by_name(ws.activities.list())
    ada = ws.workers.create(friendly_name="Ada", activity_sid=activities["Available"].sid)
    ws.workers.create(friendly_name="Bo")
    done = ws.tasks.create(attributes="{}")
    (offer,) = ws.tasks(done.sid).reservations.list()
    ws.tasks(done.sid).reservations(offer.sid).update(reservation_status="accepted")
    ws.tasks(done.sid).reservations(offer.sid).update(reservation_status="completed")
    dropped = ws.tasks.create(attributes="{}")
    (offer,) = ws.tasks(dropped.sid).reservations.list()
    ws.tasks(dropped.sid).reservations(offer.sid).update(reservation_status="rejected")
    ws.tasks(dropped.sid).update(assignment_status="canceled", reason="caller hung up")
    ws.ada = ada  # type: ignore[attr-defined]
    return ws


def test_workspace_cumulative_statistics_count_the_windows_tasks_and_reservations(busy: Any) -> None:
    stats = busy.cumulative_statistics().fetch(minutes=60)
    assert (stats.tasks_created, stats.tasks_completed, stats.tasks_canceled) == (2, 1, 1)
    assert (stats.reservations_created, stats.reservations_accepted, stats.reservations_rejected) == (2, 1, 1)
    assert stats.reservations_timed_out == 0 and stats.workspace_sid == busy._solution["sid"]
    assert stats.wait_duration_until_accepted["total"] >= 0 and stats.avg_task_acceptance_time is not None
    assert stats.end_time - stats.start_time == dt.timedelta(minutes=60)
    # A window before anything happened counts nothing.
    before = busy.cumulative_statistics().fetch(
        start_date=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), end_date=dt.datetime(2020, 1, 2, tzinfo=dt.UTC)
    )
    assert (before.tasks_created, before.reservations_created) == (0, 0)
    both = busy.statistics().fetch()
    assert both.cumulative["tasks_created"] == 2 and both.realtime["total_workers"] == 2
    assert both.realtime["tasks_by_status"]["completed"] == 1


def test_queue_and_workflow_statistics(busy: Any) -> None:
    queue = busy.task_queues.list()[0]
    cumulative = busy.task_queues(queue.sid).cumulative_statistics().fetch()
    assert (cumulative.tasks_entered, cumulative.tasks_completed, cumulative.reservations_accepted) == (
        2,
        1,
        1,
    )
    assert (
        cumulative.task_queue_sid == queue.sid and "avg" in cumulative.wait_duration_in_queue_until_accepted
    )
    stats = busy.task_queues(queue.sid).statistics().fetch()
    assert stats.realtime["total_eligible_workers"] == 2 and stats.cumulative["tasks_canceled"] == 1
    (listed,) = busy.task_queues.statistics.list()
    assert listed.task_queue_sid == queue.sid and listed.cumulative["tasks_entered"] == 2
    flow = busy.workflows.list()[0]
    flow_cumulative = busy.workflows(flow.sid).cumulative_statistics().fetch()
    assert (flow_cumulative.tasks_entered, flow_cumulative.tasks_completed) == (2, 1)
    flow_stats = busy.workflows(flow.sid).statistics().fetch()
    assert flow_stats.workflow_sid == flow.sid and flow_stats.realtime["total_tasks"] == 2


def test_worker_statistics(busy: Any) -> None:
    workers = busy.workers.cumulative_statistics().fetch()
    assert (workers.reservations_created, workers.reservations_accepted, workers.reservations_rejected) == (
        2,
        1,
        1,
    )
    durations = {a["friendly_name"]: a for a in workers.activity_durations}
    assert durations["Available"]["total"] >= 0 and durations["Offline"]["max"] >= 0
    stats = busy.workers.statistics().fetch()
    assert stats.realtime["total_workers"] == 2 and stats.cumulative["reservations_accepted"] == 1
    ada = busy.workers(busy.ada.sid).statistics().fetch()
    assert ada.worker_sid == busy.ada.sid and ada.cumulative["reservations_created"] == 2


def test_a_bad_window_and_an_unknown_queue_are_refused(busy: Any) -> None:
    assert refusal(lambda: busy.cumulative_statistics().fetch(minutes="soon")) == "HTTP 400 code 20001"  # type: ignore[arg-type]
    assert refusal(lambda: busy.task_queues("WQ" + "0" * 32).statistics().fetch()) == "HTTP 404 code 20404"
