"""Studio v2 Executions, Steps and Contexts (spec §6.2)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import input_guards
from accounts.auth import request_account
from accounts.errors import TwilioAPIError, missing_parameter, not_found
from accounts.pagination import paginate
from accounts.sids import new_sid
from executions import schema
from executions.api.resources import execution_context_json, execution_json, step_context_json, step_json
from executions.engine import store
from executions.engine.ports import ports
from executions.models import Execution, Step
from executions.voice import behind
from studio.models import Flow


def _flow(request: Request, flow_sid: str) -> Flow:
    flow = (
        Flow.objects.select_related("account").filter(account=request_account(request), sid=flow_sid).first()
    )
    if flow is None:
        raise not_found(f"The requested resource /Flows/{flow_sid} was not found")
    return flow


def _execution(request: Request, flow_sid: str, sid: str) -> Execution:
    flow = _flow(request, flow_sid)
    behind.caught_up(sid)  # a live call's rows queued behind its answers (executions.voice.hot)
    execution = Execution.objects.select_related("account", "flow").filter(flow=flow, sid=sid).first()
    if execution is None:
        raise not_found(f"The requested resource /Flows/{flow_sid}/Executions/{sid} was not found")
    return execution


def _step(request: Request, flow_sid: str, execution_sid: str, sid: str) -> Step:
    execution = _execution(request, flow_sid, execution_sid)
    step = Step.objects.select_related("execution__account", "execution__flow", "parent_step").filter(
        execution=execution, sid=sid
    )
    found = step.first()
    if found is None:
        raise not_found(f"The requested resource /Steps/{sid} was not found")
    return found


def _param(request: Request, name: str) -> str | None:
    value = request.data.get(name)
    return None if value in (None, "") else str(value)


def _conflict(existing: Execution) -> TwilioAPIError:
    return TwilioAPIError(
        409,
        20409,
        f"Execution {existing.sid} is already active for this contact. End it before creating a new one",
        {"conflicting_execution_sid": existing.sid},
    )


class ExecutionList(APIView):
    @extend_schema(**schema.EXECUTION_LIST)
    def get(self, request: Request, flow_sid: str) -> Response:
        flow = _flow(request, flow_sid)
        qs = Execution.objects.select_related("account", "flow").filter(flow=flow)
        params = request.query_params
        status = params.get("status") or params.get("Status")
        extra: dict[str, str] = {}
        if status:
            if status not in ("active", "ended"):
                raise TwilioAPIError(400, 20001, "Invalid parameter status: must be active or ended")
            qs = qs.filter(status=status)
            extra["status"] = status
        for name, lookup in (("DateCreatedFrom", "date_created__gte"), ("DateCreatedTo", "date_created__lt")):
            raw = params.get(name)
            if raw:
                qs = qs.filter(**{lookup: input_guards.datetime_value(raw, name)})
                extra[name] = raw
        body = paginate(
            request,
            qs,
            "executions",
            execution_json,
            path=f"/v2/Flows/{flow.sid}/Executions",
            newest_first=True,
            extra_params=extra,
        )
        return Response(body)

    @extend_schema(**schema.EXECUTION_CREATE)
    def post(self, request: Request, flow_sid: str) -> Response:
        flow = _flow(request, flow_sid)
        to, sender = _param(request, "To"), _param(request, "From")
        if to is None:
            raise missing_parameter("To")
        if sender is None:
            raise missing_parameter("From")
        if len(to.encode()) + len(sender.encode()) > 300:
            raise TwilioAPIError(400, 81023, "To and From together must not exceed 300 bytes")
        data: dict[str, Any] = {}
        raw = _param(request, "Parameters")
        if raw is not None:
            parsed = input_guards.loads(raw, "Parameters")
            if not isinstance(parsed, dict):
                raise TwilioAPIError(400, 20001, "Invalid parameter Parameters: must be a JSON object")
            data = parsed
        revision = flow.revision_for(to)
        if revision is None:
            raise TwilioAPIError(400, 20001, f"Flow {flow.sid} has no published revision")
        with transaction.atomic():
            existing = Execution.objects.filter(
                flow=flow,
                contact_channel_address=to,
                channel_address=sender,
                session_key="",
                status=Execution.Status.ACTIVE,
            ).first()
            if existing is not None:
                raise _conflict(existing)
            try:
                execution = store.create_execution(
                    flow,
                    revision,
                    contact=to,
                    channel=sender,
                    trigger_event="incomingRequest",
                    trigger={"from": sender, "to": to, "parameters": data},
                    data=data,
                    initiated_by=new_sid("RQ"),
                )
            except IntegrityError:
                racing = Execution.objects.filter(
                    flow=flow,
                    contact_channel_address=to,
                    channel_address=sender,
                    status=Execution.Status.ACTIVE,
                ).first()
                raise _conflict(racing) if racing else TwilioAPIError(409, 20409, "Conflict") from None
            store.run_start(store.lock(execution.pk))
        execution.refresh_from_db()
        return Response(execution_json(execution), status=201)


class ExecutionDetail(APIView):
    @extend_schema(**schema.EXECUTION_FETCH)
    def get(self, request: Request, flow_sid: str, sid: str) -> Response:
        return Response(execution_json(_execution(request, flow_sid, sid)))

    @extend_schema(**schema.EXECUTION_UPDATE)
    def post(self, request: Request, flow_sid: str, sid: str) -> Response:
        found = _execution(request, flow_sid, sid)
        status = _param(request, "Status")
        if status is None:
            raise missing_parameter("Status")
        if status != "ended":
            raise TwilioAPIError(400, 20001, "Invalid parameter Status: must be ended")
        with transaction.atomic():
            execution = store.lock(found.pk)
            if not execution.is_active:
                raise TwilioAPIError(409, 20409, f"Execution {execution.sid} has already ended")
            store.end_execution(execution)
        execution.refresh_from_db()
        return Response(execution_json(execution))

    @extend_schema(**schema.EXECUTION_DELETE)
    def delete(self, request: Request, flow_sid: str, sid: str) -> Response:
        execution = _execution(request, flow_sid, sid)
        ports().cool(execution.pk)  # a live call's turns stop with it (executions.voice.hot)
        execution.delete()
        return Response(status=204)


class ExecutionContext(APIView):
    @extend_schema(**schema.EXECUTION_CONTEXT)
    def get(self, request: Request, flow_sid: str, sid: str) -> Response:
        return Response(execution_context_json(_execution(request, flow_sid, sid)))


class StepList(APIView):
    @extend_schema(**schema.STEP_LIST)
    def get(self, request: Request, flow_sid: str, execution_sid: str) -> Response:
        execution = _execution(request, flow_sid, execution_sid)
        qs = Step.objects.select_related("execution__account", "execution__flow", "parent_step").filter(
            execution=execution
        )
        path = f"/v2/Flows/{execution.flow.sid}/Executions/{execution.sid}/Steps"
        return Response(paginate(request, qs, "steps", step_json, path=path, newest_first=True))


class StepDetail(APIView):
    @extend_schema(**schema.STEP_FETCH)
    def get(self, request: Request, flow_sid: str, execution_sid: str, sid: str) -> Response:
        return Response(step_json(_step(request, flow_sid, execution_sid, sid)))


class StepContext(APIView):
    @extend_schema(**schema.STEP_CONTEXT)
    def get(self, request: Request, flow_sid: str, execution_sid: str, sid: str) -> Response:
        return Response(step_context_json(_step(request, flow_sid, execution_sid, sid)))


def studio_v1(view: type[APIView]) -> Any:
    """Studio v1's path for a v2 view: the same answers, left out of the OpenAPI schema (it
    documents v2 once)."""
    alias: type[APIView] = extend_schema(exclude=True)(type(f"V1{view.__name__}", (view,), {}))
    return alias.as_view()
