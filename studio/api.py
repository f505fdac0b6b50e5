"""Studio v2 REST API: Flows, Revisions, TestUsers and Validate, as the twilio SDKs drive them.

Bodies are form-encoded (``Definition`` is a JSON string inside the form); JSON bodies are
accepted too. Every lookup is scoped to the caller's account, so another account's sid
answers 404 exactly like an unknown one.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import CanEditOrReadOnly, request_account
from accounts.errors import TwilioAPIError, missing_parameter, not_found
from accounts.pagination import paginate
from studio import revisions
from studio.models import Flow
from studio.serializers import flow_json, flow_test_users_json, flow_v1_json, revision_json

TAG = ["Studio v2"]
STATUS_VALUES = (Flow.Status.DRAFT.value, Flow.Status.PUBLISHED.value)

FLOW_PARAMS = {
    "type": "object",
    "properties": {
        "FriendlyName": {"type": "string"},
        "Status": {"type": "string", "enum": list(STATUS_VALUES)},
        "Definition": {"type": "string", "description": "the flow definition as a JSON string"},
        "CommitMessage": {"type": "string"},
    },
}
FORM = {"application/x-www-form-urlencoded": FLOW_PARAMS, "application/json": FLOW_PARAMS}
PAGING = [
    OpenApiParameter("PageSize", int, description="1–1000, default 50"),
    OpenApiParameter("Page", int),
    OpenApiParameter("PageToken", str),
]


def param(request: Request, name: str) -> Any:
    value = request.data.get(name)
    return None if value in (None, "") else value


def required(request: Request, name: str) -> Any:
    value = param(request, name)
    if value is None:
        raise missing_parameter(name)
    return value


def status_param(request: Request) -> str:
    status = str(required(request, "Status"))
    if status not in STATUS_VALUES:
        raise TwilioAPIError(400, 20001, "Invalid parameter Status: must be draft or published")
    return status


def flow_for(request: Request, sid: str) -> Flow:
    flow = Flow.objects.select_related("account").filter(account=request_account(request), sid=sid).first()
    if flow is None:
        raise not_found(f"The requested resource /Flows/{sid} was not found")
    return flow


def author_sid(request: Request) -> str | None:
    value = param(request, "AuthorSid")
    return str(value) if value is not None else None


class FlowApiView(APIView):
    permission_classes = [CanEditOrReadOnly]


class FlowList(FlowApiView):
    @extend_schema(
        operation_id="v2_flow_list_get",
        tags=TAG,
        summary="List flows",
        parameters=PAGING,
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        flows = Flow.objects.select_related("account").filter(account=request_account(request))
        body = paginate(request, flows, "flows", lambda f: flow_json(f, list_item=True), path="/v2/Flows")
        return Response(body)

    @extend_schema(
        operation_id="v2_flow_list_post",
        tags=TAG,
        summary="Create a flow",
        request=FORM,
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        friendly_name = str(required(request, "FriendlyName"))
        status = status_param(request)
        definition = revisions.parse_definition(required(request, "Definition"))
        flow, revision = revisions.create_flow(
            request_account(request),
            friendly_name=friendly_name,
            definition=definition,
            status=status,
            commit_message=param(request, "CommitMessage"),
            author_sid=author_sid(request),
        )
        return Response(flow_json(flow, revision=revision), status=201)


class FlowDetail(FlowApiView):
    @extend_schema(
        operation_id="v2_flow_detail_get", tags=TAG, summary="Fetch a flow", responses=OpenApiTypes.OBJECT
    )
    def get(self, request: Request, sid: str) -> Response:
        return Response(flow_json(flow_for(request, sid)))

    @extend_schema(
        operation_id="v2_flow_detail_post",
        tags=TAG,
        summary="Update a flow (a new revision)",
        request=FORM,
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request: Request, sid: str) -> Response:
        flow = flow_for(request, sid)
        status = status_param(request)
        raw = param(request, "Definition")
        if raw is not None:
            definition = revisions.parse_definition(raw)
        else:
            # Twilio's update needs only Status: the new revision keeps the current definition.
            latest = flow.latest_revision()
            definition = latest.definition if latest is not None else revisions.blank_definition()
        name = param(request, "FriendlyName")
        revision = revisions.save_revision(
            flow,
            definition=definition,
            status=status,
            commit_message=param(request, "CommitMessage"),
            friendly_name=str(name) if name is not None else None,
            author_sid=author_sid(request),
        )
        return Response(flow_json(flow, revision=revision))

    @extend_schema(
        operation_id="v2_flow_detail_delete", tags=TAG, summary="Delete a flow", responses={204: None}
    )
    def delete(self, request: Request, sid: str) -> Response:
        flow_for(request, sid).delete()
        return Response(status=204)


@extend_schema(exclude=True)  # the OpenAPI document describes v2 once
class FlowV1List(FlowApiView):
    """Studio v1's flow list (``client.studio.v1.flows``): read only, v1's fields."""

    def get(self, request: Request) -> Response:
        flows = Flow.objects.select_related("account").filter(account=request_account(request))
        return Response(paginate(request, flows, "flows", flow_v1_json, path="/v1/Flows"))


@extend_schema(exclude=True)
class FlowV1Detail(FlowApiView):
    """Studio v1's flow: fetch and delete (v1 has no create or update)."""

    def get(self, request: Request, sid: str) -> Response:
        return Response(flow_v1_json(flow_for(request, sid)))

    def delete(self, request: Request, sid: str) -> Response:
        flow_for(request, sid).delete()
        return Response(status=204)


class FlowValidate(FlowApiView):
    @extend_schema(
        operation_id="v2_flow_validate_post",
        tags=TAG,
        summary="Validate a definition without saving it",
        request=FORM,
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request: Request) -> Response:
        required(request, "FriendlyName")
        status_param(request)
        definition = revisions.parse_definition(required(request, "Definition"))
        checked = revisions.validate(definition)
        if not checked.valid:
            raise revisions.validation_error(checked)
        return Response({"valid": True})


class RevisionList(FlowApiView):
    @extend_schema(
        operation_id="v2_revision_list_get",
        tags=TAG,
        summary="List a flow's revisions",
        parameters=PAGING,
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, sid: str) -> Response:
        flow = flow_for(request, sid)
        revisions = flow.revisions.select_related("flow__account")
        body = paginate(
            request,
            revisions,
            "revisions",
            lambda r: revision_json(r, list_item=True),
            path=f"/v2/Flows/{flow.sid}/Revisions",
            newest_first=True,
        )
        return Response(body)


class RevisionDetail(FlowApiView):
    @extend_schema(
        operation_id="v2_revision_detail_get",
        tags=TAG,
        summary="Fetch a revision",
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, sid: str, revision: str) -> Response:
        flow = flow_for(request, sid)
        found = revisions.find_revision(flow, revision)
        if found is None:
            raise not_found(f"The requested resource /Flows/{sid}/Revisions/{revision} was not found")
        return Response(revision_json(found))


class FlowTestUsers(FlowApiView):
    @extend_schema(
        operation_id="v2_flow_test_users_get",
        tags=TAG,
        summary="Fetch a flow's test users",
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, sid: str) -> Response:
        return Response(flow_test_users_json(flow_for(request, sid)))

    @extend_schema(
        operation_id="v2_flow_test_users_post",
        tags=TAG,
        summary="Replace a flow's test users",
        request={
            "application/x-www-form-urlencoded": {
                "type": "object",
                "properties": {"TestUsers": {"type": "array", "items": {"type": "string"}}},
            }
        },
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request: Request, sid: str) -> Response:
        flow = flow_for(request, sid)
        data = request.data
        if "TestUsers" not in data:
            raise missing_parameter("TestUsers")
        raw = data.getlist("TestUsers") if hasattr(data, "getlist") else data.get("TestUsers")
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(u, str) for u in raw):
            raise TwilioAPIError(400, 20001, "Invalid parameter TestUsers: must be a list of strings")
        # A lone empty value clears the list (a form body cannot carry an empty array).
        users = list(dict.fromkeys(u.strip() for u in raw if u.strip()))
        flow.test_users = users
        flow.save(update_fields=["test_users", "date_updated"])
        return Response(flow_test_users_json(flow))
