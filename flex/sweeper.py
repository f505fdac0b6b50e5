"""Fires due TaskRouter timers (reservation timeout, step timeout, task TTL) in batches.

Beat runs ``flex.tasks.sweep_timers`` every second, like the engine's wait sweeper (embedded
mode: ``start_in_process``, started by ``manage.py serve``). Rows are
claimed with ``SKIP LOCKED`` where the database has it, so two sweepers never fire one timer.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from flex import jobs, lifecycle
from flex.models import Reservation, Task, Timer

log = logging.getLogger(__name__)
BATCH = 500


def sweep() -> int:
    fired = 0
    while True:
        count = _batch()
        fired += count
        if count < BATCH:
            return fired


def _batch() -> int:
    with transaction.atomic():
        qs = Timer.objects.filter(fire_at__lte=timezone.now()).order_by("fire_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        timers = list(qs[:BATCH])
        for timer in timers:
            try:
                with transaction.atomic():
                    _fire(timer)
            except Exception:  # noqa: BLE001 - one broken task must not stop the others
                log.exception("flex timer %s failed", timer.pk)
        Timer.objects.filter(pk__in=[t.pk for t in timers]).delete()
    return len(timers)


def _fire(timer: Timer) -> None:
    if timer.kind == Timer.Kind.RESERVATION and timer.reservation_id:
        reservation = Reservation.objects.filter(pk=timer.reservation_id).first()
        if reservation is not None and reservation.reservation_status == Reservation.Status.PENDING:
            lifecycle.reject(reservation, timed_out=True)
        return
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("workspace__account", "workflow", "task_queue", "task_channel")
        .filter(pk=timer.task_id)
        .first()
    )
    if task is None:
        return
    if timer.kind == Timer.Kind.TTL:
        if task.assignment_status in (Task.Status.PENDING, Task.Status.RESERVED):
            lifecycle.cancel(task, "Task TTL Exceeded")
    elif timer.kind == Timer.Kind.STEP and task.assignment_status == Task.Status.PENDING:
        jobs.route_task(task.pk)  # route() sees the passed deadline and moves to the next step


_thread: threading.Thread | None = None


def _loop(interval: float) -> None:
    while True:
        try:
            sweep()
        except Exception:  # noqa: BLE001 - the sweeper thread must survive a bad timer
            log.exception("flex sweeper iteration failed")
        finally:
            close_old_connections()
        time.sleep(interval)


def start_in_process(interval: float = 1.0) -> threading.Thread:
    """Embedded mode (no beat): sweep on a daemon thread (idempotent)."""
    global _thread
    if _thread is not None and _thread.is_alive():
        return _thread
    _thread = threading.Thread(target=_loop, args=(interval,), name="flex-sweeper", daemon=True)
    _thread.start()
    return _thread
