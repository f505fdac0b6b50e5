"""Cumulative statistics of TaskRouter, counted from the workspace's Events in a time window.

Twilio's window parameters: ``Minutes`` (back from now), or ``StartDate``/``EndDate`` (ISO
8601); the default is the last 15 minutes. ``TaskChannel`` (SID or unique name) narrows to one
channel; ``SplitByWaitTime`` ("5,30") splits accepted and canceled tasks by their wait.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.request import Request

from accounts.errors import invalid_parameter
from flex.api.common import iso
from flex.models import Activity, Event, Task, Worker, Workspace

DEFAULT_MINUTES = 15
RESERVATION_OUTCOMES = ("created", "accepted", "rejected", "timeout", "canceled", "rescinded")


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime
    channel: str = ""  # a TaskChannel unique name or SID
    splits: tuple[int, ...] = ()


def _date(request: Request, name: str) -> dt.datetime | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None:
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise invalid_parameter(name, "an ISO 8601 date") from None
    return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)


def window(request: Request) -> Window:
    now = timezone.now()
    end = _date(request, "EndDate") or now
    start = _date(request, "StartDate")
    minutes = request.query_params.get("Minutes")
    if minutes:
        try:
            start = end - dt.timedelta(minutes=int(minutes))
        except ValueError:
            raise invalid_parameter("Minutes", "a whole number") from None
    if start is None:
        start = end - dt.timedelta(minutes=DEFAULT_MINUTES)
    if start > end:
        raise invalid_parameter("StartDate", "before EndDate")
    splits: tuple[int, ...] = ()
    raw_splits = request.query_params.get("SplitByWaitTime") or ""
    if raw_splits:
        try:
            splits = tuple(sorted({int(x) for x in raw_splits.split(",") if x.strip()}))
        except ValueError:
            raise invalid_parameter("SplitByWaitTime", "seconds separated by commas") from None
    return Window(start, end, str(request.query_params.get("TaskChannel") or ""), splits)


def window_events(ws: Workspace, w: Window, **match: str) -> list[Event]:
    """The window's events whose data carry every ``match`` (e.g. TaskQueueSid=WQ…)."""
    rows = Event.objects.filter(workspace=ws, date_created__gte=w.start, date_created__lte=w.end).order_by(
        "date_created", "id"
    )
    out = []
    for event in rows:
        data = event.event_data or {}
        if any(data.get(k) != v for k, v in match.items() if v):
            continue
        if w.channel and w.channel not in (data.get("TaskChannelUniqueName"), data.get("TaskChannelSid")):
            if event.event_type.startswith(("task", "reservation")):
                continue
        out.append(event)
    return out


def durations(values: Iterable[float]) -> dict[str, int]:
    seconds = [int(v) for v in values]
    if not seconds:
        return {"avg": 0, "min": 0, "max": 0, "total": 0}
    return {
        "avg": round(sum(seconds) / len(seconds)),
        "min": min(seconds),
        "max": max(seconds),
        "total": sum(seconds),
    }


def _count(events: list[Event], event_type: str) -> int:
    return sum(1 for e in events if e.event_type == event_type)


def _waits(events: list[Event], event_type: str) -> list[tuple[str, float]]:
    """(task sid, seconds from the task's creation) for each event of that type."""
    chosen = [e for e in events if e.event_type == event_type]
    sids = {e.event_data.get("TaskSid") or e.resource_sid for e in chosen}
    created = dict(Task.objects.filter(sid__in=sids).values_list("sid", "date_created"))
    out = []
    for e in chosen:
        sid = e.event_data.get("TaskSid") or e.resource_sid
        if sid in created:
            out.append((sid, max(0.0, (e.date_created - created[sid]).total_seconds())))
    return out


def _split(w: Window, accepted: list[float], canceled: list[float]) -> dict[str, Any] | None:
    if not w.splits:
        return None
    return {
        str(limit): {
            "above": {
                "reservations_accepted": sum(1 for s in accepted if s > limit),
                "tasks_canceled": sum(1 for s in canceled if s > limit),
            },
            "below": {
                "reservations_accepted": sum(1 for s in accepted if s <= limit),
                "tasks_canceled": sum(1 for s in canceled if s <= limit),
            },
        }
        for limit in w.splits
    }


def reservations(events: list[Event]) -> dict[str, int]:
    return {
        f"reservations_{o.replace('timeout', 'timed_out')}": _count(events, f"reservation.{o}")
        for o in RESERVATION_OUTCOMES
    }


def task_numbers(ws: Workspace, w: Window, **match: str) -> dict[str, Any]:
    """What workspace, workflow and queue cumulative statistics share."""
    events = window_events(ws, w, **match)
    accepted = [s for _, s in _waits(events, "reservation.accepted")]
    canceled = [s for _, s in _waits(events, "task.canceled")]
    return {
        "start_time": iso(w.start),
        "end_time": iso(w.end),
        **reservations(events),
        "avg_task_acceptance_time": durations(accepted)["avg"],
        "wait_duration_until_accepted": durations(accepted),
        "wait_duration_until_canceled": durations(canceled),
        "split_by_wait_time": _split(w, accepted, canceled),
        "tasks_canceled": _count(events, "task.canceled"),
        "tasks_completed": _count(events, "task.completed"),
        "tasks_deleted": _count(events, "task.deleted"),
        "tasks_moved": _count(events, "task-queue.moved"),
        "tasks_created": _count(events, "task.created"),
        "tasks_entered": _count(events, "task-queue.entered"),
        "tasks_timed_out_in_workflow": _count(events, "workflow.timeout"),
    }


def activity_durations(ws: Workspace, w: Window, workers: list[Worker]) -> list[dict[str, Any]]:
    """Per activity, the time workers spent in it within the window (avg/min/max/total over the
    workers that spent any), from their activity changes."""
    activities = list(Activity.objects.filter(workspace=ws).order_by("date_created", "id"))
    spent: dict[str, dict[str, float]] = {a.sid: {} for a in activities}
    end = min(w.end, timezone.now())
    changes = Event.objects.filter(
        workspace=ws, event_type="worker.activity.update", date_created__lte=end
    ).order_by("date_created", "id")
    by_worker: dict[str, list[tuple[dt.datetime, str]]] = {}
    for e in changes:
        by_worker.setdefault(e.resource_sid, []).append(
            (e.date_created, e.event_data.get("WorkerActivitySid", ""))
        )
    for worker in workers:
        timeline = by_worker.get(worker.sid, [])
        current = ""
        since = w.start
        for when, activity in timeline:
            if when <= w.start:
                current = activity
                continue
            if current:
                spent[current][worker.sid] = (
                    spent[current].get(worker.sid, 0.0) + (when - since).total_seconds()
                )
            current, since = activity, when
        if not timeline:
            current, since = worker.activity.sid, max(w.start, worker.date_status_changed or w.start)
        if current and current in spent and end > since:
            spent[current][worker.sid] = spent[current].get(worker.sid, 0.0) + (end - since).total_seconds()
    return [
        {"sid": a.sid, "friendly_name": a.friendly_name, **durations(spent[a.sid].values())}
        for a in activities
    ]
