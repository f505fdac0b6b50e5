"""Statistics and CumulativeStatistics of a workspace, its queues, workflows and workers, at
Twilio's paths (the RealTimeStatistics are in stats_views.py). ``Statistics`` holds both a
``realtime`` and a ``cumulative`` object; the cumulative numbers count the window's events
(cumulative.py)."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from accounts.pagination import paginate
from flex.api.common import TaskRouterView, iso, one, origin, workspace_for
from flex.api.cumulative import (
    Window,
    activity_durations,
    reservations,
    task_numbers,
    window,
    window_events,
)
from flex.api.stats_views import (
    queue_in,
    queue_realtime,
    workers_realtime,
    workflow_in,
    workflow_realtime,
    workspace_realtime,
)
from flex.models import TaskQueue, Worker, Workspace

WS = "/v1/Workspaces"
WORKSPACE_ONLY = ("tasks_entered",)
FLOW_ONLY = ("tasks_created",)
QUEUE_ONLY = ("tasks_created", "tasks_timed_out_in_workflow")


def _without(numbers: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in numbers.items() if k not in keys}


def workspace_cumulative(request: Request, ws: Workspace, w: Window) -> dict[str, Any]:
    return {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        **_without(task_numbers(ws, w), WORKSPACE_ONLY),
        "url": f"{origin(request)}{WS}/{ws.sid}/CumulativeStatistics",
    }


def queue_cumulative(request: Request, ws: Workspace, queue: TaskQueue, w: Window) -> dict[str, Any]:
    numbers = _without(task_numbers(ws, w, TaskQueueSid=queue.sid), QUEUE_ONLY)
    numbers["wait_duration_in_queue_until_accepted"] = numbers["wait_duration_until_accepted"]
    return {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        "task_queue_sid": queue.sid,
        **numbers,
        "url": f"{origin(request)}{WS}/{ws.sid}/TaskQueues/{queue.sid}/CumulativeStatistics",
    }


def workflow_cumulative(request: Request, ws: Workspace, flow: Any, w: Window) -> dict[str, Any]:
    return {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        "workflow_sid": flow.sid,
        **_without(task_numbers(ws, w, WorkflowSid=flow.sid), FLOW_ONLY),
        "url": f"{origin(request)}{WS}/{ws.sid}/Workflows/{flow.sid}/CumulativeStatistics",
    }


def workers_cumulative(
    request: Request, ws: Workspace, w: Window, worker: Worker | None = None
) -> dict[str, Any]:
    workers = [worker] if worker else list(Worker.objects.filter(workspace=ws).select_related("activity"))
    events = window_events(ws, w, WorkerSid=worker.sid if worker else "")
    out = {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        "start_time": iso(w.start),
        "end_time": iso(w.end),
        "activity_durations": activity_durations(ws, w, workers),
        **reservations(events),
        "url": f"{origin(request)}{WS}/{ws.sid}/Workers/CumulativeStatistics",
    }
    if worker:
        out["worker_sid"] = worker.sid
        out["url"] = f"{origin(request)}{WS}/{ws.sid}/Workers/{worker.sid}/Statistics"
    return out


def _both(ids: dict[str, str], realtime: dict[str, Any], cumulative: dict[str, Any], url: str) -> Response:
    return Response({**ids, "realtime": realtime, "cumulative": cumulative, "url": url})


class WorkspaceCumulativeStatistics(TaskRouterView):
    def get(self, request: Request, ws_sid: str) -> Response:
        ws = workspace_for(request, ws_sid)
        return Response(workspace_cumulative(request, ws, window(request)))


class WorkspaceStatistics(TaskRouterView):
    def get(self, request: Request, ws_sid: str) -> Response:
        ws = workspace_for(request, ws_sid)
        return _both(
            {"account_sid": ws.account.sid, "workspace_sid": ws.sid},
            workspace_realtime(request, ws),
            workspace_cumulative(request, ws, window(request)),
            f"{origin(request)}{WS}/{ws.sid}/Statistics",
        )


class QueueCumulativeStatistics(TaskRouterView):
    def get(self, request: Request, ws_sid: str, queue_sid: str) -> Response:
        ws = workspace_for(request, ws_sid)
        return Response(queue_cumulative(request, ws, queue_in(ws, queue_sid), window(request)))


def queue_statistics(request: Request, ws: Workspace, queue: TaskQueue, w: Window) -> dict[str, Any]:
    return {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        "task_queue_sid": queue.sid,
        "realtime": queue_realtime(request, ws, queue),
        "cumulative": queue_cumulative(request, ws, queue, w),
        "url": f"{origin(request)}{WS}/{ws.sid}/TaskQueues/{queue.sid}/Statistics",
    }


class QueueStatistics(TaskRouterView):
    def get(self, request: Request, ws_sid: str, queue_sid: str) -> Response:
        ws = workspace_for(request, ws_sid)
        return Response(queue_statistics(request, ws, queue_in(ws, queue_sid), window(request)))


class QueuesStatistics(TaskRouterView):
    """``/TaskQueues/Statistics``: every queue's statistics, paged (``FriendlyName`` filters)."""

    def get(self, request: Request, ws_sid: str) -> Response:
        ws = workspace_for(request, ws_sid)
        w = window(request)
        queues = TaskQueue.objects.filter(workspace=ws)
        name = request.query_params.get("FriendlyName")
        if name:
            queues = queues.filter(friendly_name=name)
        body = paginate(
            request,
            queues,
            "task_queues_statistics",
            lambda q: queue_statistics(request, ws, q, w),
            path=f"{WS}/{ws.sid}/TaskQueues/Statistics",
        )
        return Response(body)


class WorkflowCumulativeStatistics(TaskRouterView):
    def get(self, request: Request, ws_sid: str, workflow_sid: str) -> Response:
        ws = workspace_for(request, ws_sid)
        return Response(workflow_cumulative(request, ws, workflow_in(ws, workflow_sid), window(request)))


class WorkflowStatistics(TaskRouterView):
    def get(self, request: Request, ws_sid: str, workflow_sid: str) -> Response:
        ws = workspace_for(request, ws_sid)
        flow = workflow_in(ws, workflow_sid)
        return _both(
            {"account_sid": ws.account.sid, "workspace_sid": ws.sid, "workflow_sid": flow.sid},
            workflow_realtime(request, ws, flow),
            workflow_cumulative(request, ws, flow, window(request)),
            f"{origin(request)}{WS}/{ws.sid}/Workflows/{flow.sid}/Statistics",
        )


class WorkersCumulativeStatistics(TaskRouterView):
    def get(self, request: Request, ws_sid: str) -> Response:
        ws = workspace_for(request, ws_sid)
        return Response(workers_cumulative(request, ws, window(request)))


class WorkersStatistics(TaskRouterView):
    def get(self, request: Request, ws_sid: str) -> Response:
        ws = workspace_for(request, ws_sid)
        return _both(
            {"account_sid": ws.account.sid, "workspace_sid": ws.sid},
            workers_realtime(request, ws),
            workers_cumulative(request, ws, window(request)),
            f"{origin(request)}{WS}/{ws.sid}/Workers/Statistics",
        )


class WorkerStatistics(TaskRouterView):
    def get(self, request: Request, ws_sid: str, worker_sid: str) -> Response:
        ws = workspace_for(request, ws_sid)
        worker = one(
            Worker.objects.filter(workspace=ws).select_related("activity"),
            f"{WS}/{ws.sid}/Workers/{worker_sid}",
            sid=worker_sid,
        )
        cumulative = workers_cumulative(request, ws, window(request), worker)
        return Response(
            {
                "account_sid": ws.account.sid,
                "workspace_sid": ws.sid,
                "worker_sid": worker.sid,
                "cumulative": cumulative,
                "url": cumulative["url"],
            }
        )
