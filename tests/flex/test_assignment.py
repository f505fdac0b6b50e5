"""Assignment with Twilio's lifecycle: filters, routing steps, candidates, longest idle,
reservation timeout, task TTL, workflow timeout and the capacity of a worker."""

from __future__ import annotations

from typing import Any

import pytest

from flex import lifecycle
from flex.models import Event, Task, Timer, Worker, WorkerChannel
from tests.flex.helpers import (
    activity,
    elapse,
    pending,
    queue,
    reservations,
    status,
    task,
    worker,
    workflow,
    workspace,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_task_reaches_an_available_worker_as_a_pending_reservation(alice: Any) -> None:
    ws = workspace(alice)
    worker(ws, "offline agent", available=False)
    worker(ws, "agent")
    created = task(ws, name="Bob")
    assert status(created) == "reserved"
    assert reservations(created) == [("agent", "pending")]
    assert Timer.objects.filter(kind="reservation", task=created).count() == 1


def test_a_task_waits_until_a_worker_becomes_available(alice: Any) -> None:
    ws = workspace(alice)
    agent = worker(ws, "agent", available=False)
    waiting = task(ws)
    assert status(waiting) == "pending"
    lifecycle.set_activity(Worker.objects.get(pk=agent.pk), activity(ws, "Available"))
    assert reservations(waiting) == [("agent", "pending")]


def test_skills_route_a_task_to_the_right_worker(alice: Any) -> None:
    ws = workspace(alice)
    billing = queue(ws, "Billing", "skills HAS 'billing'")
    sales = queue(ws, "Sales", "skills HAS 'sales'")
    flow = workflow(
        ws,
        {
            "filters": [
                {"expression": "type == 'billing'", "targets": [{"queue": billing.sid}]},
                {"expression": "type == 'sales'", "targets": [{"queue": sales.sid}]},
            ],
            "default_filter": {"queue": sales.sid},
        },
    )
    worker(ws, "sam", skills=["sales"])
    worker(ws, "bea", skills=["billing"])
    assert reservations(task(ws, flow, type="billing")) == [("bea", "pending")]
    assert reservations(task(ws, flow, type="sales")) == [("sam", "pending")]
    other = task(ws, flow, type="unknown")
    assert Task.objects.get(pk=other.pk).task_queue_id == sales.pk and status(other) == "pending"


def test_longest_idle_worker_first(alice: Any) -> None:
    ws = workspace(alice)
    first = worker(ws, "idle longest")
    worker(ws, "idle since now")
    Worker.objects.filter(pk=first.pk).update(idle_since="2020-01-01T00:00:00Z")
    assert reservations(task(ws)) == [("idle longest", "pending")]


def test_a_target_expression_can_compare_task_and_worker(alice: Any) -> None:
    ws = workspace(alice)
    everyone = queue(ws, "All")
    flow = workflow(
        ws,
        {
            "filters": [
                {
                    "expression": "1==1",
                    "targets": [{"queue": everyone.sid, "expression": "worker.id IN task.preferred"}],
                }
            ]
        },
    )
    worker(ws, "ann", id="ann")
    worker(ws, "carl", id="carl")
    assert reservations(task(ws, flow, preferred=["carl"])) == [("carl", "pending")]


def test_capacity_per_channel_is_respected(alice: Any) -> None:
    ws = workspace(alice)
    agent = worker(ws, "agent")
    WorkerChannel.objects.filter(worker=agent, task_channel__unique_name="chat").update(configured_capacity=2)
    one, two, three = task(ws, channel="chat"), task(ws, channel="chat"), task(ws, channel="chat")
    assert [status(t) for t in (one, two, three)] == ["reserved", "reserved", "pending"]
    voice = task(ws, channel="voice")
    assert status(voice) == "reserved"  # another channel has its own capacity
    lifecycle.accept(pending(one))
    lifecycle.complete(pending_or_accepted(one))
    assert status(one) == "completed" and status(three) == "reserved"


def pending_or_accepted(row: Task) -> Any:
    from flex.models import Reservation

    return Reservation.objects.get(task=row, reservation_status__in=("pending", "accepted"))


def test_a_rejected_reservation_goes_to_the_next_worker(alice: Any) -> None:
    ws = workspace(alice)
    worker(ws, "ann")
    worker(ws, "bob")
    created = task(ws)
    lifecycle.reject(pending(created), activity(ws, "Unavailable"))
    assert reservations(created) == [("ann", "rejected"), ("bob", "pending")]
    assert Worker.objects.get(friendly_name="ann").activity.friendly_name == "Unavailable"


def test_a_reservation_timeout_moves_the_worker_to_the_timeout_activity_and_the_task_on(alice: Any) -> None:
    ws = workspace(alice)
    worker(ws, "ann")
    created = task(ws)
    worker(ws, "bob", available=False)
    assert elapse(Timer.Kind.RESERVATION) == 1
    ann = Worker.objects.get(friendly_name="ann")
    assert (ann.activity.friendly_name, ann.available) == ("Offline", False)
    assert reservations(created) == [("ann", "timeout")] and status(created) == "pending"
    lifecycle.set_activity(Worker.objects.get(friendly_name="bob"), activity(ws, "Available"))
    assert reservations(created) == [("ann", "timeout"), ("bob", "pending")]
    assert Event.objects.filter(event_type="reservation.timeout").count() == 1


def test_the_task_ttl_cancels_a_waiting_task(alice: Any) -> None:
    ws = workspace(alice)
    waiting = task(ws)
    elapse(Timer.Kind.TTL)
    row = Task.objects.get(pk=waiting.pk)
    assert (row.assignment_status, row.reason) == ("canceled", "Task TTL Exceeded")


def test_an_accepted_task_is_never_canceled_by_its_ttl(alice: Any) -> None:
    ws = workspace(alice)
    worker(ws, "ann")
    created = task(ws)
    lifecycle.accept(pending(created))
    elapse(Timer.Kind.TTL)
    assert status(created) == "assigned"


def test_routing_steps_time_out_in_order_then_the_workflow_times_out(alice: Any) -> None:
    ws = workspace(alice)
    tier1 = queue(ws, "Tier 1", "tier == 1")
    tier2 = queue(ws, "Tier 2", "tier == 2")
    flow = workflow(
        ws,
        {
            "filters": [
                {
                    "expression": "1==1",
                    "targets": [
                        {"queue": tier1.sid, "timeout": 30},
                        {"queue": tier2.sid, "timeout": 60, "priority": 9},
                    ],
                }
            ]
        },
    )
    created = task(ws, flow)
    assert Task.objects.get(pk=created.pk).task_queue_id == tier1.pk
    elapse(Timer.Kind.STEP, created)
    moved = Task.objects.get(pk=created.pk)
    assert (moved.task_queue_id, moved.priority, moved.step) == (tier2.pk, 9, 1)
    worker(ws, "tier two", tier=2)
    assert reservations(created) == [("tier two", "pending")]
    lifecycle.reject(pending(created))
    elapse(Timer.Kind.STEP, created)
    row = Task.objects.get(pk=created.pk)
    assert (row.assignment_status, row.reason) == ("canceled", "Workflow Timeout")
    assert Event.objects.filter(event_type="workflow.timeout", resource_sid=created.sid).exists()


def test_skip_if_passes_a_step_nobody_can_take(alice: Any) -> None:
    ws = workspace(alice)
    experts = queue(ws, "Experts", "expert == true")
    everyone = queue(ws, "Everyone else")
    flow = workflow(
        ws,
        {
            "filters": [
                {
                    "expression": "1==1",
                    "targets": [
                        {"queue": experts.sid, "timeout": 300, "skip_if": "workers.available == 0"},
                        {"queue": everyone.sid},
                    ],
                }
            ]
        },
    )
    worker(ws, "generalist")
    assert reservations(task(ws, flow)) == [("generalist", "pending")]


def test_a_worker_never_holds_more_than_its_capacity_when_routing_races(alice: Any) -> None:
    from flex.routing import route

    ws = workspace(alice)
    agent = worker(ws, "agent", available=False)
    first, second = task(ws), task(ws)
    Worker.objects.filter(pk=agent.pk).update(available=True)  # no automatic offer
    assert route(first.pk) is not None
    assert route(second.pk) is None and route(first.pk) is None
    assert WorkerChannel.objects.get(worker=agent, task_channel__unique_name="sms").assigned_tasks == 1
    assert [status(first), status(second)] == ["reserved", "pending"]


def test_max_reserved_workers_offers_a_task_to_several_and_the_first_accept_wins(alice: Any) -> None:
    ws = workspace(alice)
    wide = queue(ws, "Wide")
    wide.max_reserved_workers = 2
    wide.save()
    flow = workflow(ws, {"filters": [], "default_filter": {"queue": wide.sid}})
    worker(ws, "ann")
    worker(ws, "bob")
    worker(ws, "cid")
    created = task(ws, flow)
    offered = reservations(created)
    assert [s for _, s in offered] == ["pending", "pending"]
    from flex.models import Reservation

    first = Reservation.objects.filter(task=created, reservation_status="pending").order_by("id")
    lifecycle.reject(first[0])
    assert status(created) == "reserved"  # the other offer still stands
    lifecycle.accept(Reservation.objects.get(task=created, reservation_status="pending"))
    assert status(created) == "assigned"


def test_the_first_accept_rescinds_the_other_offers(alice: Any) -> None:
    from flex.models import Reservation

    ws = workspace(alice)
    wide = queue(ws, "Wide")
    wide.max_reserved_workers = 3
    wide.save()
    flow = workflow(ws, {"filters": [], "default_filter": {"queue": wide.sid}})
    for name in ("ann", "bob", "cid"):
        worker(ws, name)
    created = task(ws, flow)
    winner = Reservation.objects.filter(task=created).order_by("id")[1]
    lifecycle.accept(winner)
    assert sorted(s for _, s in reservations(created)) == ["accepted", "rescinded", "rescinded"]
    assert WorkerChannel.objects.filter(task_channel__unique_name="sms", assigned_tasks=1).count() == 1


def test_a_single_tasking_workspace_gives_a_worker_one_task_at_a_time(alice: Any) -> None:
    ws = workspace(alice, multi_task_enabled=False)
    worker(ws, "agent")
    chat, voice = task(ws, channel="chat"), task(ws, channel="voice")
    assert [status(chat), status(voice)] == ["reserved", "pending"]
    voice_room = WorkerChannel.objects.get(task_channel__unique_name="voice")
    assert voice_room.assigned_tasks == 0  # the refused offer took no capacity


def test_a_lone_agent_whose_offer_timed_out_gets_the_task_again_when_back(alice: Any) -> None:
    ws = workspace(alice)
    worker(ws, "ann")
    created = task(ws)
    elapse(Timer.Kind.RESERVATION)
    assert status(created) == "pending"
    lifecycle.set_activity(Worker.objects.get(friendly_name="ann"), activity(ws, "Available"))
    assert reservations(created) == [("ann", "timeout"), ("ann", "pending")]


def test_a_worker_who_rejected_a_task_is_not_offered_it_again(alice: Any) -> None:
    ws = workspace(alice)
    worker(ws, "ann")
    created = task(ws)
    lifecycle.reject(pending(created))
    assert reservations(created) == [("ann", "rejected")] and status(created) == "pending"


def test_a_workspace_is_deleted_with_its_workers_tasks_and_timers(alice: Any) -> None:
    ws = workspace(alice)
    worker(ws, "ann")
    task(ws)
    ws.delete()
    assert not Task.objects.exists() and not Worker.objects.exists() and not Timer.objects.exists()


def test_a_freed_worker_finds_its_task_behind_a_backlog_it_cannot_serve(alice: Any, monkeypatch: Any) -> None:
    """A freed worker looks at a bounded window of waiting tasks: only of the queues it qualifies
    for, so older tasks nobody of its skills can take do not starve the ones it can."""
    from flex import routing

    monkeypatch.setattr(routing, "WORKER_BATCH", 3)
    ws = workspace(alice)
    spanish = workflow(
        ws, {"filters": [], "default_filter": {"queue": queue(ws, "Spanish", "languages HAS 'es'").sid}}
    )
    agent = worker(ws, "Ann", available=False, languages=["en"])
    backlog = [task(ws, spanish, n=n) for n in range(4)]
    mine = task(ws, name="English speaker")
    lifecycle.set_activity(agent, activity(ws, "Available"))
    assert reservations(mine) == [("Ann", "pending")]
    assert [status(t) for t in backlog] == ["pending"] * 4
