"""Shared pieces of the TaskRouter v1 API: the workspace in the path (scoped to the caller's
account), Twilio's parameter forms (``true``/``false``, integers), ISO-8601 dates, paging."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import CanEditOrReadOnly, request_account
from accounts.errors import TwilioAPIError, invalid_parameter, missing_parameter, not_found
from accounts.pagination import paginate
from accounts.schema import PlainResourceSchema
from flex.models import Workspace

M = TypeVar("M", bound=Model)
MAX_ATTRIBUTES = 16 * 1024  # Twilio's limit on Task and Worker attributes (16 KiB)


class TaskRouterSchema(PlainResourceSchema):
    tag = "TaskRouter v1"
    prefix = "taskrouter"


class TaskRouterView(APIView):
    schema = TaskRouterSchema()
    permission_classes = [CanEditOrReadOnly]


def iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def origin(request: Request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def workspace_for(request: Request, sid: str) -> Workspace:
    workspace = (
        Workspace.objects.select_related("account", "default_activity", "timeout_activity")
        .filter(account=request_account(request), sid=sid)
        .first()
    )
    if workspace is None:
        raise not_found(f"The requested resource /Workspaces/{sid} was not found")
    return workspace


def one(qs: QuerySet[M], path: str, **lookup: Any) -> M:
    row = qs.filter(**lookup).first()
    if row is None:
        raise not_found(f"The requested resource {path} was not found")
    return row


def param(request: Request, name: str) -> Any:
    value = request.data.get(name)
    return None if value is None else value


def required(request: Request, name: str) -> str:
    value = param(request, name)
    if value in (None, ""):
        raise missing_parameter(name)
    return str(value)


def text(request: Request, name: str, max_length: int = 64) -> str | None:
    value = param(request, name)
    if value is None:
        return None
    value = str(value)
    if len(value) > max_length:
        raise invalid_parameter(name, f"at most {max_length} characters")
    return value


def boolean(request: Request, name: str) -> bool | None:
    value = param(request, name)
    if value is None or value == "":
        return None
    lowered = str(value).strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise invalid_parameter(name, "must be true or false")


def integer(request: Request, name: str, low: int, high: int) -> int | None:
    value = param(request, name)
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise invalid_parameter(name, "must be an integer") from None
    if not low <= number <= high:
        raise invalid_parameter(name, f"must be between {low} and {high}")
    return number


def attributes(request: Request, name: str = "Attributes") -> str | None:
    """A JSON object as text, under Twilio's size limit."""
    value = param(request, name)
    if value is None:
        return None
    value = str(value)
    if len(value.encode()) > MAX_ATTRIBUTES:
        raise TwilioAPIError(400, 20001, f"{name} exceed the {MAX_ATTRIBUTES} byte limit")
    try:
        parsed = json.loads(value)
    except ValueError:
        raise invalid_parameter(name, "must be a JSON object") from None
    if not isinstance(parsed, dict):
        raise invalid_parameter(name, "must be a JSON object")
    return value


def check_if_match(request: Request, version: int) -> None:
    """``If-Match`` carries the ETag (the resource's revision) the caller last saw."""
    wanted = request.headers.get("If-Match")
    if wanted and wanted.strip().strip('"') not in (str(version), "*"):
        raise TwilioAPIError(412, 20412, "Precondition Failed: the resource changed (If-Match)")


def etagged(body: dict[str, Any], version: int, status: int = 200) -> Response:
    return Response(body, status=status, headers={"ETag": str(version)})


def page(
    request: Request,
    qs: QuerySet[Any],
    key: str,
    serialize: Callable[[Any], dict[str, Any]],
    path: str,
    filters: dict[str, str] | None = None,
) -> Response:
    return Response(
        paginate(request, qs, key, serialize, path=path, base_url=origin(request), extra_params=filters)
    )
