"""The canvas simulator's chat and the live monitor's reads (console API, session + CSRF).

A simulated message goes through the very webhook Twilio calls: signed with the account's
auth token, resolved in-process (``calls.signed_request``), recorded as an ``InboundEvent`` and
run by the engine. The simulator runs the latest saved revision, draft or not, because its
``from`` address is added to the flow's test users (``Flow.revision_for`` gives test users the
latest revision) -- the same mechanism a developer uses from a real phone.

Every read is scoped to the caller's account: another account's flow or execution is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import input_guards
from accounts.auth import CanEditOrReadOnly, ConsoleSessionAuthentication, request_account
from accounts.errors import TwilioAPIError, invalid_parameter, missing_parameter, not_found
from accounts.sids import new_sid
from executions.engine import store
from executions.models import Execution, InboundEvent, Message, Step
from executions.voice import calls
from studio.models import Flow

TAG = ["Console"]
# How the simulator's transcript labels an inbound message by its event's status.
INBOUND_STATUS: dict[str, str] = {
    InboundEvent.Status.PROCESSED: "received",
    InboundEvent.Status.FAILED: "failed",
}
OBJ = OpenApiTypes.OBJECT
TRANSCRIPT_LIMIT = 300
# Address prefixes of channels other than SMS (Twilio's "whatsapp:+1…", "messenger:…").
CHANNEL_PREFIXES = ("whatsapp", "messenger", "rcs")


def iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _flow(request: Request, sid: str) -> Flow:
    flow = Flow.objects.select_related("account").filter(account=request_account(request), sid=sid).first()
    if flow is None:
        raise not_found(f"The requested resource /Flows/{sid} was not found")
    return flow


def _data(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise TwilioAPIError(400, 20001, "Invalid request body: a JSON object is expected")
    return request.data


def _required(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise missing_parameter(name)
    if not isinstance(value, str):
        raise invalid_parameter(name, "must be a string")
    return value.strip()


def ensure_test_user(flow: Flow, address: str) -> bool:
    """Make ``address`` run the latest revision (drafts included); True when it was added."""
    with transaction.atomic():
        locked = Flow.objects.select_for_update().get(pk=flow.pk)
        users = list(locked.test_users or [])
        if address in users:
            return False
        users.append(address)
        locked.test_users = users
        locked.save(update_fields=["test_users", "date_updated"])
    flow.test_users = users
    return True


# -- bodies ----------------------------------------------------------------------------------


def execution_summary(ex: Execution) -> dict[str, Any]:
    return {
        "sid": ex.sid,
        "flow_sid": ex.flow.sid,
        "status": ex.status,
        "contact": ex.contact_channel_address,
        "channel": ex.channel_address,
        "trigger_event": ex.trigger_event,
        "current_widget": ex.current_widget or None,
        "revision": ex.flow_version,
        "step_count": ex.step_count,
        "date_created": iso(ex.date_created),
        "date_updated": iso(ex.date_updated),
        "date_ended": iso(ex.date_ended),
    }


def step_body(step: Step) -> dict[str, Any]:
    return {
        "sid": step.sid,
        "name": step.name,
        "from": step.transitioned_from,
        "to": step.transitioned_to,
        "widget_type": step.type,
        "context": step.context,
        "date_created": iso(step.date_created),
    }


def address_forms(contact: str) -> list[str]:
    """The contact as messages may address it: as typed, bare, or with a channel prefix
    (``whatsapp:+1555…`` and ``+1555…`` are one contact)."""
    bare = contact.split(":", 1)[1] if ":" in contact else contact
    return sorted({contact, bare, *(f"{prefix}:{bare}" for prefix in CHANNEL_PREFIXES)})


def inbound_media(params: dict[str, Any]) -> list[str]:
    try:
        count = int(params.get("NumMedia") or 0)
    except (TypeError, ValueError):
        count = 0
    return [str(params[f"MediaUrl{i}"]) for i in range(min(count, 10)) if params.get(f"MediaUrl{i}")]


def conversation(flow: Flow, contact: str, channel: str = "", since: Any = None) -> dict[str, Any]:
    """Inbound events and outbound messages of one contact pair, oldest first."""
    inbound = InboundEvent.objects.filter(flow=flow, contact_channel_address=contact, kind="message")
    # Every message an execution of this flow sent to the contact, whatever its ``from``: an
    # alphanumeric sender ("NFM Lending"), a Messaging Service or a WhatsApp address never
    # equals the flow's number, so the pair is the execution's, not the message's.
    outbound = Message.objects.filter(
        account=flow.account, execution__flow=flow, to_address__in=address_forms(contact)
    )
    if channel:
        inbound = inbound.filter(channel_address=channel)
        outbound = outbound.filter(Q(execution__channel_address=channel) | Q(from_address=channel))
    # Messages sent outside any execution (a Flex agent's reply, the Messages API) from the number
    # the contact writes to are in the same conversation, as the contact's phone shows them.
    numbers = (
        [channel] if channel else list(inbound.values_list("channel_address", flat=True).distinct()[:20])
    )
    outbound = outbound | Message.objects.filter(
        account=flow.account,
        execution__isnull=True,
        from_address__in=numbers,
        to_address__in=address_forms(contact),
    ).exclude(direction="inbound")
    if since is not None:
        inbound = inbound.filter(date_created__gte=since)
        outbound = outbound.filter(date_created__gte=since)
    items: list[tuple[Any, int, dict[str, Any]]] = []
    for ev in inbound.order_by("-id")[:TRANSCRIPT_LIMIT]:
        params = ev.params or {}
        items.append(
            (
                ev.date_created,
                0,
                {
                    "direction": "inbound",
                    "sid": ev.key,
                    "from": ev.contact_channel_address,
                    "to": ev.channel_address,
                    "body": str(params.get("Body") or ""),
                    "media_urls": inbound_media(params),
                    "status": INBOUND_STATUS.get(ev.status, "pending"),
                    "execution_sid": ev.execution_sid or None,
                    "widget": None,
                    "date_created": iso(ev.date_created),
                },
            )
        )
    for msg in outbound.select_related("execution").order_by("-date_created", "-id")[:TRANSCRIPT_LIMIT]:
        items.append(
            (
                msg.date_created,
                1,
                {
                    "direction": "outbound",
                    "sid": msg.sid,
                    "from": msg.from_address,
                    "to": msg.to_address,
                    "body": msg.body,
                    "media_urls": list(msg.media_urls or []),
                    "status": msg.status,
                    "error_code": msg.error_code,
                    "execution_sid": msg.execution.sid if msg.execution else None,
                    "widget": msg.widget or None,
                    "date_created": iso(msg.date_created),
                },
            )
        )
    items.sort(key=lambda item: (item[0], item[1]))
    active_qs = Execution.objects.filter(flow=flow, contact_channel_address=contact, status="active")
    if channel:
        active_qs = active_qs.filter(channel_address=channel)
    active = active_qs.select_related("flow").order_by("-id").first()
    return {
        "contact": contact,
        "channel": channel or None,
        "messages": [body for _, _, body in items[-TRANSCRIPT_LIMIT:]],
        "active_execution": execution_summary(active) if active else None,
    }


# -- views -----------------------------------------------------------------------------------


class ConsoleSimView(APIView):
    authentication_classes = [ConsoleSessionAuthentication]
    permission_classes = [CanEditOrReadOnly]


class SimulateMessage(ConsoleSimView):
    """``POST /api/console/flows/{FW}/simulate/message`` ``{from, to, body, media_urls?}``."""

    @extend_schema(
        operation_id="console_flow_simulate_message",
        tags=TAG,
        summary="Send a signed inbound-message webhook into the flow as Twilio would",
        request=OBJ,
        responses=OBJ,
    )
    def post(self, request: Request, sid: str) -> Response:
        flow = _flow(request, sid)
        data = _data(request)
        frm, to = _required(data, "from"), _required(data, "to")
        text = data.get("body", "")
        if not isinstance(text, str):
            raise invalid_parameter("body", "must be a string")
        media = data.get("media_urls") or []
        if not isinstance(media, list) or not all(isinstance(u, str) and u.strip() for u in media):
            raise invalid_parameter("media_urls", "must be a list of URLs")
        added = ensure_test_user(flow, frm)
        account = flow.account
        message_sid = new_sid("SM")
        params = {
            "ToCountry": "US",
            "SmsMessageSid": message_sid,
            "NumMedia": str(len(media[:10])),
            **{f"MediaUrl{i}": url.strip() for i, url in enumerate(media[:10])},
            "SmsSid": message_sid,
            "SmsStatus": "received",
            "Body": text,
            "To": to,
            "NumSegments": "1",
            "MessageSid": message_sid,
            "AccountSid": account.sid,
            "From": frm,
            "ApiVersion": "2010-04-01",
        }
        status, _ = calls.signed_request(
            account, "POST", calls.flow_webhook_url(account.sid, flow.sid), params
        )
        if status >= 400:
            raise TwilioAPIError(502, 20500, f"The flow webhook answered {status}")
        event = InboundEvent.objects.filter(flow=flow, key=message_sid).first()
        execution_sid = event.execution_sid if event and event.execution_sid else None
        return Response(
            {
                "message_sid": message_sid,
                "execution_sid": execution_sid,
                # "pending" when the event waits for a Celery worker (production topology).
                "status": event.status if event else "dropped",
                "test_user_added": added,
                "conversation": conversation(flow, frm, to),
            },
            status=201,
        )


class SimulateReset(ConsoleSimView):
    """``POST /api/console/flows/{FW}/simulate/reset`` ``{contact, channel?}``: a new conversation.

    Ends the pair's active executions (as the REST API's ``Status=ended`` does) and answers
    ``since``: the conversation read from then on starts empty.
    """

    @extend_schema(operation_id="console_flow_simulate_reset", tags=TAG, request=OBJ, responses=OBJ)
    def post(self, request: Request, sid: str) -> Response:
        flow = _flow(request, sid)
        data = _data(request)
        contact = _required(data, "contact")
        channel = data.get("channel") or ""
        qs = Execution.objects.filter(flow=flow, contact_channel_address=contact, status="active")
        if channel:
            qs = qs.filter(channel_address=str(channel))
        ended: list[str] = []
        for pk in list(qs.values_list("pk", flat=True)):
            with transaction.atomic():
                execution = store.lock(pk)
                if execution.is_active:
                    store.end_execution(execution, "Execution ended from the simulator (new conversation)")
                    ended.append(execution.sid)
        return Response({"ended": ended, "since": iso(timezone.now())})


class SimulateConversation(ConsoleSimView):
    """``GET /api/console/flows/{FW}/simulate/conversation?contact=…&channel=…&since=…``."""

    @extend_schema(operation_id="console_flow_simulate_conversation", tags=TAG, responses=OBJ)
    def get(self, request: Request, sid: str) -> Response:
        flow = _flow(request, sid)
        contact = str(request.query_params.get("contact") or "").strip()
        if not contact:
            raise missing_parameter("contact")
        channel = str(request.query_params.get("channel") or "").strip()
        since_text = request.query_params.get("since")
        since = parse_datetime(since_text) if since_text else None
        if since_text and since is None:
            raise invalid_parameter("since", "must be an ISO 8601 date-time")
        if since is not None:
            since = input_guards.in_range(since, "since")
        return Response(conversation(flow, contact, channel, since))


class ConsoleExecutionDetail(ConsoleSimView):
    """``GET /api/console/executions/{FN}``: the execution, its steps (newest last) and context."""

    @extend_schema(operation_id="console_execution", tags=TAG, responses=OBJ)
    def get(self, request: Request, sid: str) -> Response:
        ex = (
            Execution.objects.select_related("flow").filter(account=request_account(request), sid=sid).first()
        )
        if ex is None:
            raise not_found(f"The requested resource /Executions/{sid} was not found")
        steps = Step.objects.filter(execution=ex).order_by("date_created", "id")
        return Response(
            {
                **execution_summary(ex),
                "context": ex.context,
                "log": ex.log,
                "steps": [step_body(s) for s in steps],
            }
        )
