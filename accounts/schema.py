"""OpenAPI descriptions shared by the 2010-04-01 resources (Twilio's error body, that API's
paging envelope, form bodies) and those of the Keys resource. Documentation only: the views
build their bodies by hand, field for field as Twilio answers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

FORM = "application/x-www-form-urlencoded"


class TwilioErrorSerializer(serializers.Serializer):
    code = serializers.IntegerField()
    message = serializers.CharField()
    more_info = serializers.URLField()
    status = serializers.IntegerField()
    details = serializers.DictField(required=False)


class Page2010Serializer(serializers.Serializer):
    """The 2010 API paging envelope around the list (``messages``, ``calls``, ``keys`` …)."""

    end = serializers.IntegerField()
    first_page_uri = serializers.CharField()
    next_page_uri = serializers.CharField(allow_null=True)
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    previous_page_uri = serializers.CharField(allow_null=True)
    start = serializers.IntegerField()
    uri = serializers.CharField()


ERRORS = {400: TwilioErrorSerializer, 401: TwilioErrorSerializer, 404: TwilioErrorSerializer}
PAGING_2010 = [
    OpenApiParameter("PageSize", int, description="1–1000, default 50"),
    OpenApiParameter("Page", int),
]


def form(serializer: type[serializers.Serializer]) -> dict[str, type[serializers.Serializer]]:
    return {FORM: serializer, "application/json": serializer}


class KeySerializer(serializers.Serializer):
    sid = serializers.CharField()
    friendly_name = serializers.CharField()
    date_created = serializers.CharField(help_text="RFC 2822")
    date_updated = serializers.CharField(help_text="RFC 2822")


class NewKeySerializer(KeySerializer):
    secret = serializers.CharField(help_text="shown in this answer only")


class KeyPageSerializer(Page2010Serializer):
    keys = KeySerializer(many=True)


class KeyFormSerializer(serializers.Serializer):
    FriendlyName = serializers.CharField(required=False, max_length=64)


def _op(operation_id: str, summary: str, **kwargs: Any) -> dict[str, Any]:
    kwargs["responses"] = {**kwargs.get("responses", {}), **ERRORS}
    return {"operation_id": operation_id, "summary": summary, "tags": ["2010-04-01"], **kwargs}


KEY_LIST = _op(
    "api2010_key_list_get", "List API keys", parameters=PAGING_2010, responses={200: KeyPageSerializer}
)
KEY_CREATE = _op(
    "api2010_key_create",
    "Create an API key",
    request=form(KeyFormSerializer),
    responses={201: NewKeySerializer},
)
KEY_FETCH = _op("api2010_key_get", "Fetch an API key", responses={200: KeySerializer})
KEY_UPDATE = _op(
    "api2010_key_update", "Rename an API key", request=form(KeyFormSerializer), responses={200: KeySerializer}
)
KEY_DELETE = _op("api2010_key_delete", "Delete an API key", responses={204: None})


class PlainResourceSchema(AutoSchema):
    """OpenAPI of an API whose views build Twilio's JSON by hand (Serverless, TaskRouter): bodies
    are plain objects; a POST to a list creates (201), a DELETE answers 204, the rest 200; one tag
    and an operation id per view class (no collisions between a list and its detail)."""

    tag = "API"
    prefix = "api"

    def get_tags(self) -> list[str]:
        return [self.tag]

    def get_operation_id(self) -> str:
        return f"{self.prefix}_{type(self.view).__name__}_{self.method.lower()}"

    def get_request_serializer(self) -> Any:
        return OpenApiTypes.OBJECT if self.method in ("POST",) else None

    def get_response_serializers(self) -> Any:
        if self.method == "DELETE":
            return {204: None}
        if self.method == "POST" and type(self.view).__name__.endswith("List"):
            return {201: OpenApiTypes.OBJECT}
        return OpenApiTypes.OBJECT
