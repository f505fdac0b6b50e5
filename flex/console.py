"""The agent console and supervisor view: pages, and their session-authenticated API.

``/flex/agent``: a console user linked to a worker (see flex/agents.py) goes Available or
Offline, sees reservations arrive live, accepts or rejects them, wraps up and completes.
``/flex/supervisor``: queues with their waiting tasks and ages, workers and their activities.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import ConsoleSessionAuthentication, IsAccountAuthenticated, request_account
from accounts.errors import TwilioAPIError, invalid_parameter, not_found
from flex import lifecycle
from flex.agents import contact_uri, workers_of
from flex.api.stats_views import queue_workers
from flex.conversation import (
    conversation_range,
    conversation_sid,
    has_conversation,
    history,
    last_indexes,
    typing,
)
from flex.defaults import FLEX_WORKSPACE
from flex.models import Activity, Reservation, Task, TaskQueue, Worker, Workspace
from flex.replies import post_reply

ACTIONS = ("accept", "reject", "wrap", "complete")


@login_required
@ensure_csrf_cookie
def agent_page(request: HttpRequest) -> HttpResponse:
    return render(request, "flex/console.html", {"page": "agent"})


@login_required
@ensure_csrf_cookie
def supervisor_page(request: HttpRequest) -> HttpResponse:
    return render(request, "flex/console.html", {"page": "supervisor"})


# The console's JSON is documented as plain objects (the agent and supervisor pages are its only
# clients); tagged so generated clients can tell it from the TaskRouter API.
CONSOLE_SCHEMA = extend_schema(
    tags=["flex console"], request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT
)


class ConsoleView(APIView):
    authentication_classes = [ConsoleSessionAuthentication]
    permission_classes = [IsAccountAuthenticated]


def _age(since: Any) -> int:
    return int((timezone.now() - since).total_seconds()) if since else 0


def task_view(task: Task) -> dict[str, Any]:
    return {
        "sid": task.sid,
        "assignment_status": task.assignment_status,
        "attributes": task.attrs(),
        "channel": task.task_channel.unique_name,
        "priority": task.priority,
        "age": _age(task.date_created),
        "queue": task.task_queue.friendly_name if task.task_queue else None,
    }


def _reservation_view(r: Reservation, with_messages: bool, indexes: dict[str, int | None]) -> dict[str, Any]:
    chat = r.task.task_channel.unique_name != "voice"
    shown = chat and r.reservation_status != Reservation.Status.PENDING
    sid = conversation_sid(r.task) if chat else ""
    view: dict[str, Any] = {
        "sid": r.sid,
        "reservation_status": r.reservation_status,
        "task": task_view(r.task),
        "conversation": chat and has_conversation(r.task),
        # The conversation shows once the agent has the task, not while it is only offered.
        # ``messages=0``: a conversation's messages are left out (the console keeps them, from
        # the ``flex.message`` events and range reads); ``last_index`` tells it what it lacks.
        "messages": history(r.task) if shown and (with_messages or not sid) else None,
        "last_index": indexes.get(sid) if shown and sid else None,
        "call": call_view(r),
    }
    if view["messages"] is None and not shown:
        view["messages"] = []
    return view


def worker_view(worker: Worker, with_messages: bool = True) -> dict[str, Any]:
    open_reservations = (
        Reservation.objects.select_related("task__task_channel", "task__task_queue")
        .filter(worker=worker, reservation_status__in=lifecycle.OPEN)
        .order_by("date_created", "id")
    )
    rows = list(open_reservations)
    sids = [conversation_sid(r.task) for r in rows if r.task.task_channel.unique_name != "voice"]
    indexes = last_indexes(worker.workspace.account_id, [s for s in sids if s])
    return {
        "sid": worker.sid,
        "friendly_name": worker.friendly_name,
        "workspace_sid": worker.workspace.sid,
        "activity_sid": worker.activity.sid,
        "activity_name": worker.activity.friendly_name,
        "available": worker.available,
        "activities": [
            {"sid": a.sid, "friendly_name": a.friendly_name, "available": a.available}
            for a in Activity.objects.filter(workspace=worker.workspace).order_by("date_created", "id")
        ],
        "reservations": [_reservation_view(r, with_messages, indexes) for r in rows],
    }


CALL_STATES = {"pending": "on hold", "accepted": "connected", "wrapping": "ended"}


def call_view(r: Reservation) -> dict[str, str] | None:
    """A voice task's call as the agent sees it: held while offered, connected once accepted
    (the simulated caller waits on the line: flex/voice_hold.py), ended at wrap-up."""
    attrs = r.task.attrs()
    if r.task.task_channel.unique_name != "voice" or not attrs.get("call_sid"):
        return None
    return {
        "sid": str(attrs["call_sid"]),
        "from": str(attrs.get("from") or ""),
        "state": CALL_STATES.get(r.reservation_status, r.reservation_status),
    }


def _my_worker(request: Request, sid: str) -> Worker:
    account = request_account(request)
    for worker in workers_of(request.user.user, [account.pk]):  # type: ignore[union-attr]
        if worker.sid == sid:
            return worker
    raise not_found(f"No worker {sid} is linked to you")


class Agent(ConsoleView):
    @CONSOLE_SCHEMA
    def get(self, request: Request) -> Response:
        account = request_account(request)
        user = request.user.user  # type: ignore[union-attr]
        workers = workers_of(user, [account.pk])
        # ``?messages=0``: without the conversations' histories (the console's re-reads).
        full = request.query_params.get("messages") != "0"
        return Response(
            {"contact_uri": contact_uri(user), "workers": [worker_view(w, full) for w in workers]}
        )


class AgentActivity(ConsoleView):
    @CONSOLE_SCHEMA
    def post(self, request: Request, worker_sid: str) -> Response:
        with transaction.atomic():
            worker = _my_worker(request, worker_sid)
            activity = Activity.objects.filter(
                workspace=worker.workspace, sid=request.data.get("activity_sid")
            ).first()
            if activity is None:
                raise invalid_parameter("activity_sid")
            locked = (
                Worker.objects.select_for_update(of=("self",)).select_related("workspace").get(pk=worker.pk)
            )
            if activity.pk != locked.activity_id:
                lifecycle.set_activity(locked, activity)
        return Response(worker_view(_my_worker(request, worker_sid)))


class AgentReservation(ConsoleView):
    @CONSOLE_SCHEMA
    def post(self, request: Request, worker_sid: str, sid: str) -> Response:
        with transaction.atomic():
            # The worker and reservation first: a stranger learns nothing from the body's check.
            worker = _my_worker(request, worker_sid)
            reservation = Reservation.objects.filter(worker=worker, sid=sid).first()
            if reservation is None:
                raise not_found(f"No reservation {sid} for this worker")
            action = str(request.data.get("action") or "")
            if action not in ACTIONS:
                raise invalid_parameter("action", "accept, reject, wrap or complete")
            if action == "accept":
                lifecycle.accept(reservation)
            elif action == "reject":
                lifecycle.reject(reservation)
            elif action == "wrap":
                lifecycle.wrap(reservation)
            else:
                lifecycle.complete(reservation)
        return Response(worker_view(_my_worker(request, worker_sid)))


def _held_reservation(request: Request, worker_sid: str, sid: str) -> tuple[Worker, Reservation]:
    """The user's worker and its accepted (or wrapping) reservation, read together in one query
    (the worker's ``contact_uri`` checked here: the messages' and typing's path, once per request)."""
    account = request_account(request)
    reservation = (
        Reservation.objects.select_related("task__workspace__account", "worker__workspace__account")
        .filter(sid=sid, worker__sid=worker_sid, worker__workspace__account=account)
        .first()
    )
    uri = contact_uri(request.user.user)  # type: ignore[union-attr]
    try:
        mine = reservation is not None and reservation.worker.attrs().get("contact_uri") == uri
    except ValueError:
        mine = False
    if reservation is None or not mine:
        raise not_found(f"No reservation {sid} for a worker {worker_sid} linked to you")
    if reservation.reservation_status not in (Reservation.Status.ACCEPTED, Reservation.Status.WRAPPING):
        raise TwilioAPIError(400, 20001, "Accept the reservation before writing to the contact")
    return reservation.worker, reservation


class AgentMessages(ConsoleView):
    """A held (accepted or wrapping) reservation's conversation: ``GET`` its messages after index
    ``after`` (a gap or a reconnect in the console: oldest first, ``more`` when it must ask
    again; without ``after``, the last 100), ``POST`` the agent's reply to the contact (answered
    with that message, which the console appends: no re-read)."""

    @CONSOLE_SCHEMA
    def get(self, request: Request, worker_sid: str, sid: str) -> Response:
        _, reservation = _held_reservation(request, worker_sid, sid)
        raw = request.query_params.get("after")
        after: int | None = None
        if raw is not None:
            try:
                after = int(raw)
            except ValueError:
                raise invalid_parameter("after", "an integer (a message index)") from None
        return Response(
            {
                "conversation_sid": conversation_sid(reservation.task) or None,
                **conversation_range(reservation.task, after),
            }
        )

    @CONSOLE_SCHEMA
    def post(self, request: Request, worker_sid: str, sid: str) -> Response:
        # ``client_id`` (optional): a resend of the same reply (a socket that closed before its
        # acknowledgement) finds the first message (flex/replies.py, the socket's rules too).
        # No transaction around the reply: a conversation's pre-action webhook (conversations.hooks)
        # is asked before its message is added, and no lock may be held while it answers.
        worker, reservation = _held_reservation(request, worker_sid, sid)
        item = post_reply(reservation, worker, request.data.get("body"), request.data.get("client_id"))
        return Response({"message": item}, status=201)


class AgentTyping(ConsoleView):
    """The agent is typing: a conversation's other participants (a web chat visitor) see it."""

    @CONSOLE_SCHEMA
    def post(self, request: Request, worker_sid: str, sid: str) -> Response:
        worker, reservation = _held_reservation(request, worker_sid, sid)
        typing(reservation.task, worker)
        return Response({"typing": True})


class Defaults(ConsoleView):
    """What the canvas's Flex templates need: the "Flex Task Assignment" workspace's Assign to
    Anyone workflow and its task channels (``null`` / ``{}`` when the account has none)."""

    @CONSOLE_SCHEMA
    def get(self, request: Request) -> Response:
        account = request_account(request)
        ws = Workspace.objects.filter(account=account, friendly_name=FLEX_WORKSPACE).order_by("id").first()
        workflow = (
            ws.workflows.filter(friendly_name="Assign to Anyone").order_by("id").first()  # type: ignore[attr-defined]
            if ws
            else None
        )
        channels = {c.unique_name: c.sid for c in ws.task_channels.all()} if ws else {}  # type: ignore[attr-defined]
        return Response(
            {
                "workspace_sid": ws.sid if ws else None,
                "workflow_sid": workflow.sid if workflow else None,
                "channels": channels,
            }
        )


class Supervisor(ConsoleView):
    @CONSOLE_SCHEMA
    def get(self, request: Request) -> Response:
        account = request_account(request)
        return Response(
            {"workspaces": [_workspace_view(ws) for ws in Workspace.objects.filter(account=account)]}
        )


def _workspace_view(ws: Workspace) -> dict[str, Any]:
    waiting = (
        Task.objects.select_related("task_channel", "task_queue")
        .filter(workspace=ws, assignment_status__in=(Task.Status.PENDING, Task.Status.RESERVED))
        .order_by("date_created", "id")
    )
    by_queue: dict[int | None, list[dict[str, Any]]] = {}
    for task in waiting[:500]:
        by_queue.setdefault(task.task_queue_id, []).append(task_view(task))
    queues = []
    for queue in TaskQueue.objects.filter(workspace=ws).order_by("date_created", "id"):
        eligible = queue_workers(queue)
        queues.append(
            {
                "sid": queue.sid,
                "friendly_name": queue.friendly_name,
                "target_workers": queue.target_workers,
                "eligible_workers": len(eligible),
                "available_workers": sum(1 for w in eligible if w.available),
                "waiting": by_queue.get(queue.pk, []),
            }
        )
    workers = []
    for worker in Worker.objects.select_related("activity").filter(workspace=ws).order_by("friendly_name"):
        held = Reservation.objects.filter(worker=worker, reservation_status__in=lifecycle.OPEN).count()
        workers.append(
            {
                "sid": worker.sid,
                "friendly_name": worker.friendly_name,
                "activity_name": worker.activity.friendly_name,
                "available": worker.available,
                "open_reservations": held,
                "since": _age(worker.date_status_changed),
            }
        )
    return {"sid": ws.sid, "friendly_name": ws.friendly_name, "queues": queues, "workers": workers}
