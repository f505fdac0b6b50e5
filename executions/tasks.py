"""Celery tasks: inbound processing, message dispatch, and the timeout sweeper."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="executions.tasks.process_inbound")
def process_inbound(flow_id: int, contact: str, channel: str) -> int:
    from executions.inbound import process_pending

    return process_pending(flow_id, contact, channel)


@shared_task(name="executions.tasks.dispatch_message")
def dispatch_message(sid: str) -> None:
    from executions.dispatch import dispatch

    dispatch(sid)


@shared_task(name="executions.tasks.sweep_waits")
def sweep_waits() -> int:
    from executions.sweeper import sweep

    return sweep()
