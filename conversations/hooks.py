"""The form fields of each Conversations event, as Twilio posts them to the service-level and
account-level webhooks (``conversations.events`` sends them), and the calls the service layer
and the REST views make around each action: ``before_*`` (pre-action: may raise the hook's
rejection, returns the fields its answer changes) and ``*_added|updated|removed`` (post-action,
after commit)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.utils import timezone

from conversations import events
from conversations.events import stamp


def _common(conversation: Any) -> dict[str, str]:
    return {
        "AccountSid": conversation.account.sid,
        "ChatServiceSid": conversation.service.sid,
        "ConversationSid": conversation.sid,
        "MessagingServiceSid": conversation.messaging_service_sid or "",
    }


def conversation_fields(c: Any, source: str = "API") -> dict[str, str]:
    return {
        "AccountSid": c.account.sid,
        "ChatServiceSid": c.service.sid,
        "ConversationSid": c.sid,
        "MessagingServiceSid": c.messaging_service_sid or "",
        "FriendlyName": c.friendly_name or "",
        "UniqueName": c.unique_name or "",
        "Attributes": c.attributes,
        "State": c.state,
        "DateCreated": stamp(c.date_created),
        "DateUpdated": stamp(c.date_updated),
        "Source": source,
    }


def participant_fields(p: Any, source: str = "API") -> dict[str, str]:
    out = {
        **_common(p.conversation),
        "ParticipantSid": p.sid,
        "Identity": p.identity or "",
        "RoleSid": p.role_sid or "",
        "Attributes": p.attributes,
        "DateCreated": stamp(p.date_created),
        "DateUpdated": stamp(p.date_updated),
        "Source": source,
    }
    if p.address:
        out.update(
            {
                "MessagingBinding.Type": "sms",
                "MessagingBinding.Address": p.address,
                "MessagingBinding.ProxyAddress": p.proxy_address,
            }
        )
    if p.last_read_message_index is not None:
        out["LastReadMessageIndex"] = str(p.last_read_message_index)
    return out


def message_fields(m: Any, source: str = "API") -> dict[str, str]:
    return {
        **_common(m.conversation),
        "MessageSid": m.sid,
        "Index": str(m.index),
        "Author": m.author,
        "Body": m.body,
        "Attributes": m.attributes,
        "ParticipantSid": m.participant_sid or "",
        "Media": json.dumps(m.media) if m.media else "",
        "DateCreated": stamp(m.date_created),
        "DateUpdated": stamp(m.date_updated),
        "Source": source,
    }


# -- messages -----------------------------------------------------------------------------------


def before_message_add(
    conversation: Any, author: str, body: str, attributes: str, media: list[Any] | None, source: str
) -> dict[str, str]:
    from conversations.roster import roster_of

    service = conversation.service
    if events.target(service, "onMessageAdd", pre=True) is None:
        return {}
    participant = roster_of(conversation).participant(author) if author else None
    params = {
        **_common(conversation),
        "Author": author,
        "Body": body,
        "Attributes": attributes,
        "ParticipantSid": participant.sid if participant else "",
        "Media": json.dumps(media) if media else "",
        "DateCreated": stamp(timezone.now()),
        "Source": source,
    }
    if source == "SDK":
        params["ClientIdentity"] = author
    return events.pre(service, "onMessageAdd", params)


def message_added(message: Any, source: str) -> None:
    events.post(message.conversation.service, "onMessageAdded", message_fields(message, source))


def before_message_update(message: Any, changes: dict[str, str]) -> dict[str, str]:
    fields = {**message_fields(message), **changes}
    return events.pre(message.conversation.service, "onMessageUpdate", fields)


def message_updated(message: Any) -> None:
    events.post(message.conversation.service, "onMessageUpdated", message_fields(message))


def before_message_remove(message: Any) -> None:
    events.pre(message.conversation.service, "onMessageRemove", message_fields(message))


def message_removed(fields: dict[str, str], service: Any) -> None:
    events.post(service, "onMessageRemoved", {**fields, "DateRemoved": stamp(timezone.now())})


# -- conversations ------------------------------------------------------------------------------


def before_conversation_add(account: Any, service: Any, fields: dict[str, str]) -> dict[str, str]:
    params = {
        "AccountSid": account.sid,
        "ChatServiceSid": service.sid,
        "DateCreated": stamp(timezone.now()),
        "Source": "API",
        **fields,
    }
    return events.pre(service, "onConversationAdd", params)


def conversation_added(c: Any) -> None:
    events.post(c.service, "onConversationAdded", conversation_fields(c))


def before_conversation_update(c: Any, changes: dict[str, str]) -> dict[str, str]:
    return events.pre(c.service, "onConversationUpdate", {**conversation_fields(c), **changes})


def conversation_updated(c: Any) -> None:
    events.post(c.service, "onConversationUpdated", conversation_fields(c))


def before_conversation_remove(c: Any) -> None:
    events.pre(c.service, "onConversationRemove", conversation_fields(c))


def conversation_removed(fields: dict[str, str], service: Any) -> None:
    events.post(service, "onConversationRemoved", {**fields, "DateRemoved": stamp(timezone.now())})


def state_updated(c: Any, before: str, after: str, reason: str, when: datetime | None = None) -> None:
    """``Reason``: ``API`` (a REST update), ``TIMER`` (an inactive/closed timer), ``EVENT``
    (a message woke it, or an action closed it)."""
    fields = {
        **conversation_fields(c),
        "StateFrom": before,
        "StateTo": after,
        "StateUpdated": stamp(when or timezone.now()),
        "Reason": reason,
    }
    events.post(c.service, "onConversationStateUpdated", fields)


# -- participants -------------------------------------------------------------------------------


def before_participant_add(conversation: Any, fields: dict[str, str]) -> dict[str, str]:
    params = {**_common(conversation), "DateCreated": stamp(timezone.now()), "Source": "API", **fields}
    return events.pre(conversation.service, "onParticipantAdd", params)


def participant_added(p: Any) -> None:
    events.post(p.conversation.service, "onParticipantAdded", participant_fields(p))


def before_participant_update(p: Any, changes: dict[str, str]) -> dict[str, str]:
    return events.pre(p.conversation.service, "onParticipantUpdate", {**participant_fields(p), **changes})


def participant_updated(p: Any) -> None:
    events.post(p.conversation.service, "onParticipantUpdated", participant_fields(p))


def before_participant_remove(p: Any) -> None:
    events.pre(p.conversation.service, "onParticipantRemove", participant_fields(p))


def participant_removed(fields: dict[str, str], service: Any) -> None:
    events.post(service, "onParticipantRemoved", {**fields, "DateRemoved": stamp(timezone.now())})


# -- users --------------------------------------------------------------------------------------


def user_fields(u: Any) -> dict[str, str]:
    return {
        "AccountSid": u.service.account.sid,
        "ChatServiceSid": u.service.sid,
        "UserSid": u.sid,
        "Identity": u.identity,
        "FriendlyName": u.friendly_name or "",
        "Attributes": u.attributes,
        "RoleSid": u.role.sid if u.role_id else "",
        "DateCreated": stamp(u.date_created),
        "DateUpdated": stamp(u.date_updated),
    }


def user_added(u: Any) -> None:
    events.post(u.service, "onUserAdded", user_fields(u))


def before_user_update(u: Any, changes: dict[str, str]) -> dict[str, str]:
    return events.pre(u.service, "onUserUpdate", {**user_fields(u), **changes})


def user_updated(u: Any) -> None:
    events.post(u.service, "onUserUpdated", user_fields(u))
