"""Console JSON API used by the canvas (contract: studio/CONSOLE_API.md).

Session auth + CSRF, one account per request (the user's membership). Viewers read, owners
and editors write. Unlike the REST API, invalid drafts are saved (work in progress on the
canvas) with their errors; publishing requires a valid definition.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import input_guards
from accounts.auth import CanEditOrReadOnly, ConsoleSessionAuthentication, request_account
from accounts.errors import TwilioAPIError, invalid_parameter, missing_parameter, not_found
from studio import revisions, widgets
from studio.diff import diff_definitions
from studio.models import Flow, FlowRevision
from studio.serializers import iso, webhook_url

TAG = ["Console"]
OBJ = OpenApiTypes.OBJECT


# -- bodies --------------------------------------------------------------------------------


def flow_summary(flow: Flow) -> dict[str, Any]:
    return {
        "sid": flow.sid,
        "friendly_name": flow.friendly_name,
        "status": flow.status,
        "revision": flow.revision,
        "published_revision": flow.published_revision,
        "valid": flow.valid,
        "date_created": iso(flow.date_created),
        "date_updated": iso(flow.date_updated),
        "widget_count": flow.widget_count,
    }


def flow_detail(flow: Flow, revision: FlowRevision | None = None) -> dict[str, Any]:
    latest = revision or flow.latest_revision()
    return {
        **flow_summary(flow),
        "definition": latest.definition if latest else None,
        "errors": latest.errors if latest else [],
        "warnings": latest.warnings if latest else [],
        "commit_message": latest.commit_message if latest else None,
        "webhook_url": webhook_url(flow),
        "test_users": list(flow.test_users or []),
    }


def _author(rev: FlowRevision) -> str | None:
    if rev.author is not None:
        return str(rev.author.get_username())
    return rev.author_sid


def revision_summary(rev: FlowRevision) -> dict[str, Any]:
    return {
        "revision": rev.revision,
        "status": rev.status,
        "commit_message": rev.commit_message,
        "author": _author(rev),
        "valid": rev.valid,
        "date_created": iso(rev.date_created),
    }


def revision_detail(rev: FlowRevision) -> dict[str, Any]:
    return {
        **revision_summary(rev),
        "definition": rev.definition,
        "errors": rev.errors,
        "warnings": rev.warnings,
    }


# -- helpers -------------------------------------------------------------------------------


def body(request: Request) -> dict[str, Any]:
    data = request.data
    if not isinstance(data, dict):
        raise TwilioAPIError(400, 20001, "Invalid request body: a JSON object is expected")
    return data


def integer(data: dict[str, Any], name: str, *, required: bool = True) -> int | None:
    value = data.get(name)
    if value is None:
        if required:
            raise missing_parameter(name)
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise invalid_parameter(name, "must be an integer")
    return input_guards.int_value(value, name, minimum=-input_guards.MAX_INT)


def text(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_parameter(name, "must be a string")
    return value


def user_of(request: Request) -> Any:
    return getattr(request.user, "user", None)


def stale(exc: revisions.StaleRevision) -> TwilioAPIError:
    flow = exc.flow
    return TwilioAPIError(
        409,
        20409,
        f"The flow was changed meanwhile: it is at revision {flow.revision}",
        {"current_revision": flow.revision, "flow": flow_detail(flow)},
    )


class ConsoleView(APIView):
    authentication_classes = [ConsoleSessionAuthentication]
    permission_classes = [CanEditOrReadOnly]

    def flow(self, request: Request, sid: str) -> Flow:
        flow = (
            Flow.objects.select_related("account").filter(account=request_account(request), sid=sid).first()
        )
        if flow is None:
            raise not_found(f"The requested resource /Flows/{sid} was not found")
        return flow


# -- views ---------------------------------------------------------------------------------


class Me(ConsoleView):
    @extend_schema(
        operation_id="console_me_get", tags=TAG, summary="The signed-in user and account", responses=OBJ
    )
    def get(self, request: Request) -> Response:
        membership = request.user.membership
        return Response(
            {
                "username": user_of(request).get_username(),
                "account_sid": membership.account.sid,
                "account_name": membership.account.friendly_name,
                "role": membership.role,
            }
        )


class WidgetCatalogue(ConsoleView):
    @extend_schema(
        operation_id="console_widget_catalogue_get",
        tags=TAG,
        summary="Every widget type, with its property schema",
        responses=OBJ,
    )
    def get(self, request: Request) -> Response:
        return Response({"widgets": widgets.catalogue()})


class Validate(ConsoleView):
    @extend_schema(
        operation_id="console_validate_post",
        tags=TAG,
        summary="Validate a definition",
        request=OBJ,
        responses=OBJ,
    )
    def post(self, request: Request) -> Response:
        data = body(request)
        if "definition" not in data:
            raise missing_parameter("definition")
        checked = revisions.validate(data["definition"])
        return Response({"valid": checked.valid, "errors": checked.errors, "warnings": checked.warnings})


class FlowList(ConsoleView):
    @extend_schema(
        operation_id="console_flow_list_get",
        tags=TAG,
        summary="List flows",
        parameters=[OpenApiParameter("search", str, description="matches name or sid")],
        responses=OBJ,
    )
    def get(self, request: Request) -> Response:
        flows = Flow.objects.filter(account=request_account(request)).order_by("-date_updated", "-id")
        search = (request.query_params.get("search") or "").strip()
        if search:
            flows = flows.filter(Q(friendly_name__icontains=search) | Q(sid__iexact=search))
        return Response({"flows": [flow_summary(f) for f in flows]})

    @extend_schema(
        operation_id="console_flow_list_post",
        tags=TAG,
        summary="Create a flow",
        request=OBJ,
        responses={201: OBJ},
    )
    def post(self, request: Request) -> Response:
        data = body(request)
        name = (text(data, "friendly_name") or "").strip()
        if not name:
            raise missing_parameter("friendly_name")
        raw = data.get("definition")
        definition = (
            revisions.parse_definition(raw, "definition") if raw is not None else revisions.blank_definition()
        )
        flow, revision = revisions.create_flow(
            request_account(request),
            friendly_name=name,
            definition=definition,
            status=Flow.Status.DRAFT,
            commit_message=text(data, "commit_message"),
            author=user_of(request),
            allow_invalid_draft=True,
        )
        return Response(flow_detail(flow, revision), status=201)


class FlowDetail(ConsoleView):
    @extend_schema(
        operation_id="console_flow_detail_get",
        tags=TAG,
        summary="Fetch a flow with its latest revision",
        responses=OBJ,
    )
    def get(self, request: Request, sid: str) -> Response:
        return Response(flow_detail(self.flow(request, sid)))

    @extend_schema(
        operation_id="console_flow_detail_patch",
        tags=TAG,
        summary="Rename a flow or replace its test users (no new revision)",
        request=OBJ,
        responses=OBJ,
    )
    def patch(self, request: Request, sid: str) -> Response:
        flow = self.flow(request, sid)
        data = body(request)
        fields = []
        if "friendly_name" in data:
            name = (text(data, "friendly_name") or "").strip()
            if not name:
                raise invalid_parameter("friendly_name", "must not be empty")
            flow.friendly_name = name
            fields.append("friendly_name")
        if "test_users" in data:
            users = data["test_users"]
            if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
                raise invalid_parameter("test_users", "must be a list of strings")
            flow.test_users = list(dict.fromkeys(u.strip() for u in users if u.strip()))
            fields.append("test_users")
        if fields:
            flow.save(update_fields=[*fields, "date_updated"])
        return Response(flow_detail(flow))

    @extend_schema(
        operation_id="console_flow_detail_delete", tags=TAG, summary="Delete a flow", responses={204: None}
    )
    def delete(self, request: Request, sid: str) -> Response:
        self.flow(request, sid).delete()
        return Response(status=204)


class Duplicate(ConsoleView):
    @extend_schema(
        operation_id="console_duplicate_post",
        tags=TAG,
        summary="Copy a flow's latest revision into a new flow",
        request=OBJ,
        responses={201: OBJ},
    )
    def post(self, request: Request, sid: str) -> Response:
        source = self.flow(request, sid)
        data = body(request)
        name = (text(data, "friendly_name") or "").strip() or f"Copy of {source.friendly_name}"
        latest = source.latest_revision()
        definition = latest.definition if latest else revisions.blank_definition()
        flow, revision = revisions.create_flow(
            source.account,
            friendly_name=name,
            definition=definition,
            commit_message=f"Duplicated from {source.sid} revision {source.revision}",
            author=user_of(request),
            allow_invalid_draft=True,
        )
        return Response(flow_detail(flow, revision), status=201)


class Revisions(ConsoleView):
    @extend_schema(
        operation_id="console_revisions_get", tags=TAG, summary="List revisions, newest first", responses=OBJ
    )
    def get(self, request: Request, sid: str) -> Response:
        flow = self.flow(request, sid)
        revisions = flow.revisions.select_related("author").order_by("-revision")
        return Response({"revisions": [revision_summary(r) for r in revisions]})

    @extend_schema(
        operation_id="console_revisions_post",
        tags=TAG,
        summary="Save a new revision",
        request=OBJ,
        responses={201: OBJ, 409: OBJ},
    )
    def post(self, request: Request, sid: str) -> Response:
        flow = self.flow(request, sid)
        data = body(request)
        if data.get("definition") is None:
            raise missing_parameter("definition")
        definition = revisions.parse_definition(data["definition"], "definition")
        expected = integer(data, "expected_revision")
        status = text(data, "status") or Flow.Status.DRAFT
        try:
            revision = revisions.save_revision(
                flow,
                definition=definition,
                status=status,
                commit_message=text(data, "commit_message"),
                author=user_of(request),
                expected_revision=expected,
                allow_invalid_draft=True,
            )
        except revisions.StaleRevision as exc:
            raise stale(exc) from None
        return Response(flow_detail(flow, revision), status=201)


class RevisionDetail(ConsoleView):
    @extend_schema(
        operation_id="console_revision_detail_get",
        tags=TAG,
        summary="Fetch one revision",
        parameters=[OpenApiParameter("revision", int, OpenApiParameter.PATH)],
        responses=OBJ,
    )
    def get(self, request: Request, sid: str, revision: str) -> Response:
        # Routed as text: "-1" or "x" is a JSON 404 here, not Django's HTML page for no route.
        flow = self.flow(request, sid)
        number = int(revision) if revision.isdigit() and len(revision) < 10 else None
        found = flow.revisions.select_related("author").filter(revision=number).first() if number else None
        if found is None:
            raise not_found(f"The requested resource /Flows/{sid}/Revisions/{revision} was not found")
        return Response(revision_detail(found))


class Publish(ConsoleView):
    @extend_schema(
        operation_id="console_publish_post",
        tags=TAG,
        summary="Publish the latest revision",
        request=OBJ,
        responses={200: OBJ, 409: OBJ},
    )
    def post(self, request: Request, sid: str) -> Response:
        flow = self.flow(request, sid)
        data = body(request)
        try:
            revision = revisions.publish(
                flow,
                expected_revision=integer(data, "expected_revision"),
                author=user_of(request),
                commit_message=text(data, "commit_message"),
            )
        except revisions.StaleRevision as exc:
            raise stale(exc) from None
        return Response(flow_detail(flow, revision))


class Restore(ConsoleView):
    @extend_schema(
        operation_id="console_restore_post",
        tags=TAG,
        summary="Save an old revision's definition as a new draft",
        request=OBJ,
        responses={201: OBJ, 409: OBJ},
    )
    def post(self, request: Request, sid: str) -> Response:
        flow = self.flow(request, sid)
        data = body(request)
        number = integer(data, "revision")
        assert number is not None  # required=True raises when it is missing
        old = flow.revisions.filter(revision=number).first()
        if old is None:
            raise not_found(f"The requested resource /Flows/{sid}/Revisions/{number} was not found")
        try:
            revision = revisions.save_revision(
                flow,
                definition=old.definition,
                status=Flow.Status.DRAFT,
                commit_message=text(data, "commit_message") or f"Restored revision {number}",
                author=user_of(request),
                expected_revision=integer(data, "expected_revision"),
                allow_invalid_draft=True,
            )
        except revisions.StaleRevision as exc:
            raise stale(exc) from None
        return Response(flow_detail(flow, revision), status=201)


class Diff(ConsoleView):
    @extend_schema(
        operation_id="console_diff_get",
        tags=TAG,
        summary="Logic and layout changes between two revisions",
        parameters=[
            OpenApiParameter("from", int, description="default: the revision before `to`"),
            OpenApiParameter("to", int, description="default: the latest revision"),
        ],
        responses=OBJ,
    )
    def get(self, request: Request, sid: str) -> Response:
        flow = self.flow(request, sid)
        params = request.query_params
        to = integer(dict(params.items()), "to", required=False) or flow.revision
        start = integer(dict(params.items()), "from", required=False)
        if start is None:
            start = to - 1
        by_number = {r.revision: r for r in flow.revisions.filter(revision__in=[start, to])}
        if to not in by_number:
            raise not_found(f"The requested resource /Flows/{sid}/Revisions/{to} was not found")
        if start not in by_number and start != 0:
            raise not_found(f"The requested resource /Flows/{sid}/Revisions/{start} was not found")
        old = by_number[start].definition if start in by_number else None
        return Response({"from": start, "to": to, **diff_definitions(old, by_number[to].definition)})
