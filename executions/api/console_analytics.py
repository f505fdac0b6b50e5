"""Path analytics for the canvas: how many executions took each transition, where they ended.

``GET /api/console/flows/{FW}/analytics?since=&until=`` answers, over the window, one row per
transition (widget, event, next widget) with its count; per widget its entries, its drop-offs
(the steps into ``Ended``: the execution ended or timed out there) and its error rate (steps
leaving it by ``error``, over all steps leaving it). Counts come from the aggregate the engine
keeps as it writes steps (``executions.models.PathCount``, hour buckets): one query summing a
few rows per hour, whatever the number of steps. Windows are whole hours: ``since`` counts from
the start of its hour, ``until`` up to the start of its own (exclusive). Executions ended from
outside (the API, "New conversation") write no step and are not counted as drop-offs.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.errors import invalid_parameter
from executions.api.console_executions import _moment
from executions.api.console_sim import OBJ, TAG, ConsoleSimView, _flow, iso
from executions.engine.path_counts import hour_of
from executions.models import PathCount
from studio.models import Flow

ENDED = "Ended"
ERROR = "error"  # the event of a step whose widget raised (the engine ends the execution)
DEFAULT_WINDOW = dt.timedelta(days=1)


def path_counts(flow: Flow, since: dt.datetime, until: dt.datetime | None) -> dict[str, object]:
    rows = PathCount.objects.filter(flow=flow, hour__gte=hour_of(since))
    if until is not None:
        rows = rows.filter(hour__lt=hour_of(until))
    grouped = (
        rows.order_by()
        .values("from_widget", "event", "to_widget")
        .annotate(total=Sum("count"))
        .order_by("from_widget", "event", "to_widget")
    )
    transitions = [
        {"from": r["from_widget"], "event": r["event"], "to": r["to_widget"], "count": int(r["total"])}
        for r in grouped
    ]
    dropoffs: dict[str, int] = {}
    entries: dict[str, int] = {}
    runs: dict[str, int] = {}
    errors: dict[str, int] = {}
    for t in transitions:
        count, source, target = int(str(t["count"])), str(t["from"]), str(t["to"])
        runs[source] = runs.get(source, 0) + count
        if t["event"] == ERROR:
            errors[source] = errors.get(source, 0) + count
        if target == ENDED:
            dropoffs[source] = dropoffs.get(source, 0) + count
        else:
            entries[target] = entries.get(target, 0) + count
    return {
        "transitions": transitions,
        "dropoffs": [{"widget": w, "count": n} for w, n in sorted(dropoffs.items())],
        "entries": [{"widget": w, "count": n} for w, n in sorted(entries.items())],
        "errors": [
            {"widget": w, "count": errors.get(w, 0), "runs": n, "rate": round(errors.get(w, 0) / n, 4)}
            for w, n in sorted(runs.items())
        ],
        "step_count": sum(runs.values()),
    }


class FlowAnalytics(ConsoleSimView):
    """``GET /api/console/flows/{FW}/analytics?since=&until=`` (default: the last 24 hours)."""

    @extend_schema(operation_id="console_flow_analytics", tags=TAG, responses=OBJ)
    def get(self, request: Request, sid: str) -> Response:
        flow = _flow(request, sid)
        since = _moment(request, "since") or timezone.now() - DEFAULT_WINDOW
        until = _moment(request, "until")
        if until is not None and until <= since:
            raise invalid_parameter("until", "must be after since")
        return Response(
            {
                "flow_sid": flow.sid,
                "since": iso(since),
                "until": iso(until),
                **path_counts(flow, since, until),
            }
        )
