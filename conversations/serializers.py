"""Twilio's JSON shapes of the Conversations v1 resources (snake_case, ISO-8601 UTC dates)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from conversations.models import (
    AddressConfiguration,
    Conversation,
    ConversationMessage,
    ConversationRole,
    ConversationService,
    ConversationUser,
    ConversationWebhook,
    Participant,
)

V1 = "/v1"


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def base() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + V1


def duration(seconds: int | None) -> str | None:
    return None if seconds is None else f"PT{seconds}S"


def conversation_path(conversation: Conversation) -> str:
    return f"/Conversations/{conversation.sid}"


def service_json(service: ConversationService) -> dict[str, Any]:
    url = f"{base()}/Services/{service.sid}"
    return {
        "sid": service.sid,
        "account_sid": service.account.sid,
        "friendly_name": service.friendly_name,
        "date_created": iso(service.date_created),
        "date_updated": iso(service.date_updated),
        "url": url,
        "links": {
            "conversations": f"{url}/Conversations",
            "users": f"{url}/Users",
            "roles": f"{url}/Roles",
            "bindings": f"{url}/Bindings",
            "configuration": f"{url}/Configuration",
            "participant_conversations": f"{url}/ParticipantConversations",
        },
    }


def conversation_json(c: Conversation, scoped: bool = False) -> dict[str, Any]:
    prefix = f"{base()}/Services/{c.service.sid}" if scoped else base()
    url = f"{prefix}/Conversations/{c.sid}"
    return {
        "sid": c.sid,
        "account_sid": c.account.sid,
        "chat_service_sid": c.service.sid,
        "messaging_service_sid": c.messaging_service_sid or None,
        "friendly_name": c.friendly_name or None,
        "unique_name": c.unique_name,
        "attributes": c.attributes,
        "state": c.state,
        "date_created": iso(c.date_created),
        "date_updated": iso(c.date_updated),
        "timers": {
            key: value
            for key, value in (("date_inactive", iso(c.date_inactive)), ("date_closed", iso(c.date_closed)))
            if value
        },
        "bindings": None,
        "url": url,
        "links": {
            "participants": f"{url}/Participants",
            "messages": f"{url}/Messages",
            "webhooks": f"{url}/Webhooks",
        },
    }


def participant_json(p: Participant, scoped: bool = False) -> dict[str, Any]:
    c = p.conversation
    prefix = f"{base()}/Services/{c.service.sid}" if scoped else base()
    return {
        "sid": p.sid,
        "account_sid": c.account.sid,
        "chat_service_sid": c.service.sid,
        "conversation_sid": c.sid,
        "identity": p.identity,
        "attributes": p.attributes,
        "messaging_binding": p.messaging_binding(),
        "role_sid": p.role_sid or None,
        "last_read_message_index": p.last_read_message_index,
        "last_read_timestamp": iso(p.last_read_timestamp),
        "date_created": iso(p.date_created),
        "date_updated": iso(p.date_updated),
        "url": f"{prefix}/Conversations/{c.sid}/Participants/{p.sid}",
    }


def delivery_json(message: ConversationMessage, statuses: list[str] | None) -> dict[str, Any] | None:
    """Twilio's receipt summary of an SMS fan-out: ``total`` and, per status, all/some/none."""
    if statuses is None:
        return None
    total = len(statuses)

    def share(*names: str) -> str:
        n = sum(1 for s in statuses if s in names)
        return "none" if n == 0 else ("all" if n == total else "some")

    return {
        "total": total,
        "sent": share("sent", "delivered", "read"),
        "delivered": share("delivered", "read"),
        "read": share("read"),
        "undelivered": share("undelivered"),
        "failed": share("failed"),
    }


def message_json(
    m: ConversationMessage, scoped: bool = False, statuses: list[str] | None = None
) -> dict[str, Any]:
    c = m.conversation
    prefix = f"{base()}/Services/{c.service.sid}" if scoped else base()
    url = f"{prefix}/Conversations/{c.sid}/Messages/{m.sid}"
    return {
        "sid": m.sid,
        "account_sid": c.account.sid,
        "chat_service_sid": c.service.sid,
        "conversation_sid": c.sid,
        "index": m.index,
        "author": m.author,
        "body": m.body,
        "media": list(m.media) or None,
        "attributes": m.attributes,
        "participant_sid": m.participant_sid or None,
        "delivery": delivery_json(m, statuses),
        "content_sid": None,
        "date_created": iso(m.date_created),
        "date_updated": iso(m.date_updated),
        "url": url,
        "links": {"delivery_receipts": f"{url}/Receipts", "channel_metadata": f"{url}/ChannelMetadata"},
    }


def webhook_json(w: ConversationWebhook, scoped: bool = False) -> dict[str, Any]:
    c = w.conversation
    prefix = f"{base()}/Services/{c.service.sid}" if scoped else base()
    configuration: dict[str, Any] = {}
    if w.target == ConversationWebhook.Target.STUDIO:
        configuration = {"flow_sid": w.flow_sid, "replay_after": w.replay_after, "filters": w.filters}
    else:
        configuration = {"url": w.url, "method": w.method, "filters": w.filters}
        if w.target == ConversationWebhook.Target.TRIGGER:
            configuration["triggers"] = w.triggers
    return {
        "sid": w.sid,
        "account_sid": c.account.sid,
        "chat_service_sid": c.service.sid,
        "conversation_sid": c.sid,
        "target": w.target,
        "configuration": configuration,
        "date_created": iso(w.date_created),
        "date_updated": iso(w.date_updated),
        "url": f"{prefix}/Conversations/{c.sid}/Webhooks/{w.sid}",
    }


def address_json(a: AddressConfiguration) -> dict[str, Any]:
    return {
        "sid": a.sid,
        "account_sid": a.account.sid,
        "type": a.type,
        "address": a.address,
        "friendly_name": a.friendly_name or None,
        "address_country": None,
        "auto_creation": {
            "enabled": a.auto_creation_enabled,
            "type": a.auto_creation_type,
            "conversation_service_sid": a.conversation_service.sid if a.conversation_service else None,
            "webhook_url": a.webhook_url or None,
            "webhook_method": a.webhook_method,
            "webhook_filters": a.webhook_filters or None,
            "studio_flow_sid": a.studio_flow_sid or None,
            "studio_retry_count": a.studio_retry_count,
        },
        "date_created": iso(a.date_created),
        "date_updated": iso(a.date_updated),
        "url": f"{base()}/Configuration/Addresses/{a.sid}",
    }


def _service_prefix(service: ConversationService, scoped: bool) -> str:
    """``/v1/Services/{IS}`` when the resource was addressed under its service, else ``/v1``
    (the default service's resources at ``/v1/Users``, ``/v1/Roles``)."""
    return f"{base()}/Services/{service.sid}" if scoped else base()


def role_json(r: ConversationRole, scoped: bool = False) -> dict[str, Any]:
    return {
        "sid": r.sid,
        "account_sid": r.service.account.sid,
        "chat_service_sid": r.service.sid,
        "friendly_name": r.friendly_name,
        "type": r.type,
        "permissions": list(r.permissions),
        "date_created": iso(r.date_created),
        "date_updated": iso(r.date_updated),
        "url": f"{_service_prefix(r.service, scoped)}/Roles/{r.sid}",
    }


def user_json(u: ConversationUser, scoped: bool = False) -> dict[str, Any]:
    url = f"{_service_prefix(u.service, scoped)}/Users/{u.sid}"
    return {
        "sid": u.sid,
        "account_sid": u.service.account.sid,
        "chat_service_sid": u.service.sid,
        "role_sid": u.role.sid if u.role else None,
        "identity": u.identity,
        "friendly_name": u.friendly_name or None,
        "attributes": u.attributes,
        "is_online": None,  # reachability is not tracked (Twilio: null unless the service enables it)
        "is_notifiable": None,
        "date_created": iso(u.date_created),
        "date_updated": iso(u.date_updated),
        "url": url,
        "links": {"user_conversations": f"{url}/Conversations"},
    }
