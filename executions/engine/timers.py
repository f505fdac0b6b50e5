"""Fires due waits (timeouts) in batches, and ends executions past their lifetime.

Production: Celery beat runs ``executions.tasks.sweep_waits`` every second. Embedded mode:
``start_in_process()`` runs the same ``sweep()`` on a daemon thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from executions.engine import store
from executions.models import Execution, Wait
from studio.conf import studio_settings
from studio.widgets.runtime import Inbound

log = logging.getLogger(__name__)
_thread: threading.Thread | None = None


def _batch() -> int:
    return int(studio_settings.SWEEP_BATCH)


def sweep(now: object | None = None) -> int:
    """Fire every due wait (in batches); returns how many were fired or discarded."""
    done = 0
    while True:
        count = _sweep_batch(now)
        done += count
        if count < _batch():
            break
    _expire_old()
    return done


def _sweep_batch(now: object | None) -> int:
    now = now or timezone.now()
    with transaction.atomic():
        qs = Wait.objects.filter(fire_at__lte=now).order_by("fire_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            # Several sweepers (or a slow one) never fire the same wait twice.
            qs = qs.select_for_update(skip_locked=True)
        waits = list(qs[: _batch()])
        for wait in waits:
            try:
                _fire(wait)
            except Exception:  # noqa: BLE001 - one broken execution must not block the others
                log.exception("firing wait %s failed", wait.pk)
        Wait.objects.filter(pk__in=[w.pk for w in waits]).delete()
    return len(waits)


def fire_now(execution_id: int) -> int:
    """Fire the execution's armed timers now ("skip wait" in the simulator), as the sweeper
    would when they are due; returns how many fired."""
    with transaction.atomic():
        waits = list(
            Wait.objects.select_for_update().filter(execution_id=execution_id).order_by("fire_at", "id")
        )
        for wait in waits:
            _fire(wait)
        Wait.objects.filter(pk__in=[w.pk for w in waits]).delete()
    return len(waits)


def _fire(wait: Wait) -> None:
    with transaction.atomic():
        execution = store.lock(wait.execution_id)
        if not execution.is_active or (execution.wait_state or {}).get("token") != wait.token:
            return  # stale: the widget already moved on
        inbound = Inbound(kind=wait.kind, payload={}, key=f"wait:{wait.pk}")
        store.deliver(execution, inbound, widget=wait.widget, token=wait.token)


def _expire_old() -> None:
    cutoff = timezone.now() - store.lifetime()
    ids = list(
        Execution.objects.filter(status=Execution.Status.ACTIVE, date_created__lt=cutoff).values_list(
            "id", flat=True
        )[: _batch()]
    )
    for pk in ids:
        with transaction.atomic():
            execution = store.lock(pk)
            if execution.is_active:
                store.expire(execution)


def _loop(interval: float, turn: Callable[[], object]) -> None:
    while True:
        try:
            turn()
        except Exception:  # noqa: BLE001 - the sweeper thread must survive a bad wait
            log.exception("sweeper iteration failed")
        finally:
            close_old_connections()
        time.sleep(interval)


def start_in_process(turn: Callable[[], object] = sweep) -> threading.Thread:
    """Embedded mode: run ``turn`` (by default ``sweep``) on a daemon thread every interval
    (idempotent). ``serve`` hands in beat's task, which also rescues pending inbound events."""
    global _thread
    if _thread is not None and _thread.is_alive():
        return _thread
    interval = float(studio_settings.SWEEP_INTERVAL_SECONDS)
    _thread = threading.Thread(target=_loop, args=(interval, turn), name="studio-sweeper", daemon=True)
    _thread.start()
    return _thread
