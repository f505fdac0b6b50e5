"""TaskRouter v1: Workspaces, Activities, TaskChannels, TaskQueues and Workflows."""

from __future__ import annotations

from django.db import transaction
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.auth import request_account
from accounts.errors import TwilioAPIError, invalid_parameter
from flex import events
from flex.api.common import TaskRouterView, boolean, integer, one, origin, page, param, required, text
from flex.defaults import seed
from flex.expressions import check
from flex.models import Activity, Order, TaskChannel, TaskQueue, Worker, Workflow, Workspace
from flex.serializers import activity_json, channel_json, queue_json, workflow_json, workspace_json
from flex.workflows import validate

WS = "/v1/Workspaces"


def ws_of(request: Request, sid: str) -> Workspace:
    from flex.api.common import workspace_for

    return workspace_for(request, sid)


def _order(request: Request, name: str) -> str | None:
    value = param(request, name)
    if value in (None, ""):
        return None
    if value not in Order.values:
        raise invalid_parameter(name, "must be FIFO or LIFO")
    return str(value)


def _activity(ws: Workspace, request: Request, name: str) -> Activity | None:
    sid = param(request, name)
    if sid in (None, ""):
        return None
    return one(Activity.objects.filter(workspace=ws), f"{WS}/{ws.sid}/Activities/{sid}", sid=sid)


def _ws_fields(ws: Workspace, request: Request) -> None:
    if (name := text(request, "FriendlyName")) is not None:
        ws.friendly_name = name
    if (url := text(request, "EventCallbackUrl", 1024)) is not None:
        ws.event_callback_url = url
    if (filt := text(request, "EventsFilter", 4096)) is not None:
        ws.events_filter = filt
    if (multi := boolean(request, "MultiTaskEnabled")) is not None:
        ws.multi_task_enabled = multi
    if (order := _order(request, "PrioritizeQueueOrder")) is not None:
        ws.prioritize_queue_order = order


class WorkspaceList(TaskRouterView):
    def get(self, request: Request) -> Response:
        qs = Workspace.objects.select_related("account", "default_activity", "timeout_activity").filter(
            account=request_account(request)
        )
        name = request.query_params.get("FriendlyName")
        if name:
            qs = qs.filter(friendly_name=name)
        base = origin(request)
        return page(
            request, qs, "workspaces", lambda w: workspace_json(w, base), WS, {"FriendlyName": name or ""}
        )

    def post(self, request: Request) -> Response:
        with transaction.atomic():
            ws = Workspace(account=request_account(request), friendly_name=required(request, "FriendlyName"))
            _ws_fields(ws, request)
            ws.save()
            # Template=FIFO adds the queue and workflow Flex has; Twilio's plain workspace does not.
            seed(ws, flex_routing=str(param(request, "Template") or "FIFO").upper() != "NONE")
            events.record(ws, "workspace.created", "workspace", ws.sid)
        return Response(workspace_json(ws, origin(request)), status=201)


class WorkspaceDetail(TaskRouterView):
    def get(self, request: Request, ws_sid: str) -> Response:
        return Response(workspace_json(ws_of(request, ws_sid), origin(request)))

    def post(self, request: Request, ws_sid: str) -> Response:
        with transaction.atomic():
            ws = ws_of(request, ws_sid)
            _ws_fields(ws, request)
            if (default := _activity(ws, request, "DefaultActivitySid")) is not None:
                ws.default_activity = default
            if (timeout := _activity(ws, request, "TimeoutActivitySid")) is not None:
                ws.timeout_activity = timeout
            ws.save()
        return Response(workspace_json(ws, origin(request)))

    def delete(self, request: Request, ws_sid: str) -> Response:
        ws_of(request, ws_sid).delete()
        return Response(status=204)


class ActivityList(TaskRouterView):
    def get(self, request: Request, ws_sid: str) -> Response:
        ws = ws_of(request, ws_sid)
        qs = Activity.objects.select_related("workspace__account").filter(workspace=ws)
        filters: dict[str, str] = {}
        if name := request.query_params.get("FriendlyName"):
            qs, filters["FriendlyName"] = qs.filter(friendly_name=name), name
        if (available := request.query_params.get("Available")) is not None:
            qs, filters["Available"] = qs.filter(available=available.lower() == "true"), available
        base = origin(request)
        path = f"{WS}/{ws.sid}/Activities"
        return page(request, qs, "activities", lambda a: activity_json(a, base), path, filters)

    def post(self, request: Request, ws_sid: str) -> Response:
        ws = ws_of(request, ws_sid)
        name = required(request, "FriendlyName")
        if Activity.objects.filter(workspace=ws, friendly_name=name).exists():
            raise TwilioAPIError(409, 20001, f"An Activity named {name} already exists")
        activity = Activity.objects.create(
            workspace=ws, friendly_name=name, available=bool(boolean(request, "Available"))
        )
        return Response(activity_json(activity, origin(request)), status=201)


class ActivityDetail(TaskRouterView):
    def _get(self, request: Request, ws_sid: str, sid: str) -> Activity:
        ws = ws_of(request, ws_sid)
        return one(Activity.objects.filter(workspace=ws), f"{WS}/{ws_sid}/Activities/{sid}", sid=sid)

    def get(self, request: Request, ws_sid: str, sid: str) -> Response:
        return Response(activity_json(self._get(request, ws_sid, sid), origin(request)))

    def post(self, request: Request, ws_sid: str, sid: str) -> Response:
        activity = self._get(request, ws_sid, sid)
        if (name := text(request, "FriendlyName")) is not None:
            activity.friendly_name = name
            activity.save()
        return Response(activity_json(activity, origin(request)))

    def delete(self, request: Request, ws_sid: str, sid: str) -> Response:
        activity = self._get(request, ws_sid, sid)
        ws = activity.workspace
        if Worker.objects.filter(activity=activity).exists() or activity.pk in (
            ws.default_activity_id,
            ws.timeout_activity_id,
        ):
            raise TwilioAPIError(400, 20001, "The Activity is in use (by workers or as a workspace default)")
        activity.delete()
        return Response(status=204)


class ChannelList(TaskRouterView):
    def get(self, request: Request, ws_sid: str) -> Response:
        ws = ws_of(request, ws_sid)
        qs = TaskChannel.objects.select_related("workspace__account").filter(workspace=ws)
        base = origin(request)
        return page(request, qs, "channels", lambda c: channel_json(c, base), f"{WS}/{ws.sid}/TaskChannels")

    def post(self, request: Request, ws_sid: str) -> Response:
        ws = ws_of(request, ws_sid)
        unique = required(request, "UniqueName")
        name = required(request, "FriendlyName")
        if TaskChannel.objects.filter(workspace=ws, unique_name=unique).exists():
            raise TwilioAPIError(409, 20001, f"A TaskChannel with UniqueName {unique} already exists")
        channel = TaskChannel.objects.create(
            workspace=ws,
            unique_name=unique,
            friendly_name=name,
            channel_optimized_routing=boolean(request, "ChannelOptimizedRouting"),
        )
        # Every worker can take the new channel (capacity 1), as on Twilio.
        from flex.models import WorkerChannel

        WorkerChannel.objects.bulk_create(
            WorkerChannel(worker=w, task_channel=channel) for w in Worker.objects.filter(workspace=ws)
        )
        return Response(channel_json(channel, origin(request)), status=201)


class ChannelDetail(TaskRouterView):
    def _get(self, request: Request, ws_sid: str, sid: str) -> TaskChannel:
        ws = ws_of(request, ws_sid)
        field = "sid" if sid.startswith("TC") else "unique_name"
        return one(
            TaskChannel.objects.filter(workspace=ws), f"{WS}/{ws_sid}/TaskChannels/{sid}", **{field: sid}
        )

    def get(self, request: Request, ws_sid: str, sid: str) -> Response:
        return Response(channel_json(self._get(request, ws_sid, sid), origin(request)))

    def post(self, request: Request, ws_sid: str, sid: str) -> Response:
        channel = self._get(request, ws_sid, sid)
        if (name := text(request, "FriendlyName")) is not None:
            channel.friendly_name = name
        if (cor := boolean(request, "ChannelOptimizedRouting")) is not None:
            channel.channel_optimized_routing = cor
        channel.save()
        return Response(channel_json(channel, origin(request)))

    def delete(self, request: Request, ws_sid: str, sid: str) -> Response:
        from flex.models import Task

        channel = self._get(request, ws_sid, sid)
        if Task.objects.filter(task_channel=channel).exists():
            raise TwilioAPIError(400, 20001, "The TaskChannel has tasks")
        channel.delete()
        return Response(status=204)


def _queue_fields(ws: Workspace, queue: TaskQueue, request: Request) -> None:
    if (name := text(request, "FriendlyName")) is not None:
        queue.friendly_name = name
    if (target := text(request, "TargetWorkers", 4096)) is not None:
        problem = check(target)
        if problem:
            raise TwilioAPIError(400, 20001, f"Invalid TargetWorkers expression: {problem}")
        queue.target_workers = target
    if (most := integer(request, "MaxReservedWorkers", 1, 50)) is not None:
        queue.max_reserved_workers = most
    if (order := _order(request, "TaskOrder")) is not None:
        queue.task_order = order
    if (reserving := _activity(ws, request, "ReservationActivitySid")) is not None:
        queue.reservation_activity = reserving
    if (assigning := _activity(ws, request, "AssignmentActivitySid")) is not None:
        queue.assignment_activity = assigning


class QueueList(TaskRouterView):
    def get(self, request: Request, ws_sid: str) -> Response:
        ws = ws_of(request, ws_sid)
        qs = TaskQueue.objects.select_related(
            "workspace__account", "reservation_activity", "assignment_activity"
        ).filter(workspace=ws)
        filters: dict[str, str] = {}
        if name := request.query_params.get("FriendlyName"):
            qs, filters["FriendlyName"] = qs.filter(friendly_name=name), name
        base = origin(request)
        return page(
            request, qs, "task_queues", lambda q: queue_json(q, base), f"{WS}/{ws.sid}/TaskQueues", filters
        )

    def post(self, request: Request, ws_sid: str) -> Response:
        ws = ws_of(request, ws_sid)
        queue = TaskQueue(workspace=ws, friendly_name=required(request, "FriendlyName"))
        _queue_fields(ws, queue, request)
        queue.save()
        return Response(queue_json(queue, origin(request)), status=201)


class QueueDetail(TaskRouterView):
    def _get(self, request: Request, ws_sid: str, sid: str) -> TaskQueue:
        ws = ws_of(request, ws_sid)
        return one(TaskQueue.objects.filter(workspace=ws), f"{WS}/{ws_sid}/TaskQueues/{sid}", sid=sid)

    def get(self, request: Request, ws_sid: str, sid: str) -> Response:
        return Response(queue_json(self._get(request, ws_sid, sid), origin(request)))

    def post(self, request: Request, ws_sid: str, sid: str) -> Response:
        queue = self._get(request, ws_sid, sid)
        _queue_fields(queue.workspace, queue, request)
        queue.save()
        return Response(queue_json(queue, origin(request)))

    def delete(self, request: Request, ws_sid: str, sid: str) -> Response:
        queue = self._get(request, ws_sid, sid)
        if queue.tasks.filter(assignment_status__in=("pending", "reserved")).exists():
            raise TwilioAPIError(400, 20001, "The TaskQueue has waiting tasks")
        if any(sid in w.configuration for w in Workflow.objects.filter(workspace=queue.workspace)):
            raise TwilioAPIError(400, 20001, "The TaskQueue is used by a workflow")
        queue.delete()
        return Response(status=204)


def _workflow_fields(ws: Workspace, flow: Workflow, request: Request) -> None:
    if (name := text(request, "FriendlyName")) is not None:
        flow.friendly_name = name
    if (config := param(request, "Configuration")) not in (None, ""):
        flow.configuration = validate(ws, str(config))
    for field, name in (
        ("assignment_callback_url", "AssignmentCallbackUrl"),
        ("fallback_assignment_callback_url", "FallbackAssignmentCallbackUrl"),
    ):
        if (url := text(request, name, 1024)) is not None:
            setattr(flow, field, url)
    if (timeout := integer(request, "TaskReservationTimeout", 1, 86400)) is not None:
        flow.task_reservation_timeout = timeout


class WorkflowList(TaskRouterView):
    def get(self, request: Request, ws_sid: str) -> Response:
        ws = ws_of(request, ws_sid)
        qs = Workflow.objects.select_related("workspace__account").filter(workspace=ws)
        filters: dict[str, str] = {}
        if name := request.query_params.get("FriendlyName"):
            qs, filters["FriendlyName"] = qs.filter(friendly_name=name), name
        base = origin(request)
        return page(
            request, qs, "workflows", lambda w: workflow_json(w, base), f"{WS}/{ws.sid}/Workflows", filters
        )

    def post(self, request: Request, ws_sid: str) -> Response:
        ws = ws_of(request, ws_sid)
        flow = Workflow(workspace=ws, friendly_name=required(request, "FriendlyName"))
        required(request, "Configuration")
        _workflow_fields(ws, flow, request)
        flow.save()
        return Response(workflow_json(flow, origin(request)), status=201)


class WorkflowDetail(TaskRouterView):
    def _get(self, request: Request, ws_sid: str, sid: str) -> Workflow:
        ws = ws_of(request, ws_sid)
        return one(Workflow.objects.filter(workspace=ws), f"{WS}/{ws_sid}/Workflows/{sid}", sid=sid)

    def get(self, request: Request, ws_sid: str, sid: str) -> Response:
        return Response(workflow_json(self._get(request, ws_sid, sid), origin(request)))

    def post(self, request: Request, ws_sid: str, sid: str) -> Response:
        from flex.intake import reevaluate
        from flex.models import Task

        with transaction.atomic():
            flow = self._get(request, ws_sid, sid)
            _workflow_fields(flow.workspace, flow, request)
            flow.save()
            if boolean(request, "ReEvaluateTasks"):
                waiting = Task.objects.select_for_update(of=("self",)).select_related(
                    "workspace__account", "workflow", "task_queue", "task_channel"
                )
                for task in waiting.filter(workflow=flow, assignment_status=Task.Status.PENDING):
                    reevaluate(task)
        return Response(workflow_json(flow, origin(request)))

    def delete(self, request: Request, ws_sid: str, sid: str) -> Response:
        flow = self._get(request, ws_sid, sid)
        from flex.models import Task

        if Task.objects.filter(workflow=flow, assignment_status__in=("pending", "reserved")).exists():
            raise TwilioAPIError(400, 20001, "The Workflow has waiting tasks")
        flow.delete()
        return Response(status=204)
