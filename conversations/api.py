"""Conversations v1 REST API (Twilio serves it on conversations.twilio.com): Conversations,
Participants, Messages and conversation-scoped Webhooks, at ``/v1/Conversations…`` and, under a
conversation service, ``/v1/Services/{IS}/Conversations…`` (same views, ``service_sid`` given).

Bodies are form-encoded as the twilio SDKs send them; every lookup goes through the caller's
account, so another account's SID answers 404 (20404) exactly like an unknown one.
"""

from __future__ import annotations

import re
from datetime import datetime
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
from conversations import events, hooks, services
from conversations.effects import delivery_statuses
from conversations.media_rows import attach, attached
from conversations.models import (
    Conversation,
    ConversationMessage,
    ConversationService,
    Participant,
)
from conversations.serializers import (
    conversation_json,
    message_json,
    participant_json,
    service_json,
)

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


def dates_param(request: Request) -> tuple[datetime | None, datetime | None]:
    """DateCreated and DateUpdated (ISO 8601), kept on create as Twilio keeps them (imports)."""
    created, updated = param(request, "DateCreated"), param(request, "DateUpdated")
    return (
        datetime_value(created, "DateCreated") if created is not None else None,
        datetime_value(updated, "DateUpdated") if updated is not None else None,
    )


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
        account, service = account_of(request), self.service(request, service_sid)
        dates, hooked = dates_param(request), events.enabled_by(request)
        fields = {
            "FriendlyName": param(request, "FriendlyName") or "",
            "UniqueName": param(request, "UniqueName") or "",
            "Attributes": param(request, "Attributes") or "{}",
            "MessagingServiceSid": param(request, "MessagingServiceSid") or "",
            "State": param(request, "State") or "active",
        }
        if hooked:
            chosen = service or services.default_service(account)
            fields.update(hooks.before_conversation_add(account, chosen, fields))
        with transaction.atomic():
            conversation = services.create_conversation(
                account,
                service=service,
                friendly_name=fields["FriendlyName"],
                unique_name=fields["UniqueName"] or None,
                attributes=fields["Attributes"],
                messaging_service_sid=fields["MessagingServiceSid"],
                state=fields["State"],
                timers_inactive=duration_param(request, "Timers.Inactive"),
                timers_closed=duration_param(request, "Timers.Closed"),
                webhooks=False,  # told below, once dated, when the header asks
            )
            if any(dates):
                services.redate(conversation, *dates)
            if hooked:
                hooks.conversation_added(conversation)
        return Response(conversation_json(conversation, service is not None), status=201)


class ConversationDetail(ConversationsView):
    def get(self, request: Request, sid: str, service_sid: str | None = None) -> Response:
        return Response(
            conversation_json(self.conversation(request, sid, service_sid), service_sid is not None)
        )

    def post(self, request: Request, sid: str, service_sid: str | None = None) -> Response:
        dates, hooked = dates_param(request), events.enabled_by(request)
        names = ("FriendlyName", "UniqueName", "Attributes", "MessagingServiceSid", "State")
        given = {name: param(request, name) for name in names}
        changes = {k: v for k, v in given.items() if v is not None}
        if hooked:
            changes.update(
                hooks.before_conversation_update(self.conversation(request, sid, service_sid), changes)
            )
        with transaction.atomic():
            conversation = self.conversation(request, sid, service_sid)
            before = conversation.state
            services.update_conversation(
                conversation,
                friendly_name=changes.get("FriendlyName"),
                unique_name=changes.get("UniqueName"),
                attributes=changes.get("Attributes"),
                messaging_service_sid=changes.get("MessagingServiceSid"),
                state=changes.get("State"),
                timers_inactive=duration_param(request, "Timers.Inactive"),
                timers_closed=duration_param(request, "Timers.Closed"),
            )
            if any(dates):
                services.redate(conversation, *dates)
            if hooked:
                hooks.conversation_updated(conversation)
                if conversation.state != before:
                    hooks.state_updated(conversation, before, conversation.state, "API")
        return Response(conversation_json(conversation, service_sid is not None))

    def delete(self, request: Request, sid: str, service_sid: str | None = None) -> Response:
        conversation = self.conversation(request, sid, service_sid)
        hooked = events.enabled_by(request)
        if hooked:
            hooks.before_conversation_remove(conversation)
        fields, service = hooks.conversation_fields(conversation), conversation.service
        with transaction.atomic():
            conversation.delete()
            if hooked:
                hooks.conversation_removed(fields, service)
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
        dates, hooked = dates_param(request), events.enabled_by(request)
        attributes = param(request, "Attributes") or "{}"
        if hooked:
            fields = {
                "Identity": param(request, "Identity") or "",
                "MessagingBinding.Address": param(request, "MessagingBinding.Address") or "",
                "MessagingBinding.ProxyAddress": param(request, "MessagingBinding.ProxyAddress") or "",
                "RoleSid": param(request, "RoleSid") or "",
                "Attributes": attributes,
            }
            attributes = hooks.before_participant_add(conversation, fields).get("Attributes", attributes)
        with transaction.atomic():
            participant = services.add_participant(
                conversation,
                identity=param(request, "Identity"),
                address=param(request, "MessagingBinding.Address") or "",
                proxy_address=param(request, "MessagingBinding.ProxyAddress") or "",
                attributes=attributes,
                role_sid=param(request, "RoleSid"),
                webhooks=False,  # told below, once dated, when the header asks
            )
            if any(dates):
                services.redate(participant, *dates)
            if hooked:
                hooks.participant_added(participant)
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
        dates, hooked = dates_param(request), events.enabled_by(request)
        attributes = param(request, "Attributes")
        if hooked:
            given = {"Attributes": attributes} if attributes is not None else {}
            attributes = hooks.before_participant_update(p, given).get("Attributes", attributes)
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
        with transaction.atomic():
            p.save()
            if any(dates):
                services.redate(p, *dates)
            if hooked:
                hooks.participant_updated(p)
        return Response(participant_json(p, service_sid is not None))

    def delete(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None = None
    ) -> Response:
        p = self.participant(request, conversation_sid, sid, service_sid)
        hooked = events.enabled_by(request)
        if hooked:
            hooks.before_participant_remove(p)
        fields, service = hooks.participant_fields(p), p.conversation.service
        with transaction.atomic():
            services.remove_participant(p)
            if hooked:
                hooks.participant_removed(fields, service)
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
        dates = dates_param(request)
        body = request.data.get("Body")
        if body is not None and not isinstance(body, str):
            raise invalid_parameter("Body", "text")
        message = services.add_message(
            conversation,
            author=param(request, "Author") or services.SYSTEM,
            body=body or "",
            media=media,
            attributes=param(request, "Attributes") or "{}",
            webhooks=events.enabled_by(request),
            dates=dates,
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
        dates, hooked = dates_param(request), events.enabled_by(request)
        given = {k: param(request, k) for k in ("Author", "Body", "Attributes")}
        if hooked:
            changes = {k: v for k, v in given.items() if v is not None}
            given.update(hooks.before_message_update(m, changes))
        author = given["Author"]
        if author is not None:
            if len(author) > services.MAX_NAME:
                raise invalid_parameter("Author", f"at most {services.MAX_NAME} characters")
            m.author = author
        body = given["Body"]
        if body is not None:
            if len(body) > services.MAX_BODY:
                raise invalid_parameter("Body", f"at most {services.MAX_BODY} characters")
            m.body = body
        attributes = given["Attributes"]
        if attributes is not None:
            m.attributes = services.check_attributes(attributes)
        with transaction.atomic():
            m.save()
            if any(dates):
                services.redate(m, *dates)
            if hooked:
                hooks.message_updated(m)
        return Response(_message_out(m, service_sid is not None))

    def delete(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None = None
    ) -> Response:
        m = self.message(request, conversation_sid, sid, service_sid)
        hooked = events.enabled_by(request)
        if hooked:
            hooks.before_message_remove(m)
        fields, service = hooks.message_fields(m), m.conversation.service
        with transaction.atomic():
            m.delete()
            if hooked:
                hooks.message_removed(fields, service)
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
