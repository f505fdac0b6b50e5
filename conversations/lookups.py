"""Conversations v1 views that read across resources, as the official client calls them:

- ``/v1/ParticipantConversations?Identity=…|Address=…`` — the conversations a chat identity or an
  SMS address takes part in (and under ``/v1/Services/{IS}/``);
- ``/v1/Users/{US}/Conversations[/{CH}]`` — a user's conversations (its participants by identity):
  read, mark read (``LastReadMessageIndex``), mute (``NotificationLevel``), leave (DELETE);
- ``/v1/Conversations/{CH}/Messages/{IM}/Receipts[/{DY}]`` — one delivery receipt per SMS the
  message went out as (``DY`` + the SMS SID's 32 hex digits, so the receipt names its SMS);
- ``POST /v1/ConversationWithParticipants`` — a conversation and its participants in one call;
- ``GET /v1/Services/{IS}/Bindings`` — push bindings: none are made here (no push), the list is empty.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.db.models import Q
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.auth import request_account as account_of
from accounts.errors import TwilioAPIError, invalid_parameter, not_found
from accounts.input_guards import datetime_value
from accounts.pagination import paginate
from conversations import services
from conversations.api import ConversationsView, duration_param, param, params_list
from conversations.models import (
    Conversation,
    ConversationMessage,
    ConversationService,
    ConversationUser,
    Participant,
)
from conversations.serializers import base, conversation_json, iso
from executions.models import Message

# -- participant conversations ---------------------------------------------------------------


def _owner(request: Request, service_sid: str | None) -> ConversationService:
    account = account_of(request)
    return services.service_for(account, service_sid) if service_sid else services.default_service(account)


def _prefix(service: ConversationService, scoped: bool) -> str:
    return f"{base()}/Services/{service.sid}" if scoped else base()


def _timers(c: Conversation) -> dict[str, Any]:
    return {
        k: v for k, v in (("date_inactive", iso(c.date_inactive)), ("date_closed", iso(c.date_closed))) if v
    }


def participant_conversation_json(p: Participant, user_sid: str | None, scoped: bool) -> dict[str, Any]:
    c = p.conversation
    prefix = _prefix(c.service, scoped)
    return {
        "account_sid": c.account.sid,
        "chat_service_sid": c.service.sid,
        "participant_sid": p.sid,
        "participant_user_sid": user_sid,
        "participant_identity": p.identity,
        "participant_messaging_binding": p.messaging_binding(),
        "conversation_sid": c.sid,
        "conversation_unique_name": c.unique_name,
        "conversation_friendly_name": c.friendly_name or None,
        "conversation_attributes": c.attributes,
        "conversation_date_created": iso(c.date_created),
        "conversation_date_updated": iso(c.date_updated),
        "conversation_created_by": services.SYSTEM,
        "conversation_state": c.state,
        "conversation_timers": _timers(c),
        "links": {
            "participant": f"{prefix}/Conversations/{c.sid}/Participants/{p.sid}",
            "conversation": f"{prefix}/Conversations/{c.sid}",
        },
    }


class ParticipantConversationList(ConversationsView):
    def get(self, request: Request, service_sid: str | None = None) -> Response:
        service = _owner(request, service_sid)
        identity = request.query_params.get("Identity")
        address = request.query_params.get("Address")
        if not identity and not address:
            raise TwilioAPIError(400, 20001, "Missing required parameter Identity or Address")
        qs = Participant.objects.select_related("conversation__account", "conversation__service").filter(
            account=service.account, conversation__service=service
        )
        qs = qs.filter(identity=identity) if identity else qs.filter(address=address)
        users = dict(
            ConversationUser.objects.filter(service=service, identity=identity).values_list("identity", "sid")
        )
        scoped = service_sid is not None
        path = ("/v1" + (f"/Services/{service.sid}" if scoped else "")) + "/ParticipantConversations"
        extra = {"Identity": identity} if identity else {"Address": address or ""}
        body = paginate(
            request,
            qs,
            "conversations",
            lambda p: participant_conversation_json(p, users.get(p.identity or ""), scoped),
            path=path,
            extra_params=extra,
        )
        return Response(body)


# -- user conversations --------------------------------------------------------------------


def _user(service: ConversationService, sid: str) -> ConversationUser:
    qs = ConversationUser.objects.select_related("service__account").filter(service=service)
    found = qs.filter(sid=sid).first() or qs.filter(identity=sid).first()
    if found is None:
        raise not_found(f"The requested resource /Users/{sid} was not found")
    return found


def _participations(user: ConversationUser) -> Any:
    return Participant.objects.select_related("conversation__account", "conversation__service").filter(
        account=user.service.account, conversation__service=user.service, identity=user.identity
    )


def user_conversation_json(p: Participant, user: ConversationUser, scoped: bool) -> dict[str, Any]:
    c = p.conversation
    prefix = _prefix(c.service, scoped)
    user_url = f"{prefix}/Users/{user.sid}"
    last = p.last_read_message_index
    unread = None if last is None else max(0, c.next_index - 1 - last)
    return {
        "account_sid": c.account.sid,
        "chat_service_sid": c.service.sid,
        "conversation_sid": c.sid,
        "unread_messages_count": unread,
        "last_read_message_index": last,
        "participant_sid": p.sid,
        "user_sid": user.sid,
        "friendly_name": c.friendly_name or None,
        "conversation_state": c.state,
        "timers": _timers(c),
        "attributes": c.attributes,
        "date_created": iso(c.date_created),
        "date_updated": iso(c.date_updated),
        "created_by": services.SYSTEM,
        "notification_level": p.notification_level,
        "unique_name": c.unique_name,
        "url": f"{user_url}/Conversations/{c.sid}",
        "links": {
            "participant": f"{prefix}/Conversations/{c.sid}/Participants/{p.sid}",
            "conversation": f"{prefix}/Conversations/{c.sid}",
        },
    }


class UserConversationList(ConversationsView):
    def get(self, request: Request, user_sid: str, service_sid: str | None = None) -> Response:
        user = _user(_owner(request, service_sid), user_sid)
        scoped = service_sid is not None
        path = (
            "/v1" + (f"/Services/{user.service.sid}" if scoped else "")
        ) + f"/Users/{user.sid}/Conversations"
        body = paginate(
            request,
            _participations(user),
            "conversations",
            lambda p: user_conversation_json(p, user, scoped),
            path=path,
        )
        return Response(body)


class UserConversationDetail(ConversationsView):
    def lookup(
        self, request: Request, user_sid: str, conversation_sid: str, service_sid: str | None
    ) -> tuple[ConversationUser, Participant]:
        user = _user(_owner(request, service_sid), user_sid)
        found = (
            _participations(user)
            .filter(Q(conversation__sid=conversation_sid) | Q(conversation__unique_name=conversation_sid))
            .first()
        )
        if found is None:
            raise not_found(
                f"The requested resource /Users/{user_sid}/Conversations/{conversation_sid} was not found"
            )
        return user, found

    def get(
        self, request: Request, user_sid: str, conversation_sid: str, service_sid: str | None = None
    ) -> Response:
        user, p = self.lookup(request, user_sid, conversation_sid, service_sid)
        return Response(user_conversation_json(p, user, service_sid is not None))

    def post(
        self, request: Request, user_sid: str, conversation_sid: str, service_sid: str | None = None
    ) -> Response:
        user, p = self.lookup(request, user_sid, conversation_sid, service_sid)
        level = param(request, "NotificationLevel")
        if level is not None:
            if level not in ("default", "muted"):
                raise invalid_parameter("NotificationLevel", "default or muted")
            p.notification_level = level
        index = param(request, "LastReadMessageIndex")
        if index is not None:
            if not index.isdigit() or len(index) > 9:
                raise invalid_parameter("LastReadMessageIndex", "a message index")
            p.last_read_message_index = int(index)
        stamp = param(request, "LastReadTimestamp")
        if stamp is not None:
            p.last_read_timestamp = datetime_value(stamp, "LastReadTimestamp")
        p.save()
        return Response(user_conversation_json(p, user, service_sid is not None))

    def delete(
        self, request: Request, user_sid: str, conversation_sid: str, service_sid: str | None = None
    ) -> Response:
        _, p = self.lookup(request, user_sid, conversation_sid, service_sid)
        services.remove_participant(p)
        return Response(status=204)


# -- delivery receipts -----------------------------------------------------------------------


def _message(
    request: Request, conversation_sid: str, message_sid: str, service_sid: str | None
) -> ConversationMessage:
    account = account_of(request)
    service = services.service_for(account, service_sid) if service_sid else None
    conversation = services.get_conversation(account, conversation_sid, service)
    found = (
        ConversationMessage.objects.select_related("conversation__account", "conversation__service")
        .filter(conversation=conversation, sid=message_sid)
        .first()
    )
    if found is None:
        raise not_found(
            f"The requested resource /Conversations/{conversation_sid}/Messages/{message_sid} was not found"
        )
    return found


def receipt_sid(sms_sid: str) -> str:
    return "DY" + sms_sid[2:]


def receipt_json(sms: Message, m: ConversationMessage, scoped: bool) -> dict[str, Any]:
    c = m.conversation
    participant = next((p for p in services.participants_of(c) if p.address == sms.to_address), None)
    sid = receipt_sid(sms.sid)
    return {
        "account_sid": c.account.sid,
        "chat_service_sid": c.service.sid,
        "conversation_sid": c.sid,
        "message_sid": m.sid,
        "sid": sid,
        "channel_message_sid": sms.sid,
        "participant_sid": participant.sid if participant else None,
        "status": sms.status
        if sms.status in ("read", "failed", "delivered", "undelivered", "sent")
        else "sent",
        "error_code": sms.error_code or 0,
        "date_created": iso(sms.date_created),
        "date_updated": iso(sms.date_updated),
        "url": f"{_prefix(c.service, scoped)}/Conversations/{c.sid}/Messages/{m.sid}/Receipts/{sid}",
    }


def _sms_of(m: ConversationMessage) -> Any:
    sids = [str(s) for s in (m.delivery or {}).get("message_sids") or []]
    return Message.objects.filter(account_id=m.account_id, sid__in=sids)


class ReceiptList(ConversationsView):
    def get(
        self, request: Request, conversation_sid: str, message_sid: str, service_sid: str | None = None
    ) -> Response:
        m = _message(request, conversation_sid, message_sid, service_sid)
        scoped = service_sid is not None
        c = m.conversation
        path = (
            "/v1" + (f"/Services/{c.service.sid}" if scoped else "")
        ) + f"/Conversations/{c.sid}/Messages/{m.sid}/Receipts"
        return Response(
            paginate(
                request, _sms_of(m), "delivery_receipts", lambda s: receipt_json(s, m, scoped), path=path
            )
        )


class ReceiptDetail(ConversationsView):
    def get(
        self,
        request: Request,
        conversation_sid: str,
        message_sid: str,
        sid: str,
        service_sid: str | None = None,
    ) -> Response:
        m = _message(request, conversation_sid, message_sid, service_sid)
        sms = _sms_of(m).filter(sid="SM" + sid[2:]).first() if sid.startswith("DY") else None
        if sms is None:
            raise not_found(
                f"The requested resource /Conversations/{conversation_sid}/Messages/{message_sid}/Receipts/{sid} was not found"
            )
        return Response(receipt_json(sms, m, service_sid is not None))


# -- a conversation with its participants ----------------------------------------------------


def _participant_specs(request: Request) -> list[dict[str, Any]]:
    specs = []
    for raw in params_list(request, "Participant"):
        try:
            spec = json.loads(raw)
        except ValueError:
            raise invalid_parameter("Participant", "a JSON object per participant") from None
        if not isinstance(spec, dict):
            raise invalid_parameter("Participant", "a JSON object per participant")
        specs.append(spec)
    if len(specs) > 10:
        raise invalid_parameter("Participant", "at most 10 participants")
    return specs


class ConversationWithParticipantsCreate(ConversationsView):
    def post(self, request: Request, service_sid: str | None = None) -> Response:
        account = account_of(request)
        service = services.service_for(account, service_sid) if service_sid else None
        specs = _participant_specs(request)
        with transaction.atomic():
            conversation = services.create_conversation(
                account,
                service=service,
                friendly_name=param(request, "FriendlyName") or "",
                unique_name=param(request, "UniqueName"),
                attributes=param(request, "Attributes") or "{}",
                messaging_service_sid=param(request, "MessagingServiceSid") or "",
                state=param(request, "State") or "active",
                timers_inactive=duration_param(request, "Timers.Inactive"),
                timers_closed=duration_param(request, "Timers.Closed"),
            )
            for spec in specs:
                binding = spec.get("messaging_binding") or {}
                if not isinstance(binding, dict):
                    raise invalid_parameter("Participant", "messaging_binding is an object")
                attributes = spec.get("attributes")
                services.add_participant(
                    conversation,
                    identity=str(spec["identity"]) if spec.get("identity") else None,
                    address=str(binding.get("address") or ""),
                    proxy_address=str(binding.get("proxy_address") or ""),
                    attributes=attributes if isinstance(attributes, str) else json.dumps(attributes or {}),
                    role_sid=str(spec["role_sid"]) if spec.get("role_sid") else None,
                )
        return Response(conversation_json(conversation, service is not None), status=201)


# -- push bindings ---------------------------------------------------------------------------


class BindingList(ConversationsView):
    """No push bindings are made here (this server sends no push notification): always empty."""

    def get(self, request: Request, service_sid: str) -> Response:
        service = services.service_for(account_of(request), service_sid)
        path = f"/v1/Services/{service.sid}/Bindings"
        return Response(paginate(request, Participant.objects.none(), "bindings", lambda b: {}, path=path))
