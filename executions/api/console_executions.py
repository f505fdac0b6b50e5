"""The console's executions list: filters, paging, ending and deleting, and stuck executions.

``GET /api/console/flows/{FW}/executions`` filters by ``status``, ``since``/``until`` (date
created), ``contact`` (part of the contact's address) and ``stuck``; pages newest first through
any number of executions with ``page_token`` (keyset on the id: page N costs what page 1 does).

An execution is *stuck* when it is active and waiting at a widget, and either no timer is armed
and nothing happened for longer than ``stuck_after`` seconds (the flow waits for an event that
may never come), or its timer is overdue (the sweeper is not running). Twilio semantics for the
rest: ending sets ``status=ended`` as ``POST …/Executions/{FN}`` ``Status=ended`` does, deleting
removes the execution and its steps as ``DELETE …/Executions/{FN}`` does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.auth import request_account
from accounts.errors import TwilioAPIError, invalid_parameter, missing_parameter, not_found
from executions.api.console_sim import (
    OBJ,
    TAG,
    ConsoleExecutionDetail,
    ConsoleSimView,
    _data,
    _flow,
    execution_summary,
    iso,
)
from executions.engine import store
from executions.engine.ports import ports
from executions.models import Execution, Wait
from executions.voice import behind

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
DEFAULT_STUCK_AFTER_SECONDS = 3600
# A due timer is fired by the sweeper within a second or two; later than this, it is overdue.
TIMER_GRACE = dt.timedelta(seconds=60)
BULK_LIMIT = 200


def _moment(request: Request, name: str) -> dt.datetime | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    moment = parse_datetime(raw)
    if moment is None:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise invalid_parameter(name, "must be an ISO 8601 date or date-time") from None
        moment = dt.datetime.combine(day, dt.time.min)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise invalid_parameter(name, "must be an integer") from None
    if not low <= value <= high:
        raise invalid_parameter(name, f"must be between {low} and {high}")
    return value


def with_stuck(qs: QuerySet[Execution], stuck_after: int, now: dt.datetime) -> QuerySet[Execution]:
    """Annotate ``stuck_idle`` and ``stuck_overdue`` (two EXISTS over the waits' execution index)."""
    armed = Wait.objects.filter(execution=OuterRef("pk"), fire_at__gte=now - TIMER_GRACE)
    overdue = Wait.objects.filter(execution=OuterRef("pk"), fire_at__lt=now - TIMER_GRACE)
    waiting = Q(status=Execution.Status.ACTIVE) & ~Q(current_widget="")
    return qs.annotate(has_armed=Exists(armed), has_overdue=Exists(overdue)).annotate(
        stuck_idle=Q(
            waiting,
            has_armed=False,
            has_overdue=False,
            date_updated__lt=now - dt.timedelta(seconds=stuck_after),
        ),
        stuck_overdue=Q(waiting, has_overdue=True),
    )


def listed(ex: Execution) -> dict[str, Any]:
    reason = "timer_overdue" if ex.stuck_overdue else "idle" if ex.stuck_idle else None  # type: ignore[attr-defined]
    return {**execution_summary(ex), "stuck": reason is not None, "stuck_reason": reason}


class FlowExecutionList(ConsoleSimView):
    """``GET /api/console/flows/{FW}/executions`` ``?status=&since=&until=&contact=&stuck=&page_size=&page_token=``."""

    @extend_schema(operation_id="console_flow_executions", tags=TAG, responses=OBJ)
    def get(self, request: Request, sid: str) -> Response:
        flow = _flow(request, sid)
        params = request.query_params
        now = timezone.now()
        stuck_after = _int(request, "stuck_after", DEFAULT_STUCK_AFTER_SECONDS, 1, 365 * 86400)
        size = _int(request, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        qs = with_stuck(Execution.objects.filter(flow=flow), stuck_after, now)
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
        if contact:
            qs = qs.filter(contact_channel_address__icontains=contact)
        if params.get("stuck") in ("1", "true", "True"):
            qs = qs.filter(Q(stuck_idle=True) | Q(stuck_overdue=True))
        token = params.get("page_token")
        if token:
            if not token.isdigit():
                raise invalid_parameter("page_token", "is not a token this list gave")
            qs = qs.filter(id__lt=int(token))
        # Newest first by id (creation order): a keyset, so any page is as cheap as the first.
        rows = list(qs.select_related("flow").order_by("-id")[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        return Response(
            {
                "executions": [listed(ex) for ex in rows],
                "page_size": size,
                "next_page_token": str(rows[-1].id) if more else None,
                "stuck_after": stuck_after,
            }
        )


def _execution(request: Request, sid: str) -> Execution:
    behind.caught_up(sid)  # a live call's rows queued behind its answers (executions.voice.hot)
    ex = Execution.objects.select_related("flow").filter(account=request_account(request), sid=sid).first()
    if ex is None:
        raise not_found(f"The requested resource /Executions/{sid} was not found")
    return ex


def end(pk: int) -> bool:
    """End the execution (as ``Status=ended`` does); False when it had already ended."""
    with transaction.atomic():
        execution = store.lock(pk)
        if not execution.is_active:
            return False
        store.end_execution(execution, "Execution ended from the console")
        return True


class ExecutionDetailWithDelete(ConsoleExecutionDetail):
    """``GET`` as before; ``DELETE /api/console/executions/{FN}`` removes it and its steps (204)."""

    @extend_schema(operation_id="console_execution_delete", tags=TAG, responses={204: None})
    def delete(self, request: Request, sid: str) -> Response:
        execution = _execution(request, sid)
        ports().cool(execution.pk)  # a live call's turns stop with it (executions.voice.hot)
        execution.delete()
        return Response(status=204)


class EndExecution(ConsoleSimView):
    """``POST /api/console/executions/{FN}/end``: ended (200, the summary) or already ended (409)."""

    @extend_schema(operation_id="console_execution_end", tags=TAG, request=None, responses=OBJ)
    def post(self, request: Request, sid: str) -> Response:
        ex = _execution(request, sid)
        if not end(ex.pk):
            raise TwilioAPIError(409, 20409, f"Execution {ex.sid} has already ended")
        ex.refresh_from_db()
        return Response({**execution_summary(ex), "date_ended": iso(ex.date_ended)})


class EndExecutions(ConsoleSimView):
    """``POST /api/console/flows/{FW}/executions/end`` ``{sids: [FN…]}``: a bulk end of the flow's."""

    @extend_schema(operation_id="console_flow_executions_end", tags=TAG, request=OBJ, responses=OBJ)
    def post(self, request: Request, sid: str) -> Response:
        flow = _flow(request, sid)
        sids = _data(request).get("sids")
        if not sids:
            raise missing_parameter("sids")
        if not isinstance(sids, list) or not all(isinstance(s, str) for s in sids) or len(sids) > BULK_LIMIT:
            raise invalid_parameter("sids", f"must be a list of at most {BULK_LIMIT} execution SIDs")
        found = dict(Execution.objects.filter(flow=flow, sid__in=sids).values_list("sid", "pk"))
        ended = [s for s in sids if s in found and end(found[s])]
        return Response({"ended": ended, "not_found": [s for s in sids if s not in found]})
