"""Real-time statistics of a workspace and of its queues (what a supervisor page shows)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from flex.api.common import TaskRouterView, one, origin, workspace_for
from flex.expressions import ExpressionError, Scope, evaluate
from flex.models import Activity, Task, TaskQueue, Worker, Workflow, Workspace

WAITING = (Task.Status.PENDING, Task.Status.RESERVED)
WS = "/v1/Workspaces"


def _task_numbers(tasks: QuerySet[Task]) -> dict[str, Any]:
    by_status = {s: 0 for s in Task.Status.values}
    for row in tasks.values("assignment_status").annotate(n=Count("id")):
        by_status[row["assignment_status"]] = row["n"]
    by_priority = {
        str(row["priority"]): row["n"]
        for row in tasks.filter(assignment_status__in=WAITING).values("priority").annotate(n=Count("id"))
    }
    oldest = tasks.filter(assignment_status__in=WAITING).order_by("date_created", "id").first()
    queued = tasks.filter(assignment_status__in=WAITING).exclude(task_queue_entered_date=None)
    oldest_in_queue = queued.order_by("task_queue_entered_date", "id").first()
    now = timezone.now()
    return {
        "tasks_by_status": by_status,
        "tasks_by_priority": by_priority,
        "total_tasks": sum(by_status.values()),
        "longest_task_waiting_age": int((now - oldest.date_created).total_seconds()) if oldest else 0,
        "longest_task_waiting_sid": oldest.sid if oldest else None,
        "longest_relative_task_age_in_queue": (
            int((now - oldest_in_queue.task_queue_entered_date).total_seconds())
            if oldest_in_queue and oldest_in_queue.task_queue_entered_date
            else 0
        ),
        "longest_relative_task_sid_in_queue": oldest_in_queue.sid if oldest_in_queue else None,
    }


def _activity_numbers(ws: Workspace, workers: list[Worker]) -> list[dict[str, Any]]:
    counts: dict[int, int] = {}
    for worker in workers:
        counts[worker.activity_id] = counts.get(worker.activity_id, 0) + 1
    return [
        {"sid": a.sid, "friendly_name": a.friendly_name, "workers": counts.get(a.pk, 0)}
        for a in Activity.objects.filter(workspace=ws).order_by("date_created", "id")
    ]


def workspace_realtime(request: Request, ws: Workspace) -> dict[str, Any]:
    workers = list(Worker.objects.filter(workspace=ws))
    numbers = _task_numbers(Task.objects.filter(workspace=ws))
    for key in ("longest_relative_task_age_in_queue", "longest_relative_task_sid_in_queue"):
        numbers.pop(key)
    return {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        "activity_statistics": _activity_numbers(ws, workers),
        "total_workers": len(workers),
        **numbers,
        "url": f"{origin(request)}{WS}/{ws.sid}/RealTimeStatistics",
    }


class WorkspaceRealTimeStatistics(TaskRouterView):
    def get(self, request: Request, ws_sid: str) -> Response:
        return Response(workspace_realtime(request, workspace_for(request, ws_sid)))


def queue_workers(queue: TaskQueue) -> list[Worker]:
    """The workers ``target_workers`` selects (the queue's eligible workers)."""
    found = []
    for worker in Worker.objects.filter(workspace=queue.workspace).select_related("activity"):
        attrs = worker.attrs()
        try:
            if evaluate(queue.target_workers or "1==1", Scope(attrs, {"worker": attrs})):
                found.append(worker)
        except ExpressionError:
            continue
    return found


def queue_realtime(request: Request, ws: Workspace, queue: TaskQueue) -> dict[str, Any]:
    eligible = queue_workers(queue)
    return {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        "task_queue_sid": queue.sid,
        "activity_statistics": _activity_numbers(ws, eligible),
        "total_eligible_workers": len(eligible),
        "total_available_workers": sum(1 for w in eligible if w.available),
        **_task_numbers(Task.objects.filter(task_queue=queue)),
        "url": f"{origin(request)}{WS}/{ws.sid}/TaskQueues/{queue.sid}/RealTimeStatistics",
    }


def queue_in(ws: Workspace, queue_sid: str) -> TaskQueue:
    return one(TaskQueue.objects.filter(workspace=ws), f"{WS}/{ws.sid}/TaskQueues/{queue_sid}", sid=queue_sid)


class QueueRealTimeStatistics(TaskRouterView):
    def get(self, request: Request, ws_sid: str, queue_sid: str) -> Response:
        ws = workspace_for(request, ws_sid)
        return Response(queue_realtime(request, ws, queue_in(ws, queue_sid)))


def workers_realtime(request: Request, ws: Workspace) -> dict[str, Any]:
    workers = list(Worker.objects.filter(workspace=ws))
    return {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        "activity_statistics": _activity_numbers(ws, workers),
        "total_workers": len(workers),
        "url": f"{origin(request)}{WS}/{ws.sid}/Workers/RealTimeStatistics",
    }


class WorkersRealTimeStatistics(TaskRouterView):
    def get(self, request: Request, ws_sid: str) -> Response:
        return Response(workers_realtime(request, workspace_for(request, ws_sid)))


def workflow_in(ws: Workspace, workflow_sid: str) -> Workflow:
    return one(
        Workflow.objects.filter(workspace=ws), f"{WS}/{ws.sid}/Workflows/{workflow_sid}", sid=workflow_sid
    )


def workflow_realtime(request: Request, ws: Workspace, flow: Workflow) -> dict[str, Any]:
    numbers = _task_numbers(Task.objects.filter(workflow=flow))
    for key in ("longest_relative_task_age_in_queue", "longest_relative_task_sid_in_queue"):
        numbers.pop(key)
    return {
        "account_sid": ws.account.sid,
        "workspace_sid": ws.sid,
        "workflow_sid": flow.sid,
        **numbers,
        "url": f"{origin(request)}{WS}/{ws.sid}/Workflows/{flow.sid}/RealTimeStatistics",
    }


class WorkflowRealTimeStatistics(TaskRouterView):
    def get(self, request: Request, ws_sid: str, workflow_sid: str) -> Response:
        ws = workspace_for(request, ws_sid)
        return Response(workflow_realtime(request, ws, workflow_in(ws, workflow_sid)))
