"""Celery tasks: inbound processing, message dispatch, and the timeout sweeper."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

from executions.engine import retention
from executions.engine.timers import sweep
from executions.inbound.drain import drain, kick, rescue
from executions.messaging.dispatch import dispatch


@task_prerun.connect
@task_postrun.connect
def _database_hygiene(task: Any = None, **kwargs: Any) -> None:
    """Around each task, what Django does around each request: close the connection only when it
    is unusable or past CONN_MAX_AGE. (Celery's own per-task close is spaced out by
    CELERY_DB_REUSE_MAX in settings: reconnecting for every task cost more than the task.)"""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    close_old_connections()


@shared_task(name="executions.tasks.drain_inbound")
def drain_inbound(slot: int = 0) -> int:
    return drain(slot)


@shared_task(name="executions.tasks.process_inbound")
def process_inbound(flow_id: int, contact: str, channel: str) -> int:
    """Queued by earlier versions (one task per event): now a kick of the batch drainer."""
    kick()
    return 0


@shared_task(name="executions.tasks.dispatch_message")
def dispatch_message(sid: str) -> None:
    dispatch(sid)


@shared_task(name="executions.tasks.sweep_waits")
def sweep_waits() -> int:
    return sweep() + rescue()


@shared_task(name="executions.tasks.purge_executions")
def purge_executions() -> int:
    """Beat, every PURGE_INTERVAL_SECONDS: executions past the retention (executions.engine.retention)."""
    return retention.purge().executions


def embedded_sweep() -> int:
    """The embedded sweeper's turn (``serve`` without Redis): beat's tasks, the purge when due."""
    done = sweep_waits()
    retention.purge_if_due()
    return done
