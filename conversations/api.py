"""Conversations v1 REST API (Twilio serves it on conversations.twilio.com): Conversations,
Participants, Messages and conversation-scoped Webhooks, at ``/v1/Conversations…`` and, under a
conversation service, ``/v1/Services/{IS}/Conversations…`` (same views, ``service_sid`` given).

Bodies are form-encoded as the twilio SDKs send them; every lookup goes through the caller's
account, so another account's SID answers 404 (20404) exactly like an unknown one.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import CanEditOrReadOnly, ConsoleSessionAuthentication, TwilioBasicAuthentication
from accounts.auth import request_account as account_of
from accounts.errors import TwilioAPIError, invalid_parameter, missing_parameter, not_found
from accounts.input_guards import datetime_value
from accounts.pagination import paginate
from conversations import services
from conversations.effects import delivery_statuses
from conversations.media_rows import attach, attached
from conversations.models import (
    Conversation,
    ConversationMessage,
    ConversationService,
    ConversationWebhook,
    Participant,
)
from conversations.serializers import (
    conversation_json,
    message_json,
    participant_json,
    service_json,
    webhook_json,
)
from studio.models import Flow

DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
MAX_MEDIA = 10


def param(request: Request, name: str) -> str | None:
    value = request.data.get(name)
    return None if value in (None, "") else str(value)


def params_list(request: Request, name: str) -> list[str]:
    data = request.data
    values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
    if isinstance(values, str):
        values = [values]
    return [str(v) for v in values if v not in (None, "")]


def required(request: Request, name: str) -> str:
    value = param(request, name)
    if value is None:
        raise missing_parameter(name)
    return value


def duration_param(request: Request, name: str) -> int | None:
    """An ISO-8601 duration (``PT10M``) in seconds; Twilio's timers take at least 10 minutes
    (inactive) / 10 minutes (closed) but shorter ones are accepted here to keep tests quick."""
    raw = param(request, name)
    if raw is None:
        return None
    match = DURATION.match(raw)
    if match is None or not any(match.groups()):
        raise invalid_parameter(name, "an ISO-8601 duration such as PT10M")
    d, h, m, s = (int(x or 0) for x in match.groups())
    seconds = ((d * 24 + h) * 60 + m) * 60 + s
    if seconds > 10 * 365 * 86400:
        raise invalid_parameter(name, "too long")
    return seconds


class ConversationsSchema(AutoSchema):
    def get_tags(self) -> list[str]:
        return ["Conversations v1"]

    def get_operation_id(self) -> str:
        # The same views answer under a conversation service: one id per path, not per view.
        scoped = "_service" if "/Services/" in self.path else ""
        return f"conversations_{type(self.view).__name__}{scoped}_{self.method.lower()}"

    def get_request_serializer(self) -> Any:
        return OpenApiTypes.OBJECT if self.method == "POST" else None

    def get_response_serializers(self) -> Any:
        if self.method == "DELETE":
            return {204: None}
        if self.method == "POST" and type(self.view).__name__.endswith(("List", "Create")):
            return {201: OpenApiTypes.OBJECT}  # a create answers 201, as Twilio's
        return OpenApiTypes.OBJECT


class ConversationsView(APIView):
    schema = ConversationsSchema()
    authentication_classes = [TwilioBasicAuthentication, ConsoleSessionAuthentication]
    permission_classes = [CanEditOrReadOnly]

    def service(self, request: Request, service_sid: str | None) -> ConversationService | None:
        if service_sid is None:
            return None
        return services.service_for(account_of(request), service_sid)

    def conversation(self, request: Request, sid: str, service_sid: str | None = None) -> Conversation:
        return services.get_conversation(account_of(request), sid, self.service(request, service_sid))

    def prefix(self, conversation: Conversation, scoped: bool) -> str:
        return (
            f"/Services/{conversation.service.sid}" if scoped else ""
        ) + f"/Conversations/{conversation.sid}"


def page(request: Request, qs: Any, key: str, serialize: Any, path: str, **kw: Any) -> Response:
    return Response(paginate(request, qs, key, serialize, path=f"/v1{path}", **kw))


# -- conversations -------------------------------------------------------------------------


class ConversationList(ConversationsView):
    def get(self, request: Request, service_sid: str | None = None) -> Response:
        account = account_of(request)
        service = self.service(request, service_sid)
        qs = Conversation.objects.select_related("account", "service").filter(account=account)
        if service is not None:
            qs = qs.filter(service=service)
        state = request.query_params.get("State")
        if state:
            if state not in Conversation.State.values:
                raise invalid_parameter("State", "active, inactive or closed")
            qs = qs.filter(state=state)
        # Twilio's date range: created on or after StartDate's day, on or before EndDate's day.
        start, end = request.query_params.get("StartDate"), request.query_params.get("EndDate")
        if start:
            qs = qs.filter(date_created__date__gte=datetime_value(start, "StartDate").date())
        if end:
            qs = qs.filter(date_created__date__lte=datetime_value(end, "EndDate").date())
        scoped = service is not None
        path = (f"/Services/{service.sid}" if service else "") + "/Conversations"
        return page(request, qs, "conversations", lambda c: conversation_json(c, scoped), path)

    def post(self, request: Request, service_sid: str | None = None) -> Response:
        service = self.service(request, service_sid)
        with transaction.atomic():
            conversation = services.create_conversation(
                account_of(request),
                service=service,
                friendly_name=param(request, "FriendlyName") or "",
                unique_name=param(request, "UniqueName"),
                attributes=param(request, "Attributes") or "{}",
                messaging_service_sid=param(request, "MessagingServiceSid") or "",
                state=param(request, "State") or "active",
                timers_inactive=duration_param(request, "Timers.Inactive"),
                timers_closed=duration_param(request, "Timers.Closed"),
            )
        return Response(conversation_json(conversation, service is not None), status=201)


class ConversationDetail(ConversationsView):
    def get(self, request: Request, sid: str, service_sid: str | None = None) -> Response:
        return Response(
            conversation_json(self.conversation(request, sid, service_sid), service_sid is not None)
        )

    def post(self, request: Request, sid: str, service_sid: str | None = None) -> Response:
        with transaction.atomic():
            conversation = self.conversation(request, sid, service_sid)
            services.update_conversation(
                conversation,
                friendly_name=param(request, "FriendlyName"),
                unique_name=param(request, "UniqueName"),
                attributes=param(request, "Attributes"),
                messaging_service_sid=param(request, "MessagingServiceSid"),
                state=param(request, "State"),
                timers_inactive=duration_param(request, "Timers.Inactive"),
                timers_closed=duration_param(request, "Timers.Closed"),
            )
        return Response(conversation_json(conversation, service_sid is not None))

    def delete(self, request: Request, sid: str, service_sid: str | None = None) -> Response:
        self.conversation(request, sid, service_sid).delete()
        return Response(status=204)


# -- participants --------------------------------------------------------------------------


class ParticipantList(ConversationsView):
    def get(self, request: Request, conversation_sid: str, service_sid: str | None = None) -> Response:
        conversation = self.conversation(request, conversation_sid, service_sid)
        qs = Participant.objects.select_related("conversation__account", "conversation__service").filter(
            conversation=conversation
        )
        scoped = service_sid is not None
        path = self.prefix(conversation, scoped) + "/Participants"
        return page(request, qs, "participants", lambda p: participant_json(p, scoped), path)

    def post(self, request: Request, conversation_sid: str, service_sid: str | None = None) -> Response:
        conversation = self.conversation(request, conversation_sid, service_sid)
        with transaction.atomic():
            participant = services.add_participant(
                conversation,
                identity=param(request, "Identity"),
                address=param(request, "MessagingBinding.Address") or "",
                proxy_address=param(request, "MessagingBinding.ProxyAddress") or "",
                attributes=param(request, "Attributes") or "{}",
                role_sid=param(request, "RoleSid"),
            )
        return Response(participant_json(participant, service_sid is not None), status=201)


class ParticipantDetail(ConversationsView):
    def participant(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None
    ) -> Participant:
        conversation = self.conversation(request, conversation_sid, service_sid)
        return services.participant_for(account_of(request), conversation, sid)

    def get(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None = None
    ) -> Response:
        p = self.participant(request, conversation_sid, sid, service_sid)
        return Response(participant_json(p, service_sid is not None))

    def post(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None = None
    ) -> Response:
        p = self.participant(request, conversation_sid, sid, service_sid)
        attributes = param(request, "Attributes")
        if attributes is not None:
            p.attributes = services.check_attributes(attributes)
        index = param(request, "LastReadMessageIndex")
        if index is not None:
            p.last_read_message_index = int(index) if index.isdigit() and len(index) < 10 else None
            if p.last_read_message_index is None:
                raise invalid_parameter("LastReadMessageIndex", "a message index")
        stamp = param(request, "LastReadTimestamp")
        if stamp is not None:
            p.last_read_timestamp = datetime_value(stamp, "LastReadTimestamp")
        role = param(request, "RoleSid")
        if role is not None:
            p.role_sid = services.conversation_role(p.conversation.service, role)
        p.save()
        return Response(participant_json(p, service_sid is not None))

    def delete(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None = None
    ) -> Response:
        services.remove_participant(self.participant(request, conversation_sid, sid, service_sid))
        return Response(status=204)


# -- messages ------------------------------------------------------------------------------


def _message_out(m: ConversationMessage, scoped: bool) -> dict[str, Any]:
    return message_json(m, scoped, delivery_statuses(m))


class MessageList(ConversationsView):
    def get(self, request: Request, conversation_sid: str, service_sid: str | None = None) -> Response:
        conversation = self.conversation(request, conversation_sid, service_sid)
        qs = ConversationMessage.objects.select_related(
            "conversation__account", "conversation__service"
        ).filter(conversation=conversation)
        order = request.query_params.get("Order") or "asc"
        if order not in ("asc", "desc"):
            raise invalid_parameter("Order", "asc or desc")
        scoped = service_sid is not None
        path = self.prefix(conversation, scoped) + "/Messages"
        return page(
            request,
            qs,
            "messages",
            lambda m: _message_out(m, scoped),
            path,
            newest_first=order == "desc",
            extra_params={"Order": order} if order == "desc" else None,
        )

    def post(self, request: Request, conversation_sid: str, service_sid: str | None = None) -> Response:
        conversation = self.conversation(request, conversation_sid, service_sid)
        media_sids = params_list(request, "MediaSid")[: MAX_MEDIA + 1]
        media: list[dict[str, Any]] = attach(conversation.service, media_sids) if media_sids else []
        for url in params_list(request, "MediaUrl"):  # not Twilio's (it takes uploaded ME… sids only)
            if not url.startswith(("https://", "http://")) or len(url) > 2048:
                raise invalid_parameter("MediaUrl", "an http(s) URL")
            media.append({"sid": None, "content_type": None, "filename": None, "size": None, "url": url})
        if len(media) > MAX_MEDIA:
            raise invalid_parameter("MediaSid", f"at most {MAX_MEDIA} media")
        date = param(request, "DateCreated")
        if date is not None:
            datetime_value(date, "DateCreated")  # checked; the message is dated now
        body = request.data.get("Body")
        if body is not None and not isinstance(body, str):
            raise invalid_parameter("Body", "text")
        message = services.add_message(
            conversation,
            author=param(request, "Author") or services.SYSTEM,
            body=body or "",
            media=media,
            attributes=param(request, "Attributes") or "{}",
        )
        if media_sids:
            attached(conversation, message.sid, media_sids)
        return Response(_message_out(message, service_sid is not None), status=201)


class MessageDetail(ConversationsView):
    def message(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None
    ) -> ConversationMessage:
        conversation = self.conversation(request, conversation_sid, service_sid)
        qs = ConversationMessage.objects.select_related("conversation__account", "conversation__service")
        found = qs.filter(conversation=conversation, sid=sid).first()
        if found is None and sid.isdigit() and len(sid) < 12:
            found = qs.filter(conversation=conversation, index=int(sid)).first()
        if found is None:
            raise not_found(
                f"The requested resource /Conversations/{conversation.sid}/Messages/{sid} was not found"
            )
        return found

    def get(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None = None
    ) -> Response:
        m = self.message(request, conversation_sid, sid, service_sid)
        return Response(_message_out(m, service_sid is not None))

    def post(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None = None
    ) -> Response:
        m = self.message(request, conversation_sid, sid, service_sid)
        author = param(request, "Author")
        if author is not None:
            if len(author) > services.MAX_NAME:
                raise invalid_parameter("Author", f"at most {services.MAX_NAME} characters")
            m.author = author
        body = param(request, "Body")
        if body is not None:
            if len(body) > services.MAX_BODY:
                raise invalid_parameter("Body", f"at most {services.MAX_BODY} characters")
            m.body = body
        attributes = param(request, "Attributes")
        if attributes is not None:
            m.attributes = services.check_attributes(attributes)
        m.save()
        return Response(_message_out(m, service_sid is not None))

    def delete(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None = None
    ) -> Response:
        self.message(request, conversation_sid, sid, service_sid).delete()
        return Response(status=204)


# -- webhooks ------------------------------------------------------------------------------

FILTERS = {"onMessageAdded", "onMessageUpdated", "onMessageRemoved", "onParticipantAdded", "onParticipantRemoved",
           "onConversationUpdated", "onConversationRemoved", "onDeliveryUpdated"}  # fmt: skip
MAX_STUDIO_WEBHOOKS = 1  # Twilio allows one Studio webhook per conversation
MAX_WEBHOOKS = 5


def webhook_from(request: Request, conversation: Conversation) -> ConversationWebhook:
    target = required(request, "Target")
    if target not in ConversationWebhook.Target.values:
        raise invalid_parameter("Target", "webhook, trigger or studio")
    filters = params_list(request, "Configuration.Filters")
    unknown = sorted(set(filters) - FILTERS)
    if unknown:
        raise invalid_parameter("Configuration.Filters", f"unknown {', '.join(unknown)}")
    hook = ConversationWebhook(
        account=conversation.account, conversation=conversation, target=target, filters=filters
    )
    if target == ConversationWebhook.Target.STUDIO:
        flow_sid = required(request, "Configuration.FlowSid")
        if not re.fullmatch(r"FW[0-9a-f]{32}", flow_sid):
            raise invalid_parameter("Configuration.FlowSid", "a Flow SID (FW…)")
        if not Flow.objects.filter(account=conversation.account, sid=flow_sid).exists():
            raise invalid_parameter("Configuration.FlowSid", f"no Flow {flow_sid} in this account")
        hook.flow_sid = flow_sid
        replay = param(request, "Configuration.ReplayAfter")
        hook.replay_after = int(replay) if replay and replay.isdigit() and len(replay) < 9 else None
    else:
        url = required(request, "Configuration.Url")
        if not url.startswith(("https://", "http://")) or len(url) > 2048:
            raise invalid_parameter("Configuration.Url", "an http(s) URL")
        hook.url = url
        method = (param(request, "Configuration.Method") or "POST").upper()
        if method not in ("GET", "POST"):
            raise invalid_parameter("Configuration.Method", "GET or POST")
        hook.method = method
        hook.triggers = params_list(request, "Configuration.Triggers")
    return hook


class WebhookList(ConversationsView):
    def get(self, request: Request, conversation_sid: str, service_sid: str | None = None) -> Response:
        conversation = self.conversation(request, conversation_sid, service_sid)
        qs = ConversationWebhook.objects.select_related(
            "conversation__account", "conversation__service"
        ).filter(conversation=conversation)
        scoped = service_sid is not None
        path = self.prefix(conversation, scoped) + "/Webhooks"
        return page(request, qs, "webhooks", lambda w: webhook_json(w, scoped), path)

    def post(self, request: Request, conversation_sid: str, service_sid: str | None = None) -> Response:
        conversation = self.conversation(request, conversation_sid, service_sid)
        hook = webhook_from(request, conversation)
        existing = ConversationWebhook.objects.filter(conversation=conversation)
        if existing.count() >= MAX_WEBHOOKS:
            raise TwilioAPIError(400, 50100, f"A conversation has at most {MAX_WEBHOOKS} webhooks")
        if hook.target == "studio" and existing.filter(target="studio").count() >= MAX_STUDIO_WEBHOOKS:
            raise TwilioAPIError(400, 50100, "The conversation already has a studio webhook")
        hook.save()
        return Response(webhook_json(hook, service_sid is not None), status=201)


class WebhookDetail(ConversationsView):
    def webhook(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None
    ) -> ConversationWebhook:
        conversation = self.conversation(request, conversation_sid, service_sid)
        hook = (
            ConversationWebhook.objects.select_related("conversation__account", "conversation__service")
            .filter(conversation=conversation, sid=sid)
            .first()
        )
        if hook is None:
            raise not_found(
                f"The requested resource /Conversations/{conversation.sid}/Webhooks/{sid} was not found"
            )
        return hook

    def get(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None = None
    ) -> Response:
        return Response(
            webhook_json(self.webhook(request, conversation_sid, sid, service_sid), service_sid is not None)
        )

    def post(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None = None
    ) -> Response:
        """Twilio's update: the configuration's Url, Method, Filters, Triggers or FlowSid (the
        target stays what it was)."""
        hook = self.webhook(request, conversation_sid, sid, service_sid)
        filters = params_list(request, "Configuration.Filters")
        if filters:
            unknown = sorted(set(filters) - FILTERS)
            if unknown:
                raise invalid_parameter("Configuration.Filters", f"unknown {', '.join(unknown)}")
            hook.filters = filters
        if hook.target == ConversationWebhook.Target.STUDIO:
            flow_sid = param(request, "Configuration.FlowSid")
            if flow_sid is not None:
                if not Flow.objects.filter(account=hook.account_id, sid=flow_sid).exists():
                    raise invalid_parameter("Configuration.FlowSid", f"no Flow {flow_sid} in this account")
                hook.flow_sid = flow_sid
        else:
            url = param(request, "Configuration.Url")
            if url is not None:
                if not url.startswith(("https://", "http://")) or len(url) > 2048:
                    raise invalid_parameter("Configuration.Url", "an http(s) URL")
                hook.url = url
            method = param(request, "Configuration.Method")
            if method is not None:
                if method.upper() not in ("GET", "POST"):
                    raise invalid_parameter("Configuration.Method", "GET or POST")
                hook.method = method.upper()
            triggers = params_list(request, "Configuration.Triggers")
            if triggers:
                hook.triggers = triggers
        hook.save()
        return Response(webhook_json(hook, service_sid is not None))

    def delete(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None = None
    ) -> Response:
        self.webhook(request, conversation_sid, sid, service_sid).delete()
        return Response(status=204)


# -- conversation services (by SID prefix under /v1/Services, see conversations/urls.py) ------


class ServiceDetail(ConversationsView):
    def get(self, request: Request, sid: str) -> Response:
        return Response(service_json(services.service_for(account_of(request), sid)))

    def delete(self, request: Request, sid: str) -> Response:
        service = services.service_for(account_of(request), sid)
        if service.is_default:
            raise TwilioAPIError(400, 50001, "The default conversation service cannot be deleted")
        service.delete()
        return Response(status=204)


class ServiceList(ConversationsView):
    def get(self, request: Request) -> Response:
        qs = ConversationService.objects.select_related("account").filter(account=account_of(request))
        return page(request, qs, "services", service_json, "/Services")

    def post(self, request: Request) -> Response:
        name = required(request, "FriendlyName")
        if len(name) > 256:
            raise invalid_parameter("FriendlyName", "at most 256 characters")
        service = services.create_service(account_of(request), name)
        return Response(service_json(service), status=201)
