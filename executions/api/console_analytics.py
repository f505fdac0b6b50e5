"""Path analytics for the canvas: how many steps took each transition, where executions ended.

``GET /api/console/flows/{FW}/analytics?since=&until=`` answers, over the steps written in the
window, one row per transition (widget, event, next widget) with its count, and per widget the
executions that ended there (the steps into ``Ended``: the drop-off). One aggregate query: the
flow's executions through their (flow, …) index, their steps through the step's execution index,
grouped by (from, event, to). Executions ended from outside (the API, "New conversation") write
no step and are not counted as drop-offs.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.errors import invalid_parameter
from executions.api.console_executions import _moment
from executions.api.console_sim import OBJ, TAG, ConsoleSimView, _flow, iso
from executions.models import Step
from studio.models import Flow

ENDED = "Ended"
DEFAULT_WINDOW = dt.timedelta(days=1)


def path_counts(flow: Flow, since: dt.datetime, until: dt.datetime | None) -> dict[str, object]:
    steps = Step.objects.filter(execution__flow=flow, date_created__gte=since)
    if until is not None:
        steps = steps.filter(date_created__lt=until)
    rows = (
        steps.order_by()
        .values("transitioned_from", "name", "transitioned_to")
        .annotate(count=Count("id"))
        .order_by("transitioned_from", "name", "transitioned_to")
    )
    transitions = [
        {"from": r["transitioned_from"], "event": r["name"], "to": r["transitioned_to"], "count": r["count"]}
        for r in rows
    ]
    dropoffs: dict[str, int] = {}
    entries: dict[str, int] = {}
    for t in transitions:
        count = int(str(t["count"]))
        if t["to"] == ENDED:
            dropoffs[str(t["from"])] = dropoffs.get(str(t["from"]), 0) + count
        else:
            entries[str(t["to"])] = entries.get(str(t["to"]), 0) + count
    return {
        "transitions": transitions,
        "dropoffs": [{"widget": w, "count": n} for w, n in sorted(dropoffs.items())],
        "entries": [{"widget": w, "count": n} for w, n in sorted(entries.items())],
        "step_count": sum(int(str(t["count"])) for t in transitions),
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
