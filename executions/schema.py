"""OpenAPI descriptions of the Executions, Steps, Messages and Calls operations.

The views build their bodies by hand (``executions.serializers``, ``message_json``,
``call_json``) field for field as Twilio answers; these serializers only *describe* those
bodies and the form parameters each operation reads, so ``/api/schema/`` tells clients and
fuzzers what to send and what comes back. ``*_SCHEMA`` are the ``extend_schema`` arguments the
views use.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from accounts.schema import ERRORS, PAGING_2010, Page2010Serializer, TwilioErrorSerializer, form

HTTP_METHODS = ["GET", "POST"]


class PageMetaSerializer(serializers.Serializer):
    """The Studio v2 paging ``meta``."""

    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    first_page_url = serializers.URLField()
    previous_page_url = serializers.URLField(allow_null=True)
    url = serializers.URLField()
    next_page_url = serializers.URLField(allow_null=True)
    key = serializers.CharField()


# -- Studio v2: Executions and Steps ------------------------------------------------------------


class ExecutionLinksSerializer(serializers.Serializer):
    steps = serializers.URLField()
    execution_context = serializers.URLField()


class ExecutionSerializer(serializers.Serializer):
    sid = serializers.CharField()
    account_sid = serializers.CharField()
    flow_sid = serializers.CharField()
    contact_sid = serializers.CharField(allow_null=True)
    contact_channel_address = serializers.CharField()
    context = serializers.DictField()
    status = serializers.ChoiceField(choices=["active", "ended"])
    flow_version = serializers.IntegerField()
    initiated_by = serializers.CharField()
    date_created = serializers.DateTimeField()
    date_updated = serializers.DateTimeField(allow_null=True)
    url = serializers.URLField()
    links = ExecutionLinksSerializer()


class ExecutionPageSerializer(serializers.Serializer):
    executions = ExecutionSerializer(many=True)
    meta = PageMetaSerializer()


class ExecutionCreateSerializer(serializers.Serializer):
    To = serializers.CharField(help_text="the contact's address (To and From together at most 300 bytes)")
    From = serializers.CharField(help_text="the flow's channel address")
    Parameters = serializers.CharField(required=False, help_text="a JSON object, as text: becomes flow.data")


class ExecutionUpdateSerializer(serializers.Serializer):
    Status = serializers.ChoiceField(choices=["ended"])


class ExecutionContextSerializer(serializers.Serializer):
    account_sid = serializers.CharField()
    context = serializers.DictField()
    flow_sid = serializers.CharField()
    execution_sid = serializers.CharField()
    url = serializers.URLField()


class StepLinksSerializer(serializers.Serializer):
    step_context = serializers.URLField()


class StepSerializer(serializers.Serializer):
    sid = serializers.CharField()
    account_sid = serializers.CharField()
    flow_sid = serializers.CharField()
    execution_sid = serializers.CharField()
    parent_step_sid = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    context = serializers.DictField()
    transitioned_from = serializers.CharField()
    transitioned_to = serializers.CharField()
    type = serializers.CharField()
    date_created = serializers.DateTimeField()
    date_updated = serializers.DateTimeField(allow_null=True)
    url = serializers.URLField()
    links = StepLinksSerializer()


class StepPageSerializer(serializers.Serializer):
    steps = StepSerializer(many=True)
    meta = PageMetaSerializer()


class StepContextSerializer(serializers.Serializer):
    account_sid = serializers.CharField()
    context = serializers.DictField()
    execution_sid = serializers.CharField()
    flow_sid = serializers.CharField()
    step_sid = serializers.CharField()
    url = serializers.URLField()


# -- 2010-04-01: Messages and Calls ---------------------------------------------------------------


class MessageMediaUrisSerializer(serializers.Serializer):
    media = serializers.CharField()


class MessageSerializer(serializers.Serializer):
    account_sid = serializers.CharField()
    api_version = serializers.CharField()
    body = serializers.CharField()
    date_created = serializers.CharField(help_text="RFC 2822")
    date_sent = serializers.CharField(allow_null=True, help_text="RFC 2822")
    date_updated = serializers.CharField(help_text="RFC 2822")
    direction = serializers.CharField()
    error_code = serializers.IntegerField(allow_null=True)
    error_message = serializers.CharField(allow_null=True)
    messaging_service_sid = serializers.CharField(allow_null=True)
    num_media = serializers.CharField()
    num_segments = serializers.CharField()
    price = serializers.CharField(allow_null=True)
    price_unit = serializers.CharField()
    sid = serializers.CharField()
    status = serializers.CharField()
    subresource_uris = MessageMediaUrisSerializer()
    to = serializers.CharField()
    uri = serializers.CharField()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = serializers.CharField()  # a Python keyword: added by name
        return fields


class MessagePageSerializer(Page2010Serializer):
    messages = MessageSerializer(many=True)


class MessageCreateSerializer(serializers.Serializer):
    To = serializers.CharField()
    From = serializers.CharField(required=False, help_text="a number, or use MessagingServiceSid")
    MessagingServiceSid = serializers.CharField(required=False)
    Body = serializers.CharField(required=False, help_text="required unless MediaUrl is given")
    MediaUrl = serializers.ListField(child=serializers.URLField(), required=False)


class CallSubresourceUrisSerializer(serializers.Serializer):
    recordings = serializers.CharField()
    notifications = serializers.CharField()


class CallSerializer(serializers.Serializer):
    account_sid = serializers.CharField()
    annotation = serializers.CharField(allow_null=True)
    answered_by = serializers.CharField(allow_null=True)
    api_version = serializers.CharField()
    caller_name = serializers.CharField(allow_null=True)
    date_created = serializers.CharField(help_text="RFC 2822")
    date_updated = serializers.CharField(help_text="RFC 2822")
    direction = serializers.CharField()
    duration = serializers.CharField(allow_null=True)
    end_time = serializers.CharField(allow_null=True)
    forwarded_from = serializers.CharField(allow_null=True)
    from_formatted = serializers.CharField()
    group_sid = serializers.CharField(allow_null=True)
    parent_call_sid = serializers.CharField(allow_null=True)
    phone_number_sid = serializers.CharField(allow_null=True)
    price = serializers.CharField(allow_null=True)
    price_unit = serializers.CharField()
    queue_time = serializers.CharField()
    sid = serializers.CharField()
    start_time = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    subresource_uris = CallSubresourceUrisSerializer()
    to = serializers.CharField()
    to_formatted = serializers.CharField()
    trunk_sid = serializers.CharField(allow_null=True)
    uri = serializers.CharField()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = serializers.CharField()
        return fields


class CallPageSerializer(Page2010Serializer):
    calls = CallSerializer(many=True)


def method_field() -> serializers.ChoiceField:
    """GET or POST (the enum is named HttpMethodEnum in SPECTACULAR_SETTINGS)."""
    return serializers.ChoiceField(choices=HTTP_METHODS, required=False)


class CallCreateSerializer(serializers.Serializer):
    To = serializers.CharField()
    From = serializers.CharField()
    Url = serializers.URLField(required=False, help_text="TwiML to play (http/https, a public address)")
    Method = method_field()
    Twiml = serializers.CharField(required=False)
    ApplicationSid = serializers.CharField(required=False)
    StatusCallback = serializers.URLField(required=False)
    StatusCallbackMethod = method_field()
    Timeout = serializers.IntegerField(required=False, min_value=0, help_text="seconds to ring, at most 600")
    MachineDetection = serializers.CharField(required=False)
    MachineDetectionTimeout = serializers.IntegerField(required=False)
    SendDigits = serializers.CharField(required=False)
    Record = serializers.BooleanField(required=False)
    RecordingChannels = serializers.CharField(required=False)
    RecordingStatusCallback = serializers.URLField(required=False)
    Trim = serializers.CharField(required=False)
    CallerId = serializers.CharField(required=False)


class CallUpdateSerializer(serializers.Serializer):
    Status = serializers.ChoiceField(choices=["completed", "canceled"])


# -- extend_schema arguments ----------------------------------------------------------------------

V2_TAG = ["Studio v2"]
API_TAG = ["2010-04-01"]
V2_PAGING = [
    OpenApiParameter("PageSize", int, description="1–1000, default 50"),
    OpenApiParameter("Page", int),
    OpenApiParameter("PageToken", str),
]


def op(operation_id: str, summary: str, tags: list[str], **kwargs: Any) -> dict[str, Any]:
    kwargs["responses"] = {**kwargs.get("responses", {}), **ERRORS}
    return {"operation_id": operation_id, "summary": summary, "tags": tags, **kwargs}


EXECUTION_LIST = op(
    "v2_execution_list_get",
    "List a flow's executions, newest first",
    V2_TAG,
    parameters=[
        OpenApiParameter("Status", str, enum=["active", "ended"]),
        OpenApiParameter("DateCreatedFrom", str, description="ISO 8601"),
        OpenApiParameter("DateCreatedTo", str, description="ISO 8601"),
        *V2_PAGING,
    ],
    responses={200: ExecutionPageSerializer},
)
EXECUTION_CREATE = op(
    "v2_execution_create",
    "Start an execution (REST API trigger)",
    V2_TAG,
    request=form(ExecutionCreateSerializer),
    responses={201: ExecutionSerializer, 409: TwilioErrorSerializer},
)
EXECUTION_FETCH = op("v2_execution_get", "Fetch an execution", V2_TAG, responses={200: ExecutionSerializer})
EXECUTION_UPDATE = op(
    "v2_execution_update",
    "End an active execution",
    V2_TAG,
    request=form(ExecutionUpdateSerializer),
    responses={200: ExecutionSerializer, 409: TwilioErrorSerializer},
)
EXECUTION_DELETE = op("v2_execution_delete", "Delete an execution", V2_TAG, responses={204: None})
EXECUTION_CONTEXT = op(
    "v2_execution_context_get",
    "Fetch an execution's context",
    V2_TAG,
    responses={200: ExecutionContextSerializer},
)
STEP_LIST = op(
    "v2_step_list_get",
    "List an execution's steps, newest first",
    V2_TAG,
    parameters=V2_PAGING,
    responses={200: StepPageSerializer},
)
STEP_FETCH = op("v2_step_get", "Fetch a step", V2_TAG, responses={200: StepSerializer})
STEP_CONTEXT = op(
    "v2_step_context_get", "Fetch a step's context", V2_TAG, responses={200: StepContextSerializer}
)
MESSAGE_LIST = op(
    "api2010_message_list_get",
    "List messages, newest first",
    API_TAG,
    parameters=[
        OpenApiParameter("To", str),
        OpenApiParameter("From", str),
        OpenApiParameter("DateSent", str, description="YYYY-MM-DD"),
        OpenApiParameter("DateSent<", str, description="YYYY-MM-DD"),
        OpenApiParameter("DateSent>", str, description="YYYY-MM-DD"),
        *PAGING_2010,
    ],
    responses={200: MessagePageSerializer},
)
MESSAGE_CREATE = op(
    "api2010_message_create",
    "Send a message through the account's provider",
    API_TAG,
    request=form(MessageCreateSerializer),
    responses={201: MessageSerializer},
)
MESSAGE_FETCH = op("api2010_message_get", "Fetch a message", API_TAG, responses={200: MessageSerializer})
CALL_LIST = op(
    "api2010_call_list_get",
    "List calls, newest first",
    API_TAG,
    parameters=[
        OpenApiParameter("To", str),
        OpenApiParameter("From", str),
        OpenApiParameter("Status", str),
        *PAGING_2010,
    ],
    responses={200: CallPageSerializer},
)
CALL_CREATE = op(
    "api2010_call_create",
    "Place a call (the simulator plays it, or the Twilio provider dials it)",
    API_TAG,
    request=form(CallCreateSerializer),
    responses={201: CallSerializer},
)
CALL_FETCH = op("api2010_call_get", "Fetch a call", API_TAG, responses={200: CallSerializer})
CALL_UPDATE = op(
    "api2010_call_update",
    "End a call that is queued, ringing or in progress",
    API_TAG,
    request=form(CallUpdateSerializer),
    responses={200: CallSerializer},
)
