"""Data lifecycle: executions (with their steps and timers) and processed inbound events older
than ``EXECUTION_RETENTION_DAYS`` are deleted, ``PURGE_BATCH`` executions per transaction.

Twilio keeps an execution's record 30 days; so does this server by default. Only ended
executions are purged: an active one ends first, at ``EXECUTION_LIFETIME_DAYS`` (the sweeper).
Messages and calls are records of their own (the Messages and Calls APIs): an execution's
messages stay, their ``execution`` cleared.

Production: Celery beat runs ``executions.tasks.purge_executions`` every
``PURGE_INTERVAL_SECONDS``; embedded mode: the in-process sweeper calls ``purge_if_due()``;
by hand: ``manage.py purge_executions``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from executions.models import Execution, InboundEvent, Message, Step, Wait
from studio.conf import studio_settings

log = logging.getLogger(__name__)


@dataclass
class Purged:
    executions: int = 0
    steps: int = 0
    inbound_events: int = 0


def cutoff(now: dt.datetime | None = None, days: float | None = None) -> dt.datetime:
    keep = float(studio_settings.EXECUTION_RETENTION_DAYS if days is None else days)
    return (now or timezone.now()) - dt.timedelta(days=keep)


def purge(now: dt.datetime | None = None, *, days: float | None = None, batch: int | None = None) -> Purged:
    """Delete what is older than the retention, batch by batch; returns the counts deleted."""
    before = cutoff(now, days)
    size = max(1, int(batch or studio_settings.PURGE_BATCH))
    done = Purged()
    old = Execution.objects.filter(date_created__lt=before).exclude(status=Execution.Status.ACTIVE)
    while True:
        ids = list(old.order_by("id").values_list("id", flat=True)[:size])
        if not ids:
            break
        steps, executions = delete_executions(ids)
        done.steps += steps
        done.executions += executions
    finished = InboundEvent.objects.filter(date_created__lt=before).exclude(
        status=InboundEvent.Status.PENDING
    )
    while True:
        ids = list(finished.order_by("id").values_list("id", flat=True)[:size])
        if not ids:
            break
        done.inbound_events += InboundEvent.objects.filter(pk__in=ids).delete()[0]
    if done.executions or done.inbound_events:
        log.info(
            "purged %d executions, %d steps and %d inbound events older than %s",
            done.executions,
            done.steps,
            done.inbound_events,
            before.isoformat(),
        )
    return done


def delete_executions(ids: list[int]) -> tuple[int, int]:
    """Delete these executions with their steps and timers, in one transaction, without loading
    their steps (Django's cascade would, to clear their parent links): (steps, executions)."""
    with transaction.atomic():
        Message.objects.filter(execution_id__in=ids).update(execution=None)
        Wait.objects.filter(execution_id__in=ids).delete()
        # Parent links first: the delete then needs no per-row SET NULL of its own.
        Step.objects.filter(execution_id__in=ids, parent_step__isnull=False).update(parent_step=None)
        Step.objects.filter(parent_step__execution_id__in=ids).update(parent_step=None)
        # One DELETE: QuerySet.delete() would load every step first, for the self-referencing
        # parent_step (SET NULL) cleared just above. (_raw_delete: what Django's own fast
        # delete runs; nothing else references steps.)
        found = Step.objects.filter(execution_id__in=ids)
        steps = found._raw_delete(found.db)
        executions = Execution.objects.filter(pk__in=ids).delete()[0]
    return steps, executions


def delete_account_executions(account_id: int, batch: int | None = None) -> int:
    """Before an account is deleted (accounts.deletion): its executions, batch by batch, so the
    account's own delete does not load millions of steps at once. Returns how many."""
    size = max(1, int(batch or studio_settings.PURGE_BATCH))
    done = 0
    while ids := list(
        Execution.objects.filter(account_id=account_id).order_by("id").values_list("id", flat=True)[:size]
    ):
        done += delete_executions(ids)[1]
    return done


_lock = threading.Lock()
_last_run: float | None = None


def purge_if_due() -> Purged | None:
    """Embedded mode's sweeper calls this every turn: a purge every ``PURGE_INTERVAL_SECONDS``
    (the first one on the first turn)."""
    global _last_run
    with _lock:
        now = time.monotonic()
        if _last_run is not None and now - _last_run < float(studio_settings.PURGE_INTERVAL_SECONDS):
            return None
        _last_run = now
    return purge()
