"""A simulated caller held by ``<Enqueue workflowSid>`` until an agent takes the call.

The call simulator plays a flow's TwiML in-process; when a voice Send to Flex (or Enqueue Call
with a workflow) enqueues the caller, ``hold_call`` creates the voice Task (the call's own
attributes merged in, as Twilio adds them) and keeps the caller in the queue: the agent
console shows the held call; when the agent accepts, the call is connected; when the agent
wraps up or completes, the bridged call ends and the ``<Enqueue>`` action gets
``QueueResult=bridged`` with the seconds waited. A task canceled while waiting (its TTL, a
supervisor) lets the caller leave (``leave``); a workflow that is not the account's, or
attributes that are not a JSON object, answer ``error`` at once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction

from accounts.errors import TwilioAPIError
from flex.intake import create_task, find_channel
from flex.lifecycle import cancel
from flex.models import Reservation, Task, Workflow

POLL_SECONDS = 0.1
WAITING = (Task.Status.PENDING, Task.Status.RESERVED)
ENDED = (Task.Status.WRAPPING, Task.Status.COMPLETED)


def longest_hold() -> float:
    """How long a simulated caller stays on the line at most (waiting, then connected)."""
    return float(getattr(settings, "FLEX_SIMULATED_HOLD_SECONDS", 900))


def call_attributes(call: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "inbound",
        "call_sid": call.get("CallSid", ""),
        "account_sid": call.get("AccountSid", ""),
        "from": call.get("From", ""),
        "to": call.get("To", ""),
        "caller": call.get("From", ""),
        "called": call.get("To", ""),
        "direction": call.get("Direction", "inbound"),
    }


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def enqueue(account: Any, request: dict[str, Any]) -> Task:
    """The voice Task of a held call; ``TwilioAPIError`` when it cannot be made."""
    workflow = (
        Workflow.objects.select_related("workspace__account")
        .filter(sid=str(request.get("workflow_sid") or ""), workspace__account=account)
        .first()
    )
    if workflow is None:
        raise TwilioAPIError(400, 20001, f"Workflow {request.get('workflow_sid')} is not in this account")
    try:
        attributes = json.loads(str(request.get("task") or "{}"))
    except ValueError:
        raise TwilioAPIError(400, 20001, "The task's attributes are not JSON") from None
    if not isinstance(attributes, dict):
        raise TwilioAPIError(400, 20001, "The task's attributes must be a JSON object")
    merged = {**call_attributes(request.get("call") or {}), **attributes}
    workspace = workflow.workspace
    try:
        channel = find_channel(workspace, "voice")
    except TwilioAPIError:
        channel = find_channel(workspace, "default")
    with transaction.atomic():
        return create_task(
            workspace, workflow, channel, merged, _int(request.get("priority")), _int(request.get("timeout"))
        )


def _agent(task_id: int) -> str:
    reservation = (
        Reservation.objects.filter(task_id=task_id, reservation_status=Reservation.Status.ACCEPTED)
        .select_related("worker")
        .first()
    )
    return reservation.worker.friendly_name if reservation else ""


def _give_up(task_id: int, reason: str) -> None:
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("workspace").get(pk=task_id)
        if task.assignment_status in WAITING:
            cancel(task, reason)


def hold_call(
    account: Any, request: dict[str, Any], *, sleep: Callable[[float], None] = time.sleep
) -> dict[str, Any]:
    """Hold the caller until the call leaves the queue; ``{"result", "queue_sid", "queue_time"}``."""
    try:
        task = enqueue(account, request)
    except TwilioAPIError as exc:
        return {"result": "error", "reason": exc.message}
    if connection.vendor == "sqlite":
        # SQLite's shared-cache mode (the test database): this loop's reads would lock the task
        # table against the agent's accept; uncommitted-read readers take no table locks. No
        # effect on a database file or on PostgreSQL.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = true")
    on_connect = request.get("on_connect")
    started = time.monotonic()
    ttl_end = started + task.timeout
    limit = started + longest_hold()
    connected_at: float | None = None
    queue_sid = ""
    while True:
        try:
            row = Task.objects.filter(pk=task.pk).values("assignment_status", "task_queue__sid").first()
        except OperationalError:  # SQLite's shared-cache test database: a writer holds the table
            sleep(POLL_SECONDS)
            continue
        status = row["assignment_status"] if row else Task.Status.CANCELED
        queue_sid = (row["task_queue__sid"] if row else "") or queue_sid
        now = time.monotonic()
        if status == Task.Status.ASSIGNED and connected_at is None:
            connected_at = now
            if callable(on_connect):
                on_connect(_agent(task.pk))
        if status in ENDED or (connected_at is not None and now >= limit):
            if connected_at is None:
                connected_at = now
            return {"result": "bridged", "queue_sid": queue_sid, "queue_time": int(connected_at - started)}
        if status == Task.Status.CANCELED:
            return {"result": "leave", "queue_sid": queue_sid, "queue_time": int(now - started)}
        if status in WAITING and now >= min(ttl_end, limit):
            _give_up(task.pk, "The caller left the queue" if now >= limit else "Task TTL Exceeded")
            continue
        sleep(POLL_SECONDS)
