"""OpenAPI descriptions shared by the 2010-04-01 resources (Twilio's error body, that API's
paging envelope, form bodies) and those of the Keys resource. Documentation only: the views
build their bodies by hand, field for field as Twilio answers."""

from __future__ import annotations

from typing import Any

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
