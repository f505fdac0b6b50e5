"""Assignment: a pending task, its workflow's current routing step, and the worker it goes to.

``route(task_id)`` runs after the commit that made the task routable (creation, a reservation
rejected or timed out, a step timeout); ``route_for_worker`` after a worker gained room
(available again, a task completed). Both lock the task row first and a worker's channel row
second (the lifecycle functions take locks in the same order), so two routers never reserve
one task twice nor overfill a worker.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from flex import events, jobs
from flex.events import task_payload
from flex.expressions import Scope, evaluate, taskrouter_clock
from flex.lifecycle import cancel, set_activity
from flex.models import Reservation, Task, TaskQueue, Timer, Worker, WorkerChannel
from flex.workflows import targets_of

log = logging.getLogger(__name__)
WORKER_BATCH = 50  # pending tasks looked at when one worker frees up
OPEN = ("pending", "accepted", "wrapping")


def enter_step(task: Task, step: int, now: dt.datetime) -> bool:
    """Move the task to routing step ``step`` of its filter; False when there is none."""
    config = task.workflow.config() if task.workflow else {}
    targets = targets_of(config, task.filter_index)
    if step >= len(targets):
        return False
    target = targets[step]
    queue = TaskQueue.objects.filter(workspace=task.workspace, sid=target.get("queue")).first()
    if queue is None:
        return False
    task.step = step
    task.task_queue = queue
    task.task_queue_entered_date = now
    if isinstance(target.get("priority"), int):
        task.priority = target["priority"]
    timeout = target.get("timeout")
    Timer.objects.filter(task=task, kind=Timer.Kind.STEP).delete()
    if isinstance(timeout, int) and timeout > 0:
        task.step_deadline = now + dt.timedelta(seconds=timeout)
        Timer.objects.create(task=task, kind=Timer.Kind.STEP, fire_at=task.step_deadline)
    else:
        task.step_deadline = None
    events.record(
        task.workspace,
        "task-queue.entered",
        "task",
        task.sid,
        f"entered {queue.friendly_name}",
        task_payload(task),
    )
    return True


def _advance(task: Task, now: dt.datetime) -> bool:
    """The next routing step, or ``workflow.timeout`` (and cancel) after the last one."""
    if enter_step(task, task.step + 1, now):
        task.save()
        return True
    cancel(task, "Workflow Timeout", event_type="workflow.timeout")
    return False


def _scopes(task_attrs: dict[str, Any], worker: Worker) -> Scope:
    mine = worker.attrs()
    return Scope(mine, {"worker": mine, "task": task_attrs, "taskrouter": taskrouter_clock()})


def candidates(task: Task, queue: TaskQueue, target: dict[str, Any]) -> Iterator[Worker]:
    """Available workers with room on the task's channel, matching the queue's
    ``target_workers`` and the step's ``expression``, longest idle first. Lazy: routing stops
    at the first worker it can reserve, so a pass costs the candidates it looks at."""
    qs = (
        Worker.objects.filter(
            workspace=task.workspace,
            available=True,
            channels__task_channel=task.task_channel,
            channels__available=True,
            channels__assigned_tasks__lt=F("channels__configured_capacity"),
        )
        # A worker who rejected this task (or holds an offer of it) is not asked again; one whose
        # offer timed out is, once back (else a lone agent would never see the task again).
        .exclude(
            pk__in=Reservation.objects.filter(task=task)
            .exclude(reservation_status="timeout")
            .values("worker_id")
        )
        .order_by(F("idle_since").asc(nulls_first=True), "id")
    )
    task_attrs = task.attrs()
    expression = str(target.get("expression") or "")
    for worker in qs.iterator(chunk_size=100):
        scope = _scopes(task_attrs, worker)
        try:
            if not evaluate(queue.target_workers or "1==1", scope):
                continue
            if expression and not evaluate(expression, scope):
                continue
        except ValueError:  # an expression saved before validation existed: match nobody
            log.warning("unparseable expression on %s", queue.sid)
            continue
        yield worker


def _current_target(
    task: Task, now: dt.datetime
) -> tuple[TaskQueue, dict[str, Any], Iterable[Worker]] | None:
    config = task.workflow.config() if task.workflow else {}
    for _ in range(64):
        targets = targets_of(config, task.filter_index)
        if task.step >= len(targets) or task.task_queue is None:
            cancel(task, "No routing step matches the task")
            return None
        if task.step_deadline is not None and task.step_deadline <= now:
            if not _advance(task, now):
                return None
            continue
        target = targets[task.step]
        found: Iterable[Worker] = candidates(task, task.task_queue, target)
        skip_if = target.get("skip_if")
        last = task.step == len(targets) - 1
        if isinstance(skip_if, str) and not last:
            found = list(found)  # workers.available needs the count
            scope = Scope({}, {"workers": {"available": len(found)}, "taskrouter": taskrouter_clock()})
            if evaluate(skip_if, scope):
                if not _advance(task, now):
                    return None
                continue
        return task.task_queue, target, found
    return None


def _reserve(task: Task, worker: Worker, queue: TaskQueue, now: dt.datetime) -> Reservation | None:
    channel = (
        WorkerChannel.objects.select_for_update()
        .filter(worker=worker, task_channel=task.task_channel)
        .first()
    )
    fresh = Worker.objects.select_for_update().filter(pk=worker.pk, available=True).first()
    if channel is None or fresh is None or not channel.available:
        return None
    if channel.assigned_tasks >= channel.configured_capacity:
        return None
    if (
        not task.workspace.multi_task_enabled
        and fresh.reservations.filter(reservation_status__in=OPEN).exists()
    ):
        return None  # single-tasking workspace: one task at a time, whatever the channel
    channel.assigned_tasks += 1
    channel.save(update_fields=["assigned_tasks", "date_updated"])
    reservation = Reservation.objects.create(workspace=task.workspace, task=task, worker=fresh)
    task.assignment_status = Task.Status.RESERVED
    task.version += 1
    task.save()
    timeout = task.workflow.task_reservation_timeout if task.workflow else 120
    Timer.objects.create(
        task=task,
        reservation=reservation,
        kind=Timer.Kind.RESERVATION,
        fire_at=now + dt.timedelta(seconds=timeout),
    )
    if queue.reservation_activity is not None:
        set_activity(fresh, queue.reservation_activity, route=False)
    payload = {**task_payload(task), "WorkerSid": fresh.sid, "WorkerName": fresh.friendly_name}
    payload["ReservationSid"] = reservation.sid
    events.record(task.workspace, "reservation.created", "reservation", reservation.sid, "", payload)
    if task.workflow and task.workflow.assignment_callback_url:
        jobs.later("post_assignment", reservation.pk)
    return reservation


def route(task_id: int) -> str | None:
    """Try to reserve a worker for a pending task; the reservation's SID, or None."""
    with transaction.atomic():
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("workspace__account", "workflow", "task_queue", "task_channel")
            .filter(pk=task_id)
            .first()
        )
        if task is None or task.assignment_status != Task.Status.PENDING:
            return None
        now = timezone.now()
        position = (task.step, task.task_queue_id, task.priority)
        current = _current_target(task, now)
        if current is None:
            return None
        queue, _target, found = current
        # Up to the queue's max_reserved_workers are offered the task at once; the first to
        # accept takes it and the others' reservations are rescinded (flex.lifecycle.accept).
        made: list[str] = []
        for worker in found:
            reservation = _reserve(task, worker, queue, now)
            if reservation is not None:
                made.append(reservation.sid)
                if len(made) >= max(queue.max_reserved_workers, 1):
                    break
        if not made and position != (task.step, task.task_queue_id, task.priority):
            task.save()  # the routing step moved on
        return made[0] if made else None


def _queues_for(worker: Worker) -> list[int]:
    """The workspace's queues whose ``target_workers`` the worker matches (one naming the task
    is kept: it is decided per task), so a backlog in queues the worker can never serve does not
    hide the tasks behind it."""
    scope = _scopes({}, worker)
    mine = []
    queues = TaskQueue.objects.filter(workspace_id=worker.workspace_id)
    for pk, expression in queues.values_list("pk", "target_workers"):
        expression = expression or "1==1"
        try:
            if "task." in expression.lower() or evaluate(expression, scope):
                mine.append(pk)
        except ValueError:  # unparseable: candidates() matches nobody to it either
            continue
    return mine


def route_for_worker(worker_id: int) -> int:
    """A worker gained room: offer it the waiting tasks it can take (highest priority, then
    oldest first); returns how many reservations were made."""
    worker = Worker.objects.filter(pk=worker_id, available=True).first()
    if worker is None:
        return 0
    channels = list(
        WorkerChannel.objects.filter(
            worker=worker, available=True, assigned_tasks__lt=F("configured_capacity")
        ).values_list("task_channel_id", flat=True)
    )
    if not channels:
        return 0
    waiting = list(
        Task.objects.filter(
            workspace_id=worker.workspace_id,
            assignment_status=Task.Status.PENDING,
            task_channel_id__in=channels,
            task_queue_id__in=_queues_for(worker),
        )
        .order_by("-priority", "date_created", "id")
        .values_list("pk", "task_channel_id")[:WORKER_BATCH]
    )
    spare = set(channels)
    made = 0
    for task_id, channel_id in waiting:
        if channel_id not in spare:
            continue  # the worker has no room left on this task's channel
        if not route(task_id):
            continue
        made += 1
        if not Worker.objects.filter(pk=worker_id, available=True).exists():
            break
        spare = set(
            WorkerChannel.objects.filter(
                worker=worker, available=True, assigned_tasks__lt=F("configured_capacity")
            ).values_list("task_channel_id", flat=True)
        )
        if not spare:
            break
    return made
