"""TaskRouter resources as Twilio's JSON (field names, ISO dates, ``url`` and ``links``)."""

from __future__ import annotations

import time
from typing import Any

from django.utils import timezone

from flex.api.common import iso
from flex.models import (
    Activity,
    Event,
    Reservation,
    Task,
    TaskChannel,
    TaskQueue,
    Worker,
    WorkerChannel,
    Workflow,
    Workspace,
)

V1 = "/v1"


def _dates(row: Any) -> dict[str, Any]:
    return {"date_created": iso(row.date_created), "date_updated": iso(row.date_updated)}


def workspace_json(ws: Workspace, base: str) -> dict[str, Any]:
    url = f"{base}{V1}/Workspaces/{ws.sid}"
    names = (
        "activities",
        "events",
        "task_channels",
        "task_queues",
        "tasks",
        "workers",
        "workflows",
        "statistics",
        "real_time_statistics",
        "cumulative_statistics",
    )
    link_paths = {n: "".join(p.capitalize() for p in n.split("_")) for n in names}
    link_paths["task_channels"] = "TaskChannels"
    return {
        "account_sid": ws.account.sid,
        "sid": ws.sid,
        "friendly_name": ws.friendly_name,
        "default_activity_sid": ws.default_activity.sid if ws.default_activity else None,
        "default_activity_name": ws.default_activity.friendly_name if ws.default_activity else None,
        "timeout_activity_sid": ws.timeout_activity.sid if ws.timeout_activity else None,
        "timeout_activity_name": ws.timeout_activity.friendly_name if ws.timeout_activity else None,
        "event_callback_url": ws.event_callback_url or None,
        "events_filter": ws.events_filter or None,
        "multi_task_enabled": ws.multi_task_enabled,
        "prioritize_queue_order": ws.prioritize_queue_order,
        **_dates(ws),
        "url": url,
        "links": {n: f"{url}/{p}" for n, p in link_paths.items()},
    }


def activity_json(a: Activity, base: str) -> dict[str, Any]:
    ws = a.workspace
    return {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        "sid": a.sid,
        "friendly_name": a.friendly_name,
        "available": a.available,
        **_dates(a),
        "url": f"{base}{V1}/Workspaces/{ws.sid}/Activities/{a.sid}",
        "links": {"workspace": f"{base}{V1}/Workspaces/{ws.sid}"},
    }


def channel_json(c: TaskChannel, base: str) -> dict[str, Any]:
    ws = c.workspace
    return {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        "sid": c.sid,
        "unique_name": c.unique_name,
        "friendly_name": c.friendly_name,
        "channel_optimized_routing": c.channel_optimized_routing,
        **_dates(c),
        "url": f"{base}{V1}/Workspaces/{ws.sid}/TaskChannels/{c.sid}",
        "links": {"workspace": f"{base}{V1}/Workspaces/{ws.sid}"},
    }


def queue_json(q: TaskQueue, base: str) -> dict[str, Any]:
    ws = q.workspace
    url = f"{base}{V1}/Workspaces/{ws.sid}/TaskQueues/{q.sid}"
    ra, aa = q.reservation_activity, q.assignment_activity
    return {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        "sid": q.sid,
        "friendly_name": q.friendly_name,
        "target_workers": q.target_workers,
        "max_reserved_workers": q.max_reserved_workers,
        "task_order": q.task_order,
        "reservation_activity_sid": ra.sid if ra else None,
        "reservation_activity_name": ra.friendly_name if ra else None,
        "assignment_activity_sid": aa.sid if aa else None,
        "assignment_activity_name": aa.friendly_name if aa else None,
        "event_callback_url": ws.event_callback_url or None,
        **_dates(q),
        "url": url,
        "links": {
            "workspace": f"{base}{V1}/Workspaces/{ws.sid}",
            "statistics": f"{url}/Statistics",
            "real_time_statistics": f"{url}/RealTimeStatistics",
            "cumulative_statistics": f"{url}/CumulativeStatistics",
            "list_statistics": f"{base}{V1}/Workspaces/{ws.sid}/TaskQueues/Statistics",
        },
    }


def workflow_json(w: Workflow, base: str) -> dict[str, Any]:
    ws = w.workspace
    url = f"{base}{V1}/Workspaces/{ws.sid}/Workflows/{w.sid}"
    return {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        "sid": w.sid,
        "friendly_name": w.friendly_name,
        "configuration": w.configuration,
        "assignment_callback_url": w.assignment_callback_url or None,
        "fallback_assignment_callback_url": w.fallback_assignment_callback_url or None,
        "task_reservation_timeout": w.task_reservation_timeout,
        "document_content_type": "application/json",
        **_dates(w),
        "url": url,
        "links": {
            "workspace": f"{base}{V1}/Workspaces/{ws.sid}",
            "statistics": f"{url}/Statistics",
            "real_time_statistics": f"{url}/RealTimeStatistics",
            "cumulative_statistics": f"{url}/CumulativeStatistics",
        },
    }


def worker_json(w: Worker, base: str) -> dict[str, Any]:
    ws = w.workspace
    url = f"{base}{V1}/Workspaces/{ws.sid}/Workers/{w.sid}"
    return {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        "sid": w.sid,
        "friendly_name": w.friendly_name,
        "activity_sid": w.activity.sid,
        "activity_name": w.activity.friendly_name,
        "available": w.available,
        "attributes": w.attributes,
        "date_status_changed": iso(w.date_status_changed),
        **_dates(w),
        "url": url,
        "links": {
            "workspace": f"{base}{V1}/Workspaces/{ws.sid}",
            "activity": f"{base}{V1}/Workspaces/{ws.sid}/Activities/{w.activity.sid}",
            "channels": f"{url}/Channels",
            "reservations": f"{url}/Reservations",
            "worker_statistics": f"{url}/Statistics",
        },
    }


def worker_channel_json(c: WorkerChannel, base: str) -> dict[str, Any]:
    worker = c.worker
    ws = worker.workspace
    spare = max(c.configured_capacity - c.assigned_tasks, 0)
    percentage = int(100 * spare / c.configured_capacity) if c.configured_capacity else 0
    return {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        "worker_sid": worker.sid,
        "sid": c.sid,
        "task_channel_sid": c.task_channel.sid,
        "task_channel_unique_name": c.task_channel.unique_name,
        "configured_capacity": c.configured_capacity,
        "assigned_tasks": c.assigned_tasks,
        "available": c.available,
        "available_capacity_percentage": percentage if c.available else 0,
        **_dates(c),
        "url": f"{base}{V1}/Workspaces/{ws.sid}/Workers/{worker.sid}/Channels/{c.sid}",
    }


def task_json(t: Task, base: str) -> dict[str, Any]:
    ws = t.workspace
    url = f"{base}{V1}/Workspaces/{ws.sid}/Tasks/{t.sid}"
    q, w = t.task_queue, t.workflow
    return {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        "sid": t.sid,
        "age": int((timezone.now() - t.date_created).total_seconds()),
        "assignment_status": t.assignment_status,
        "attributes": t.attributes,
        "addons": "{}",
        "priority": t.priority,
        "reason": t.reason or None,
        "timeout": t.timeout,
        "task_queue_sid": q.sid if q else None,
        "task_queue_friendly_name": q.friendly_name if q else None,
        "task_queue_entered_date": iso(t.task_queue_entered_date),
        "task_channel_sid": t.task_channel.sid,
        "task_channel_unique_name": t.task_channel.unique_name,
        "workflow_sid": w.sid if w else None,
        "workflow_friendly_name": w.friendly_name if w else None,
        "virtual_start_time": iso(t.date_created),
        "ignore_capacity": False,
        "routing_target": None,
        **_dates(t),
        "url": url,
        "links": {
            "workspace": f"{base}{V1}/Workspaces/{ws.sid}",
            "reservations": f"{url}/Reservations",
            **({"task_queue": f"{base}{V1}/Workspaces/{ws.sid}/TaskQueues/{q.sid}"} if q else {}),
            **({"workflow": f"{base}{V1}/Workspaces/{ws.sid}/Workflows/{w.sid}"} if w else {}),
        },
    }


def reservation_json(r: Reservation, base: str, under_worker: bool = False) -> dict[str, Any]:
    ws = r.workspace
    owner = f"Workers/{r.worker.sid}" if under_worker else f"Tasks/{r.task.sid}"
    return {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        "sid": r.sid,
        "reservation_status": r.reservation_status,
        "task_sid": r.task.sid,
        "worker_sid": r.worker.sid,
        "worker_name": r.worker.friendly_name,
        **_dates(r),
        "url": f"{base}{V1}/Workspaces/{ws.sid}/{owner}/Reservations/{r.sid}",
        "links": {
            "task": f"{base}{V1}/Workspaces/{ws.sid}/Tasks/{r.task.sid}",
            "worker": f"{base}{V1}/Workspaces/{ws.sid}/Workers/{r.worker.sid}",
            "workspace": f"{base}{V1}/Workspaces/{ws.sid}",
        },
    }


def event_json(e: Event, base: str) -> dict[str, Any]:
    ws = e.workspace
    return {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        "sid": e.sid,
        "event_type": e.event_type,
        "description": e.description,
        "resource_type": e.resource_type,
        "resource_sid": e.resource_sid,
        "resource_url": None,
        "actor_sid": ws.account.sid,
        "actor_type": "account",
        "actor_url": None,
        "event_data": e.event_data,
        "event_date": iso(e.date_created),
        "event_date_ms": int(e.date_created.timestamp() * 1000)
        if e.date_created
        else int(time.time() * 1000),
        "source": "api",
        "source_ip_address": None,
        "url": f"{base}{V1}/Workspaces/{ws.sid}/Events/{e.sid}",
        "links": {"workspace": f"{base}{V1}/Workspaces/{ws.sid}"},
    }
