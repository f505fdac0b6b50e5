"""Outbound callbacks: the workflow's assignment callback and the workspace's event callback.

Both are POSTed form-encoded, signed with the account's auth token (``X-Twilio-Signature``),
through the project's guarded HTTP client (executions/backends/http_client.py: no private addresses
unless allowed, bounded time and size). They run after commit, outside any lock.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.db import transaction

from accounts.signing import twilio_signature
from executions.backends.http_client import request
from flex import lifecycle
from flex.models import Activity, Event, Reservation
from studio.widgets.runtime import HttpError, HttpResponse, json_object

log = logging.getLogger(__name__)
EVENT_TIMEOUT = 15.0  # Twilio waits 15 s for an event callback's answer
ACCEPTING = ("accept", "dequeue", "call", "redirect", "conference")  # the agent takes the task


def _post(url: str, auth_token: str, params: dict[str, str], timeout: float | None = None) -> HttpResponse:
    form = [(k, v) for k, v in params.items()]
    headers = {"X-Twilio-Signature": twilio_signature(auth_token, url, form)}
    return request("POST", url, form=form, headers=headers, timeout=timeout)


def _flat(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def post_event(event_id: int) -> None:
    event = Event.objects.select_related("workspace__account").filter(pk=event_id).first()
    if event is None or not event.workspace.event_callback_url:
        return
    ws = event.workspace
    params = {
        "EventType": event.event_type,
        "AccountSid": ws.account.sid,
        "WorkspaceSid": ws.sid,
        "WorkspaceName": ws.friendly_name,
        "EventDescription": event.description,
        "ResourceType": event.resource_type,
        "ResourceSid": event.resource_sid,
        "Sid": event.sid,
        "Timestamp": str(int(event.date_created.timestamp())),
        "TimestampMs": str(int(event.date_created.timestamp() * 1000)),
        **{str(k): _flat(v) for k, v in (event.event_data or {}).items()},
    }
    try:
        _post(ws.event_callback_url, ws.account.auth_token, params, EVENT_TIMEOUT)
    except HttpError as exc:
        log.warning("event callback %s to %s failed: %s", event.sid, ws.event_callback_url, exc.message)


def assignment_params(reservation: Reservation) -> dict[str, str]:
    task, worker = reservation.task, reservation.worker
    age = int((dt.datetime.now(dt.UTC) - task.date_created).total_seconds())
    return {
        "Timestamp": str(int(dt.datetime.now(dt.UTC).timestamp())),
        "AccountSid": task.workspace.account.sid,
        "WorkspaceSid": task.workspace.sid,
        "WorkflowSid": task.workflow.sid if task.workflow else "",
        "TaskQueueSid": task.task_queue.sid if task.task_queue else "",
        "WorkerSid": worker.sid,
        "WorkerAttributes": worker.attributes,
        "TaskSid": task.sid,
        "TaskAttributes": task.attributes,
        "TaskAge": str(age),
        "TaskPriority": str(task.priority),
        "ReservationSid": reservation.sid,
    }


def post_assignment(reservation_id: int) -> None:
    """POST the assignment callback (then the fallback URL); honour the answer's instruction."""
    reservation = (
        Reservation.objects.select_related(
            "task__workspace__account", "task__workflow", "task__task_queue", "worker", "workspace"
        )
        .filter(pk=reservation_id)
        .first()
    )
    if reservation is None or reservation.task.workflow is None:
        return
    workflow = reservation.task.workflow
    params = assignment_params(reservation)
    token = reservation.task.workspace.account.auth_token
    answer: dict[str, Any] | None = None
    for url in (workflow.assignment_callback_url, workflow.fallback_assignment_callback_url):
        if not url:
            continue
        try:
            response = _post(url, token, params)
        except HttpError as exc:
            log.warning("assignment callback %s to %s failed: %s", reservation.sid, url, exc.message)
            continue
        if response.status_code >= 400:
            continue
        answer = json_object(response) if response.body.strip() else {}
        break
    if answer:
        follow(reservation, answer)


def follow(reservation: Reservation, answer: dict[str, Any]) -> None:
    """An assignment instruction: accept (and the voice ones, which take the task), or reject."""
    instruction = str(answer.get("instruction") or "").strip().lower()
    activity_sid = answer.get("activity_sid") or answer.get("post_work_activity_sid")
    with transaction.atomic():
        fresh = Reservation.objects.filter(pk=reservation.pk).first()
        if fresh is None or fresh.reservation_status != Reservation.Status.PENDING:
            return  # already handled over REST, or timed out meanwhile
        activity = (
            Activity.objects.filter(workspace_id=fresh.workspace_id, sid=activity_sid).first()
            if activity_sid
            else None
        )
        if instruction in ACCEPTING:
            lifecycle.accept(fresh)
        elif instruction == "reject":
            lifecycle.reject(fresh, activity)
