"""Reservation and task state changes (Twilio's lifecycle), in the caller's transaction (a savepoint) or their own.

Locks: the task row, then the worker channel row (the order routing uses too).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.errors import TwilioAPIError
from flex import conversation, events
from flex.events import task_payload
from flex.jobs import route_task as schedule
from flex.jobs import route_worker as schedule_for_worker
from flex.models import Activity, Reservation, Task, Timer, Worker, WorkerChannel

OPEN = (Reservation.Status.PENDING, Reservation.Status.ACCEPTED, Reservation.Status.WRAPPING)


def _payload(reservation: Reservation) -> dict[str, Any]:
    worker = reservation.worker
    return {
        **task_payload(reservation.task),
        "ReservationSid": reservation.sid,
        "WorkerSid": worker.sid,
        "WorkerName": worker.friendly_name,
        "WorkerAttributes": worker.attributes,
    }


def _release_capacity(reservation: Reservation) -> None:
    WorkerChannel.objects.filter(
        worker_id=reservation.worker_id,
        task_channel_id=reservation.task.task_channel_id,
        assigned_tasks__gt=0,
    ).update(assigned_tasks=F("assigned_tasks") - 1, date_updated=timezone.now())
    Worker.objects.filter(pk=reservation.worker_id).update(idle_since=timezone.now())


def _set_status(reservation: Reservation, status: str) -> None:
    reservation.reservation_status = status
    reservation.version += 1
    reservation.save(update_fields=["reservation_status", "version", "date_updated"])


@transaction.atomic  # a savepoint inside the caller's transaction; its own when called alone
def set_activity(worker: Worker, activity: Activity, *, route: bool = True) -> None:
    """The worker's presence; becoming available starts its idle time and offers it tasks."""
    now = timezone.now()
    became_available = activity.available and not worker.available
    worker.activity = activity
    worker.available = activity.available
    worker.date_status_changed = now
    if became_available:
        worker.idle_since = now
    worker.version += 1
    worker.save()
    events.record(
        worker.workspace,
        "worker.activity.update",
        "worker",
        worker.sid,
        f"{worker.friendly_name} is {activity.friendly_name}",
        {
            "WorkerSid": worker.sid,
            "WorkerActivitySid": activity.sid,
            "WorkerActivityName": activity.friendly_name,
        },
    )
    if route and activity.available:
        schedule_for_worker(worker.pk)


def _worker_activity(reservation: Reservation, activity: Activity | None) -> None:
    if activity is not None:
        worker = (
            Worker.objects.select_for_update(of=("self",))
            .select_related("workspace")
            .get(pk=reservation.worker_id)
        )
        set_activity(worker, activity)
        reservation.worker = worker


def end_open_reservations(task: Task, status: str) -> None:
    """Pending reservations of a task that ends before assignment: canceled, capacity back."""
    for reservation in task.reservations.select_related("worker").filter(
        reservation_status=Reservation.Status.PENDING
    ):
        reservation.task = task
        _set_status(reservation, status)
        _release_capacity(reservation)
        schedule_for_worker(reservation.worker_id)
        events.record(
            task.workspace, f"reservation.{status}", "reservation", reservation.sid, "", _payload(reservation)
        )


def _refuse_state(reservation: Reservation, wanted: str) -> TwilioAPIError:
    return TwilioAPIError(
        400,
        20001,
        f"Reservation {reservation.sid} is {reservation.reservation_status} and cannot become {wanted}",
    )


def lock(reservation: Reservation) -> Reservation:
    """Re-read a reservation under its task's lock."""
    Task.objects.select_for_update().filter(pk=reservation.task_id).first()
    return Reservation.objects.select_related(
        "task__workspace__account",
        "task__task_channel",
        "task__task_queue",
        "task__workflow",
        "worker",
        "workspace",
    ).get(pk=reservation.pk)


@transaction.atomic  # a savepoint inside the caller's transaction; its own when called alone
def accept(reservation: Reservation, activity: Activity | None = None) -> Reservation:
    reservation = lock(reservation)
    if reservation.reservation_status != Reservation.Status.PENDING:
        raise _refuse_state(reservation, "accepted")
    task = reservation.task
    _set_status(reservation, Reservation.Status.ACCEPTED)
    task.assignment_status = Task.Status.ASSIGNED
    task.version += 1
    task.save(update_fields=["assignment_status", "version", "date_updated"])
    Timer.objects.filter(task=task).delete()  # an assigned task neither times out nor moves on
    for other in task.reservations.select_related("worker").filter(
        reservation_status=Reservation.Status.PENDING
    ):
        other.task = task  # the others offered the task at once lose it
        _set_status(other, Reservation.Status.RESCINDED)
        _release_capacity(other)
        schedule_for_worker(other.worker_id)
        events.record(task.workspace, "reservation.rescinded", "reservation", other.sid, "", _payload(other))
    queue = task.task_queue
    if activity is None and queue is not None and queue.assignment_activity_id:
        activity = queue.assignment_activity
    _worker_activity(reservation, activity)
    conversation.agent_joined(task, reservation.worker)
    events.record(
        task.workspace, "reservation.accepted", "reservation", reservation.sid, "", _payload(reservation)
    )
    return reservation


@transaction.atomic  # a savepoint inside the caller's transaction; its own when called alone
def reject(
    reservation: Reservation, activity: Activity | None = None, *, timed_out: bool = False
) -> Reservation:
    """Rejected (or timed out): the worker's room back, the task pending and routed again."""
    reservation = lock(reservation)
    status = Reservation.Status.TIMEOUT if timed_out else Reservation.Status.REJECTED
    if reservation.reservation_status != Reservation.Status.PENDING:
        raise _refuse_state(reservation, status)
    task = reservation.task
    _set_status(reservation, status)
    _release_capacity(reservation)
    Timer.objects.filter(reservation=reservation).delete()
    if timed_out and activity is None:
        activity = task.workspace.timeout_activity
    _worker_activity(reservation, activity)
    others = task.reservations.filter(reservation_status=Reservation.Status.PENDING).exists()
    if task.assignment_status == Task.Status.RESERVED and not others:
        task.assignment_status = Task.Status.PENDING
        task.version += 1
        task.save(update_fields=["assignment_status", "version", "date_updated"])
        schedule(task.pk)
    schedule_for_worker(reservation.worker_id)
    events.record(
        task.workspace, f"reservation.{status}", "reservation", reservation.sid, "", _payload(reservation)
    )
    return reservation


def wrap_up(task: Task) -> None:
    conversation.task_closed(task)
    task.assignment_status = Task.Status.WRAPPING
    task.version += 1
    task.save(update_fields=["assignment_status", "version", "date_updated"])
    for reservation in task.reservations.select_related("worker").filter(
        reservation_status=Reservation.Status.ACCEPTED
    ):
        reservation.task = task
        _set_status(reservation, Reservation.Status.WRAPPING)
        events.record(
            task.workspace, "reservation.wrapup", "reservation", reservation.sid, "", _payload(reservation)
        )
    events.record(task.workspace, "task.wrapup", "task", task.sid, "", task_payload(task))


def complete_task(task: Task, reason: str = "") -> None:
    """Assigned or wrapping → completed: the worker's room back, and more work offered."""
    conversation.task_closed(task)
    task.assignment_status = Task.Status.COMPLETED
    task.reason = reason or task.reason
    task.version += 1
    task.save(update_fields=["assignment_status", "reason", "version", "date_updated"])
    for reservation in task.reservations.select_related("worker").filter(
        reservation_status__in=(Reservation.Status.ACCEPTED, Reservation.Status.WRAPPING)
    ):
        reservation.task = task
        _set_status(reservation, Reservation.Status.COMPLETED)
        _release_capacity(reservation)
        schedule_for_worker(reservation.worker_id)
        events.record(
            task.workspace, "reservation.completed", "reservation", reservation.sid, "", _payload(reservation)
        )
    events.record(task.workspace, "task.completed", "task", task.sid, reason, task_payload(task))


@transaction.atomic  # a savepoint inside the caller's transaction; its own when called alone
def complete(reservation: Reservation, activity: Activity | None = None) -> Reservation:
    reservation = lock(reservation)
    if reservation.reservation_status not in (Reservation.Status.ACCEPTED, Reservation.Status.WRAPPING):
        raise _refuse_state(reservation, "completed")
    complete_task(reservation.task, "reservation completed")
    reservation.refresh_from_db()
    _worker_activity(reservation, activity)
    return reservation


@transaction.atomic  # a savepoint inside the caller's transaction; its own when called alone
def wrap(reservation: Reservation) -> Reservation:
    reservation = lock(reservation)
    if reservation.reservation_status != Reservation.Status.ACCEPTED:
        raise _refuse_state(reservation, "wrapping")
    wrap_up(reservation.task)
    reservation.refresh_from_db()
    return reservation


def change_task_status(task: Task, status: str, reason: str) -> None:
    """``AssignmentStatus`` on a Task update (the caller holds the task's lock)."""
    current = task.assignment_status
    allowed: dict[str, tuple[str, ...]] = {
        Task.Status.CANCELED: (Task.Status.PENDING, Task.Status.RESERVED),
        Task.Status.WRAPPING: (Task.Status.ASSIGNED,),
        Task.Status.COMPLETED: (Task.Status.ASSIGNED, Task.Status.WRAPPING),
    }
    if status == current:
        return
    if status not in allowed or current not in allowed[status]:
        raise TwilioAPIError(400, 20001, f"Task {task.sid} is {current} and cannot become {status}")
    if status == Task.Status.CANCELED:
        cancel(task, reason or "canceled")
    elif status == Task.Status.WRAPPING:
        wrap_up(task)
    else:
        complete_task(task, reason)


def cancel(task: Task, reason: str, event_type: str = "task.canceled") -> None:
    """Pending or reserved → canceled (the caller holds the task's lock)."""
    end_open_reservations(task, Reservation.Status.CANCELED)
    task.assignment_status = Task.Status.CANCELED
    task.reason = reason
    task.version += 1
    task.save(update_fields=["assignment_status", "reason", "version", "date_updated"])
    Timer.objects.filter(task=task).delete()
    if event_type != "task.canceled":
        events.record(task.workspace, event_type, "task", task.sid, reason, task_payload(task))
    events.record(task.workspace, "task.canceled", "task", task.sid, reason, task_payload(task))
