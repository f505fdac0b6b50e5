"""TaskRouter v1: Workers (and their Channels), Tasks, Reservations and Events."""

from __future__ import annotations

import json

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.errors import TwilioAPIError, invalid_parameter
from flex import events, jobs, lifecycle
from flex.api.common import (
    TaskRouterView,
    attributes,
    boolean,
    check_if_match,
    etagged,
    integer,
    one,
    origin,
    page,
    param,
    required,
    text,
    workspace_for,
)
from flex.expressions import ExpressionError, Scope, evaluate
from flex.intake import MAX_PRIORITY, create_task, find_channel, find_workflow, reevaluate
from flex.models import Activity, Event, Reservation, Task, TaskChannel, Worker, WorkerChannel, Workspace
from flex.serializers import event_json, reservation_json, task_json, worker_channel_json, worker_json

WS = "/v1/Workspaces"


def _activity(ws: Workspace, request: Request) -> Activity | None:
    sid = param(request, "ActivitySid")
    if sid in (None, ""):
        return None
    return one(Activity.objects.filter(workspace=ws), f"{WS}/{ws.sid}/Activities/{sid}", sid=sid)


def _workers(ws: Workspace) -> QuerySet[Worker]:
    return Worker.objects.select_related("workspace__account", "activity").filter(workspace=ws)


class WorkerList(TaskRouterView):
    def get(self, request: Request, ws_sid: str) -> Response:
        ws = workspace_for(request, ws_sid)
        qs = _workers(ws)
        q = request.query_params
        filters: dict[str, str] = {}
        for name, field in (
            ("ActivitySid", "activity__sid"),
            ("ActivityName", "activity__friendly_name"),
            ("FriendlyName", "friendly_name"),
        ):
            if value := q.get(name):
                qs, filters[name] = qs.filter(**{field: value}), value
        if (available := q.get("Available")) is not None:
            qs, filters["Available"] = qs.filter(available=available.lower() == "true"), available
        expression = q.get("TargetWorkersExpression")
        if expression:
            try:
                keep = [w.pk for w in qs if evaluate(expression, Scope(w.attrs(), {"worker": w.attrs()}))]
            except ExpressionError as exc:
                raise invalid_parameter("TargetWorkersExpression", str(exc)) from None
            qs, filters["TargetWorkersExpression"] = qs.filter(pk__in=keep), expression
        base = origin(request)
        return page(request, qs, "workers", lambda w: worker_json(w, base), f"{WS}/{ws.sid}/Workers", filters)

    def post(self, request: Request, ws_sid: str) -> Response:
        with transaction.atomic():
            ws = workspace_for(request, ws_sid)
            name = required(request, "FriendlyName")
            if Worker.objects.filter(workspace=ws, friendly_name=name).exists():
                raise TwilioAPIError(409, 20001, f"A Worker named {name} already exists")
            activity = _activity(ws, request) or ws.default_activity
            if activity is None:
                raise TwilioAPIError(400, 20001, "The workspace has no default activity; give ActivitySid")
            now = timezone.now()
            worker = Worker.objects.create(
                workspace=ws,
                friendly_name=name,
                attributes=attributes(request) or "{}",
                activity=activity,
                available=activity.available,
                date_status_changed=now,
                idle_since=now,
            )
            WorkerChannel.objects.bulk_create(
                WorkerChannel(worker=worker, task_channel=c) for c in TaskChannel.objects.filter(workspace=ws)
            )
            events.record(ws, "worker.created", "worker", worker.sid)
            if worker.available:
                jobs.route_worker(worker.pk)
        return etagged(worker_json(worker, origin(request)), worker.version, 201)


class WorkerDetail(TaskRouterView):
    def _get(self, request: Request, ws_sid: str, sid: str, lock: bool = False) -> Worker:
        ws = workspace_for(request, ws_sid)
        qs = _workers(ws).select_for_update(of=("self",)) if lock else _workers(ws)
        return one(qs, f"{WS}/{ws_sid}/Workers/{sid}", sid=sid)

    def get(self, request: Request, ws_sid: str, sid: str) -> Response:
        worker = self._get(request, ws_sid, sid)
        return etagged(worker_json(worker, origin(request)), worker.version)

    def post(self, request: Request, ws_sid: str, sid: str) -> Response:
        with transaction.atomic():
            if boolean(request, "RejectPendingReservations"):
                # Before the worker's lock: a reservation locks its task first, then the worker.
                found = self._get(request, ws_sid, sid)
                for r in found.reservations.filter(reservation_status=Reservation.Status.PENDING):
                    lifecycle.reject(r)
            worker = self._get(request, ws_sid, sid, lock=True)
            check_if_match(request, worker.version)
            changed = False
            if (name := text(request, "FriendlyName")) is not None:
                worker.friendly_name, changed = name, True
            if (attrs := attributes(request)) is not None:
                worker.attributes, changed = attrs, True
            activity = _activity(worker.workspace, request)
            if activity is not None and activity.pk != worker.activity_id:
                lifecycle.set_activity(worker, activity)
            elif changed:
                worker.version += 1
                worker.save()
                if worker.available:
                    jobs.route_worker(worker.pk)  # new attributes may match waiting tasks
        worker.refresh_from_db()
        return etagged(worker_json(worker, origin(request)), worker.version)

    def delete(self, request: Request, ws_sid: str, sid: str) -> Response:
        worker = self._get(request, ws_sid, sid)
        check_if_match(request, worker.version)
        if worker.reservations.filter(reservation_status__in=lifecycle.OPEN).exists():
            raise TwilioAPIError(400, 20001, "The Worker has open reservations")
        worker.delete()
        return Response(status=204)


def _worker(request: Request, ws_sid: str, worker_sid: str) -> Worker:
    ws = workspace_for(request, ws_sid)
    return one(_workers(ws), f"{WS}/{ws_sid}/Workers/{worker_sid}", sid=worker_sid)


class WorkerChannelList(TaskRouterView):
    def get(self, request: Request, ws_sid: str, worker_sid: str) -> Response:
        worker = _worker(request, ws_sid, worker_sid)
        qs = WorkerChannel.objects.select_related("worker__workspace__account", "task_channel").filter(
            worker=worker
        )
        base = origin(request)
        path = f"{WS}/{ws_sid}/Workers/{worker_sid}/Channels"
        return page(request, qs, "channels", lambda c: worker_channel_json(c, base), path)


class WorkerChannelDetail(TaskRouterView):
    def _get(self, request: Request, ws_sid: str, worker_sid: str, sid: str) -> WorkerChannel:
        worker = _worker(request, ws_sid, worker_sid)
        qs = WorkerChannel.objects.select_related("worker__workspace__account", "task_channel").filter(
            worker=worker
        )
        field = "sid" if sid.startswith("WC") else "task_channel__unique_name"
        return one(qs, f"{WS}/{ws_sid}/Workers/{worker_sid}/Channels/{sid}", **{field: sid})

    def get(self, request: Request, ws_sid: str, worker_sid: str, sid: str) -> Response:
        return Response(worker_channel_json(self._get(request, ws_sid, worker_sid, sid), origin(request)))

    def post(self, request: Request, ws_sid: str, worker_sid: str, sid: str) -> Response:
        with transaction.atomic():
            channel = self._get(request, ws_sid, worker_sid, sid)
            if (capacity := integer(request, "Capacity", 0, 50)) is not None:
                channel.configured_capacity = capacity
            if (available := boolean(request, "Available")) is not None:
                channel.available = available
            channel.save()
            jobs.route_worker(channel.worker_id)
        return Response(worker_channel_json(channel, origin(request)))


def _tasks(ws: Workspace) -> QuerySet[Task]:
    return Task.objects.select_related("workspace__account", "task_queue", "task_channel", "workflow").filter(
        workspace=ws
    )


class TaskList(TaskRouterView):
    def get(self, request: Request, ws_sid: str) -> Response:
        ws = workspace_for(request, ws_sid)
        qs = _tasks(ws)
        q = request.query_params
        filters: dict[str, str] = {}
        statuses = q.getlist("AssignmentStatus")
        if statuses:
            qs = qs.filter(assignment_status__in=statuses)
            filters["AssignmentStatus"] = ",".join(statuses)
        for name, field in (
            ("WorkflowSid", "workflow__sid"),
            ("WorkflowName", "workflow__friendly_name"),
            ("TaskQueueSid", "task_queue__sid"),
            ("TaskQueueName", "task_queue__friendly_name"),
        ):
            if value := q.get(name):
                qs, filters[name] = qs.filter(**{field: value}), value
        if expression := q.get("EvaluateTaskAttributes"):
            try:
                keep = [t.pk for t in qs if evaluate(expression, Scope(t.attrs(), {"task": t.attrs()}))]
            except ExpressionError as exc:
                raise invalid_parameter("EvaluateTaskAttributes", str(exc)) from None
            qs, filters["EvaluateTaskAttributes"] = qs.filter(pk__in=keep), expression
        base = origin(request)
        return page(request, qs, "tasks", lambda t: task_json(t, base), f"{WS}/{ws.sid}/Tasks", filters)

    def post(self, request: Request, ws_sid: str) -> Response:
        with transaction.atomic():
            ws = workspace_for(request, ws_sid)
            attrs = json.loads(attributes(request) or "{}")
            workflow = find_workflow(ws, param(request, "WorkflowSid"))
            channel = find_channel(ws, param(request, "TaskChannel"))
            task = create_task(
                ws,
                workflow,
                channel,
                attrs,
                integer(request, "Priority", 0, MAX_PRIORITY),
                integer(request, "Timeout", 1, 1_209_600),
            )
        task = _tasks(ws).get(pk=task.pk)
        return etagged(task_json(task, origin(request)), task.version, 201)


class TaskDetail(TaskRouterView):
    def _get(self, request: Request, ws_sid: str, sid: str, lock: bool = False) -> Task:
        ws = workspace_for(request, ws_sid)
        qs = _tasks(ws).select_for_update(of=("self",)) if lock else _tasks(ws)
        return one(qs, f"{WS}/{ws_sid}/Tasks/{sid}", sid=sid)

    def get(self, request: Request, ws_sid: str, sid: str) -> Response:
        task = self._get(request, ws_sid, sid)
        return etagged(task_json(task, origin(request)), task.version)

    def post(self, request: Request, ws_sid: str, sid: str) -> Response:
        with transaction.atomic():
            task = self._get(request, ws_sid, sid, lock=True)
            check_if_match(request, task.version)
            touched = False
            if (attrs := attributes(request)) is not None:
                task.attributes, touched = attrs, True
            if (priority := integer(request, "Priority", 0, MAX_PRIORITY)) is not None:
                task.priority, touched = priority, True
            if (channel := param(request, "TaskChannel")) not in (None, ""):
                task.task_channel, touched = find_channel(task.workspace, str(channel)), True
            if touched:
                task.version += 1
                task.save()
                events.record(task.workspace, "task.updated", "task", task.sid)
                if attrs is not None and task.assignment_status == Task.Status.PENDING:
                    reevaluate(task)  # new attributes: the workflow's filters decide again
            status = param(request, "AssignmentStatus")
            if status not in (None, ""):
                if status not in Task.Status.values:
                    raise invalid_parameter("AssignmentStatus")
                lifecycle.change_task_status(task, str(status), str(param(request, "Reason") or ""))
        task = self._get(request, ws_sid, sid)
        return etagged(task_json(task, origin(request)), task.version)

    def delete(self, request: Request, ws_sid: str, sid: str) -> Response:
        with transaction.atomic():
            task = self._get(request, ws_sid, sid, lock=True)
            check_if_match(request, task.version)
            if task.assignment_status in (Task.Status.PENDING, Task.Status.RESERVED):
                lifecycle.cancel(task, "deleted")
            elif task.assignment_status in (Task.Status.ASSIGNED, Task.Status.WRAPPING):
                lifecycle.complete_task(task, "deleted")
            events.record(task.workspace, "task.deleted", "task", task.sid)
            task.delete()
        return Response(status=204)


def _reservations(ws: Workspace) -> QuerySet[Reservation]:
    return Reservation.objects.select_related("workspace__account", "task", "worker").filter(workspace=ws)


class ReservationList(TaskRouterView):
    under_worker = False

    def get(self, request: Request, ws_sid: str, owner_sid: str) -> Response:
        ws = workspace_for(request, ws_sid)
        kind = "Workers" if self.under_worker else "Tasks"
        owner_model = Worker if self.under_worker else Task
        owner = one(
            owner_model.objects.filter(workspace=ws), f"{WS}/{ws_sid}/{kind}/{owner_sid}", sid=owner_sid
        )
        qs = _reservations(ws).filter(**{"worker" if self.under_worker else "task": owner})
        filters: dict[str, str] = {}
        if status := request.query_params.get("ReservationStatus"):
            qs, filters["ReservationStatus"] = qs.filter(reservation_status=status), status
        base = origin(request)
        path = f"{WS}/{ws_sid}/{kind}/{owner_sid}/Reservations"
        under = self.under_worker
        return page(request, qs, "reservations", lambda r: reservation_json(r, base, under), path, filters)


class WorkerReservationList(ReservationList):
    under_worker = True


class ReservationDetail(TaskRouterView):
    under_worker = False

    def _get(self, request: Request, ws_sid: str, owner_sid: str, sid: str) -> Reservation:
        ws = workspace_for(request, ws_sid)
        kind = "Workers" if self.under_worker else "Tasks"
        owner = {"worker__sid" if self.under_worker else "task__sid": owner_sid}
        return one(
            _reservations(ws), f"{WS}/{ws_sid}/{kind}/{owner_sid}/Reservations/{sid}", sid=sid, **owner
        )

    def get(self, request: Request, ws_sid: str, owner_sid: str, sid: str) -> Response:
        r = self._get(request, ws_sid, owner_sid, sid)
        return etagged(reservation_json(r, origin(request), self.under_worker), r.version)

    def post(self, request: Request, ws_sid: str, owner_sid: str, sid: str) -> Response:
        with transaction.atomic():
            reservation = self._get(request, ws_sid, owner_sid, sid)
            check_if_match(request, reservation.version)
            activity_sid = param(request, "WorkerActivitySid")
            activity = None
            if activity_sid not in (None, ""):
                activity = one(
                    Activity.objects.filter(workspace=reservation.workspace),
                    f"{WS}/{ws_sid}/Activities/{activity_sid}",
                    sid=activity_sid,
                )
            status = param(request, "ReservationStatus")
            instruction = str(param(request, "Instruction") or "").lower()
            if status in (None, "") and instruction:
                status = (
                    "accepted"
                    if instruction in ("accept", "dequeue", "call", "redirect", "conference")
                    else status
                )
                status = "rejected" if instruction == "reject" else status
            if status == "accepted":
                lifecycle.accept(reservation, activity)
            elif status == "rejected":
                lifecycle.reject(reservation, activity)
            elif status == "completed":
                lifecycle.complete(reservation, activity)
            elif status == "wrapping":
                lifecycle.wrap(reservation)
            elif status in (None, "") and activity is not None:
                worker = (
                    Worker.objects.select_for_update(of=("self",))
                    .select_related("workspace")
                    .get(pk=reservation.worker_id)
                )
                lifecycle.set_activity(worker, activity)
            elif status not in (None, ""):
                raise invalid_parameter("ReservationStatus", "accepted, rejected, wrapping or completed")
        r = self._get(request, ws_sid, owner_sid, sid)
        return etagged(reservation_json(r, origin(request), self.under_worker), r.version)


class WorkerReservationDetail(ReservationDetail):
    under_worker = True


class EventList(TaskRouterView):
    def get(self, request: Request, ws_sid: str) -> Response:
        ws = workspace_for(request, ws_sid)
        qs = Event.objects.select_related("workspace__account").filter(workspace=ws)
        q = request.query_params
        filters: dict[str, str] = {}
        if value := q.get("EventType"):
            qs, filters["EventType"] = qs.filter(event_type=value), value
        if value := q.get("ResourceSid"):
            qs, filters["ResourceSid"] = qs.filter(resource_sid=value), value
        for name, key in (
            ("TaskSid", "TaskSid"),
            ("WorkerSid", "WorkerSid"),
            ("ReservationSid", "ReservationSid"),
            ("WorkflowSid", "WorkflowSid"),
            ("TaskQueueSid", "TaskQueueSid"),
        ):
            if value := q.get(name):
                qs = qs.filter(**{f"event_data__{key}": value}) | qs.filter(resource_sid=value)
                filters[name] = value
        base = origin(request)
        return page(request, qs, "events", lambda e: event_json(e, base), f"{WS}/{ws.sid}/Events", filters)


class EventDetail(TaskRouterView):
    def get(self, request: Request, ws_sid: str, sid: str) -> Response:
        ws = workspace_for(request, ws_sid)
        qs = Event.objects.select_related("workspace__account").filter(workspace=ws)
        return Response(event_json(one(qs, f"{WS}/{ws_sid}/Events/{sid}", sid=sid), origin(request)))
