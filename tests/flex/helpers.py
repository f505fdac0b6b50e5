"""Building blocks of the assignment tests: a seeded workspace, workers, tasks, and time."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.utils import timezone

from flex.defaults import seed
from flex.intake import create_task, find_channel
from flex.lifecycle import set_activity
from flex.models import (
    Activity,
    Reservation,
    Task,
    TaskQueue,
    Timer,
    Worker,
    WorkerChannel,
    Workflow,
    Workspace,
)
from flex.sweeper import sweep


def workspace(account: Any, **fields: Any) -> Workspace:
    ws = Workspace.objects.create(account=account, friendly_name="Flex Task Assignment", **fields)
    seed(ws)
    return Workspace.objects.select_related("account", "timeout_activity").get(pk=ws.pk)


def activity(ws: Workspace, name: str) -> Activity:
    return Activity.objects.get(workspace=ws, friendly_name=name)


def worker(ws: Workspace, name: str, available: bool = True, **attributes: Any) -> Worker:
    now = timezone.now()
    offline = activity(ws, "Offline")
    row = Worker.objects.create(
        workspace=ws,
        friendly_name=name,
        attributes=json.dumps(attributes),
        activity=offline,
        date_status_changed=now,
        idle_since=now,
    )
    WorkerChannel.objects.bulk_create(
        WorkerChannel(worker=row, task_channel=c) for c in ws.task_channels.all()
    )
    if available:
        set_activity(row, activity(ws, "Available"))
    return row


def queue(ws: Workspace, name: str, target_workers: str = "1==1") -> TaskQueue:
    return TaskQueue.objects.create(workspace=ws, friendly_name=name, target_workers=target_workers)


def workflow(ws: Workspace, routing: dict[str, Any], **fields: Any) -> Workflow:
    return Workflow.objects.create(
        workspace=ws, friendly_name="wf", configuration=json.dumps({"task_routing": routing}), **fields
    )


def task(ws: Workspace, flow: Workflow | None = None, channel: str = "sms", **attributes: Any) -> Task:
    flow = flow or Workflow.objects.get(workspace=ws, friendly_name="Assign to Anyone")
    return create_task(ws, flow, find_channel(ws, channel), attributes)


def status(row: Task) -> str:
    return Task.objects.get(pk=row.pk).assignment_status


def reservations(row: Task) -> list[tuple[str, str]]:
    found = Reservation.objects.filter(task=row).select_related("worker").order_by("id")
    return [(r.worker.friendly_name, r.reservation_status) for r in found]


def pending(row: Task) -> Reservation:
    return Reservation.objects.get(task=row, reservation_status="pending")


def elapse(kind: str, row: Task | None = None) -> int:
    """Make the timers of ``kind`` due (as if their time had come) and sweep."""
    past = timezone.now() - dt.timedelta(seconds=1)
    timers = Timer.objects.filter(kind=kind)
    if row is not None:
        timers = timers.filter(task=row)
    if kind == Timer.Kind.STEP:
        Task.objects.filter(pk__in=timers.values("task_id")).update(step_deadline=past)
    timers.update(fire_at=past)
    return sweep()
