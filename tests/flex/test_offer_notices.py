"""Every reservation offered to a worker is announced to that worker's page, after its commit.

The agent page re-reads its state on a ``flex.changed`` notice: a routing path that offers a task
without one, or a notice sent before the commit (the page's read would not see the reservation,
and no later notice comes), leaves the offer to the page's 5 s refresh. Each path that can offer
a task is checked: creation, a worker becoming available, a completed task freeing its worker,
a reject, a reservation timeout, a routing step timeout, and the rescinded offers of an accept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

from flex import lifecycle, live
from flex.models import Reservation, Task, Timer, Worker
from tests.flex.helpers import activity, elapse, pending, queue, task, worker, workflow, workspace

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass(frozen=True)
class Notice:
    worker_sid: str
    task_sid: str
    committed: bool  # sent outside any transaction: its reservation is what a reader sees
    offered: bool  # the reservation was pending, as committed, when the notice went out


@pytest.fixture
def notices(monkeypatch: Any) -> Iterator[list[Notice]]:
    heard: list[Notice] = []
    send = live.notify

    def spy(workspace_sid: str, event_type: str, data: dict[str, Any]) -> None:
        if event_type == "reservation.created":
            sid = str(data["ReservationSid"])
            heard.append(
                Notice(
                    str(data["WorkerSid"]),
                    str(data["TaskSid"]),
                    committed=not connection.in_atomic_block,
                    offered=Reservation.objects.filter(sid=sid, reservation_status="pending").exists(),
                )
            )
        send(workspace_sid, event_type, data)

    monkeypatch.setattr(live, "notify", spy)
    yield heard


def offers() -> set[tuple[str, str]]:
    rows = Reservation.objects.select_related("worker", "task")
    return {(r.worker.sid, r.task.sid) for r in rows}


def assert_each_offer_announced_after_commit(heard: list[Notice]) -> None:
    assert offers(), "the scenario offered nothing"
    assert {(n.worker_sid, n.task_sid) for n in heard} == offers()
    assert all(n.committed and n.offered for n in heard), heard


def test_a_new_task_offered_to_an_available_worker(alice: Any, notices: list[Notice]) -> None:
    ws = workspace(alice)
    worker(ws, "ann")
    task(ws)
    assert_each_offer_announced_after_commit(notices)


def test_a_waiting_task_offered_to_a_worker_who_becomes_available(alice: Any, notices: list[Notice]) -> None:
    ws = workspace(alice)
    ann = worker(ws, "ann", available=False)
    task(ws)
    lifecycle.set_activity(ann, activity(ws, "Available"))
    assert_each_offer_announced_after_commit(notices)


def test_the_next_task_offered_to_a_worker_who_completes_one(alice: Any, notices: list[Notice]) -> None:
    ws = workspace(alice)
    worker(ws, "ann")
    first, second = task(ws, n=1), task(ws, n=2)
    assert Task.objects.get(pk=second.pk).assignment_status == "pending"  # ann's room is taken
    reservation = lifecycle.accept(pending(first))
    lifecycle.complete(reservation)
    assert pending(second).worker.friendly_name == "ann"
    assert_each_offer_announced_after_commit(notices)


def test_a_rejected_task_offered_to_the_next_worker(alice: Any, notices: list[Notice]) -> None:
    ws = workspace(alice)
    worker(ws, "ann")
    worker(ws, "bob")
    created = task(ws)
    lifecycle.reject(pending(created))
    assert pending(created).worker.friendly_name == "bob"
    assert_each_offer_announced_after_commit(notices)


def test_a_timed_out_offer_goes_to_the_next_worker(alice: Any, notices: list[Notice]) -> None:
    ws = workspace(alice)
    worker(ws, "ann")
    created = task(ws)
    worker(ws, "bob")
    assert elapse(Timer.Kind.RESERVATION) == 1
    assert pending(created).worker.friendly_name == "bob"
    assert_each_offer_announced_after_commit(notices)


def test_a_task_offered_at_its_next_routing_step(alice: Any, notices: list[Notice]) -> None:
    ws = workspace(alice)
    worker(ws, "ann", languages=["en"])
    steps = workflow(
        ws,
        {
            "filters": [
                {
                    "filter_friendly_name": "all",
                    "expression": "1==1",
                    "targets": [
                        {"queue": queue(ws, "Spanish", "languages HAS 'es'").sid, "timeout": 30},
                        {"queue": queue(ws, "Anyone").sid},
                    ],
                }
            ],
            "default_filter": {"queue": queue(ws, "Default").sid},
        },
    )
    created = task(ws, steps)
    assert not Reservation.objects.filter(task=created).exists()
    elapse(Timer.Kind.STEP, created)
    assert pending(created).worker.friendly_name == "ann"
    assert_each_offer_announced_after_commit(notices)


def test_workers_whose_offer_is_rescinded_get_the_next_tasks(alice: Any, notices: list[Notice]) -> None:
    ws = workspace(alice)
    worker(ws, "ann")
    worker(ws, "bob")
    everyone = queue(ws, "Everyone at once")
    everyone.max_reserved_workers = 2
    everyone.save()
    both = workflow(ws, {"filters": [], "default_filter": {"queue": everyone.sid}})
    first = task(ws, both, n=1)
    second = task(ws, both, n=2)  # waits: both workers hold an offer of the first
    ann_offer = Reservation.objects.get(task=first, worker__friendly_name="ann")
    lifecycle.accept(ann_offer)
    assert pending(second).worker == Worker.objects.get(friendly_name="bob")
    assert_each_offer_announced_after_commit(notices)
