"""The executions explorer: every execution of the account, whatever its flow.

``GET /api/console/executions`` takes the flow list's filters (``status``, ``since``/``until``,
``contact``, ``stuck``, ``stuck_after``) plus ``flow`` (FW…), ``revision`` (a flow's revision
number; with ``flow``) and ``widget`` (the widget it currently waits at), and pages newest first
with a keyset ``page_token`` (the last id seen), so page 10,000 costs what page 1 does.

``POST /api/console/executions/end`` and ``…/delete`` take ``{sids: [FN…]}`` and act on the
account's executions only; another account's sids come back as ``not_found``. Viewers read, and
are refused (403) anything that changes an execution (``CanEditOrReadOnly``).

``GET /api/console/executions/{FN}/trace`` is the execution page: its steps, each with the
messages and calls its widget exchanged, the HTTP request it made, and the warnings and errors
the engine logged at it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.auth import request_account
from accounts.errors import invalid_parameter, missing_parameter, not_found
from executions.api.console_executions import (
    BULK_LIMIT,
    DEFAULT_PAGE_SIZE,
    DEFAULT_STUCK_AFTER_SECONDS,
    MAX_PAGE_SIZE,
    _int,
    _moment,
    end,
    listed,
    with_stuck,
)
from executions.api.console_sim import OBJ, TAG, ConsoleSimView, _data, execution_summary, iso, step_body
from executions.engine.ports import ports
from executions.models import Call, Execution, Message, Step
from executions.voice import behind
from studio.models import Flow

HTTP_WIDGETS = ("make-http-request", "run-function")
# An E.164 number or a channel address (whatsapp:+1…, client:alice, messenger:…): a whole contact.
WHOLE_ADDRESS = re.compile(r"^(\+\d{7,15}|[a-z]+:\S+)$")
OWNER_TOLERANCE = dt.timedelta(seconds=2)


def _sids(request: Request) -> list[str]:
    sids = _data(request).get("sids")
    if not sids:
        raise missing_parameter("sids")
    if not isinstance(sids, list) or not all(isinstance(s, str) for s in sids) or len(sids) > BULK_LIMIT:
        raise invalid_parameter("sids", f"must be a list of at most {BULK_LIMIT} execution SIDs")
    behind.caught_up(*sids)  # live calls' rows queued behind their answers (executions.voice.hot)
    return sids


class AccountExecutionList(ConsoleSimView):
    """``GET /api/console/executions`` ``?flow=&revision=&widget=&status=&since=&until=&contact=&stuck=``."""

    @extend_schema(operation_id="console_executions", tags=TAG, responses=OBJ)
    def get(self, request: Request) -> Response:
        account = request_account(request)
        params = request.query_params
        stuck_after = _int(request, "stuck_after", DEFAULT_STUCK_AFTER_SECONDS, 1, 365 * 86400)
        size = _int(request, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        qs = with_stuck(Execution.objects.filter(account=account), stuck_after, timezone.now())
        flow_sid = str(params.get("flow") or "").strip()
        flow: Flow | None = None
        if flow_sid:
            flow = Flow.objects.filter(account=account, sid=flow_sid).only("pk").first()
            if flow is None:
                raise not_found(f"The requested resource /Flows/{flow_sid} was not found")
            qs = qs.filter(flow=flow)
        if params.get("revision"):
            if not flow_sid:
                raise invalid_parameter("revision", "needs a flow")
            qs = qs.filter(flow_version=_int(request, "revision", 0, 1, 2**31 - 1))
        widget = str(params.get("widget") or "").strip()
        if widget:
            qs = qs.filter(status=Execution.Status.ACTIVE, current_widget=widget)
        status = params.get("status")
        if status:
            if status not in ("active", "ended"):
                raise invalid_parameter("status", "must be active or ended")
            qs = qs.filter(status=status)
        since, until = _moment(request, "since"), _moment(request, "until")
        if since is not None:
            qs = qs.filter(date_created__gte=since)
        if until is not None:
            qs = qs.filter(date_created__lt=until)
        contact = str(params.get("contact") or "").strip()
        if contact and WHOLE_ADDRESS.match(contact):
            # A whole address matches exactly, through the (flow, contact, …) index: naming the
            # account's flows lets the planner use it without a flow filter. Part of one
            # (a few digits) scans the account's executions newest first until a page is full.
            flows = (
                [flow.pk]
                if flow is not None
                else list(Flow.objects.filter(account=account).values_list("pk", flat=True))
            )
            qs = qs.filter(flow_id__in=flows, contact_channel_address=contact)
        elif contact:
            qs = qs.filter(contact_channel_address__icontains=contact)
        if params.get("stuck") in ("1", "true", "True"):
            qs = qs.filter(Q(stuck_idle=True) | Q(stuck_overdue=True))
        token = params.get("page_token")
        if token:
            if not token.isdigit():
                raise invalid_parameter("page_token", "is not a token this list gave")
            qs = qs.filter(id__lt=int(token))
        rows = list(qs.select_related("flow").order_by("-id")[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        return Response(
            {
                "executions": [{**listed(ex), "flow_name": ex.flow.friendly_name} for ex in rows],
                "page_size": size,
                "next_page_token": str(rows[-1].id) if more else None,
                "stuck_after": stuck_after,
            }
        )


class BulkEnd(ConsoleSimView):
    """``POST /api/console/executions/end`` ``{sids}``: ends the account's active ones among them."""

    @extend_schema(operation_id="console_executions_end", tags=TAG, request=OBJ, responses=OBJ)
    def post(self, request: Request) -> Response:
        sids = _sids(request)
        found = dict(
            Execution.objects.filter(account=request_account(request), sid__in=sids).values_list("sid", "pk")
        )
        ended = [s for s in sids if s in found and end(found[s])]
        return Response({"ended": ended, "not_found": [s for s in sids if s not in found]})


class BulkDelete(ConsoleSimView):
    """``POST /api/console/executions/delete`` ``{sids}``: removes them and their steps."""

    @extend_schema(operation_id="console_executions_delete", tags=TAG, request=OBJ, responses=OBJ)
    def post(self, request: Request) -> Response:
        sids = _sids(request)
        qs = Execution.objects.filter(account=request_account(request), sid__in=sids)
        found = set(qs.values_list("sid", flat=True))
        for pk in qs.filter(status=Execution.Status.ACTIVE).values_list("pk", flat=True):
            ports().cool(pk)  # a live call's turns stop with it (executions.voice.hot)
        qs.delete()
        return Response(
            {"deleted": [s for s in sids if s in found], "not_found": [s for s in sids if s not in found]}
        )


def _message(m: Message) -> dict[str, Any]:
    return {
        "sid": m.sid,
        "direction": m.direction,
        "from": m.from_address,
        "to": m.to_address,
        "body": m.body,
        "media_urls": m.media_urls,
        "status": m.status,
        "error_code": m.error_code,
        "widget": m.widget or None,
        "date_created": iso(m.date_created),
    }


def _call(c: Call) -> dict[str, Any]:
    return {
        "sid": c.sid,
        "direction": c.direction,
        "from": c.from_address,
        "to": c.to_address,
        "status": c.status,
        "twiml": c.twiml,
        "transcript": c.transcript,
        "widget": c.widget or None,
        "date_created": iso(c.date_created),
    }


def _moment_of(value: Any) -> dt.datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None


def _entering(stamp: Any, steps: list[dict[str, Any]]) -> int | None:
    """The step into the widget that sent a message or placed a call: a widget's messages are
    written as it runs, just before the step that entered it (steps are saved together at the
    end of the run), so it is the first step written at or after the message."""
    moment = _moment_of(stamp)
    if moment is None or not steps:
        return None
    for i, step in enumerate(steps):
        taken = _moment_of(step["date_created"])
        if taken is not None and taken >= moment:
            return i
    return len(steps) - 1


def _logged_at(entry: dict[str, Any], steps: list[dict[str, Any]]) -> int | None:
    """The step into the widget the engine named in a log entry (the latest one written around
    the entry's time; the entry is stamped as the run starts saving)."""
    into = [i for i, s in enumerate(steps) if s["to"] == entry.get("widget")]
    if not into:
        return None
    moment = _moment_of(entry.get("date"))
    if moment is not None:
        before = [
            i for i in into if (_moment_of(steps[i]["date_created"]) or moment) <= moment + OWNER_TOLERANCE
        ]
        if before:
            return before[-1]
    return into[-1]


def trace(ex: Execution) -> dict[str, Any]:
    steps = [
        {**step_body(s), "messages": [], "calls": [], "log": [], "http": None}
        for s in Step.objects.filter(execution=ex).order_by("date_created", "id")
    ]
    messages = [_message(m) for m in Message.objects.filter(execution=ex).order_by("date_created", "id")]
    calls = [
        _call(c)
        for c in Call.objects.filter(
            Q(execution_sid=ex.sid) | Q(sid=ex.initiated_by), account=ex.account
        ).order_by("id")
    ]
    for kind, items in (("messages", messages), ("calls", calls)):
        for item in items:
            if item["direction"] == "inbound":
                continue  # what the contact sent is the trigger or resume of a step, listed apart
            at = _entering(item["date_created"], steps)
            if at is not None:
                steps[at][kind].append(item)
    unplaced: list[dict[str, Any]] = []
    for entry in ex.log or []:
        at = _logged_at(entry, steps)
        (unplaced if at is None else steps[at]["log"]).append(entry)
    for step in steps:
        if step["widget_type"] in HTTP_WIDGETS and isinstance(step["context"], dict):
            outputs = (step["context"].get("widgets") or {}).get(step["from"]) or {}
            ctx = outputs if isinstance(outputs, dict) else {}
            step["http"] = {
                "status_code": ctx.get("status_code"),
                "content_type": ctx.get("content_type"),
                "body": ctx.get("body"),
            }
    return {
        **execution_summary(ex),
        "flow_name": ex.flow.friendly_name,
        "context": ex.context,
        "log": ex.log,
        "messages": messages,
        "calls": calls,
        "steps": steps,
        "unplaced_log": unplaced,
    }


class ExecutionTrace(ConsoleSimView):
    """``GET /api/console/executions/{FN}/trace``: steps with what each exchanged and raised."""

    @extend_schema(operation_id="console_execution_trace", tags=TAG, responses=OBJ)
    def get(self, request: Request, sid: str) -> Response:
        ex = (
            Execution.objects.select_related("flow", "account")
            .filter(account=request_account(request), sid=sid)
            .first()
        )
        if ex is None:
            raise not_found(f"The requested resource /Executions/{sid} was not found")
        return Response(trace(ex))
