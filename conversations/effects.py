"""What follows a message added to a conversation (and a state change), inside the transaction
and after its commit:

- SMS participants other than the author get the message through the account's provider (the
  Messages API's path: accepted in the transaction, dispatched after commit), its uploaded media
  as signed MediaUrl links (an MMS); the message keeps the SIDs of those SMS so its
  ``delivery`` summary can be read back;
- a ``target=studio`` webhook hands the message to its flow as an inbound event (recorded in the
  transaction, so nothing is lost; drained after commit) — the message the flow itself posts
  (author ``system``) is not handed back to it;
- a ``target=webhook`` webhook is POSTed the ``onMessageAdded`` event after commit, through the
  guarded HTTP client;
- the Channels group ``conversation_{CH}`` and the registered listeners hear of it after commit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import DatabaseError, transaction

from conversations import events, media_rows
from executions.engine.ports import ports
from executions.inbound import drain, intake
from executions.messaging.providers import get_provider
from executions.models import Message
from studio.models import Flow

if TYPE_CHECKING:
    from conversations.models import ConversationMessage, Participant
    from conversations.roster import Roster

log = logging.getLogger(__name__)

listeners: list[Callable[[ConversationMessage], None]] = []
SYSTEM = "system"


def _group(conversation_sid: str) -> str:
    return f"conversation_{conversation_sid}"


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:  # a live push is best effort: the message is stored either way
        log.exception("live push to %s failed", group)


def typing(conversation_sid: str, identity: str) -> None:
    _send(_group(conversation_sid), {"type": "conversation.typing", "identity": identity})


def state_changed(conversation_sid: str, state: str) -> None:
    event = {"type": "conversation.state", "conversation": conversation_sid, "state": state}
    transaction.on_commit(lambda: _send(_group(conversation_sid), event), robust=True)


def webhook_params(message: ConversationMessage, source: str) -> dict[str, str]:
    """The ``onMessageAdded`` event as Conversations posts it (form fields)."""
    c = message.conversation
    return {
        "EventType": "onMessageAdded",
        "AccountSid": c.account.sid,
        "ChatServiceSid": c.service.sid,
        "ConversationSid": c.sid,
        "MessagingServiceSid": c.messaging_service_sid,
        "MessageSid": message.sid,
        "Index": str(message.index),
        "Author": message.author,
        "Body": message.body,
        "Attributes": message.attributes,
        "ParticipantSid": message.participant_sid,
        "Source": source,
        "Media": json.dumps(message.media) if message.media else "",
        "DateCreated": message.date_created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "RetryCount": "0",
    }


def message_added(
    message: ConversationMessage, author: Participant | None, source: str, roster: Roster
) -> None:
    """The fan-out from what the writer has in hand: ``roster`` holds the conversation's
    participants and webhooks (``conversations.roster``), ``message.conversation`` the row the
    index was taken from."""
    conversation = message.conversation
    sms = roster.sms_except(author)
    if sms:
        _fan_out_sms(message, sms)
    params: dict[str, str] | None = None
    recorded = False
    for hook in roster.webhooks:
        if hook.filters and "onMessageAdded" not in hook.filters and hook.target != "studio":
            continue
        if hook.target == "studio":
            if message.author != SYSTEM:
                params = params or webhook_params(message, source)
                # Studio's trigger also names the service and the conversation's attributes.
                extra = {
                    "InstanceSid": conversation.service.sid,
                    "ChannelAttributes": conversation.attributes,
                }
                studio = {**params, **extra, "WebhookSid": hook.sid, "WebhookType": "studio"}
                recorded |= _to_studio(hook, studio)
        elif hook.url:
            params = params or webhook_params(message, source)
            form = {**params, "WebhookSid": hook.sid, "WebhookType": "webhook"}
            token = _account(conversation).auth_token
            transaction.on_commit(
                lambda h=hook, f=form, t=token: _post(h.url, h.method, f, t),  # type: ignore[misc]
                robust=True,
            )
    if recorded:
        transaction.on_commit(_kick, robust=True)
    payload = _payload(message)
    group = _group(conversation.sid)
    transaction.on_commit(
        lambda: _send(group, {"type": "conversation.message", "message": payload}), robust=True
    )
    for listener in list(listeners):
        transaction.on_commit(lambda fn=listener: fn(message), robust=True)  # type: ignore[misc]


def _account(conversation: Any) -> Any:
    """The conversation's account as stored now: a caller may hand a snapshot kept across
    messages (the web chat's, ``snapshot = True``) whose token or provider may have changed."""
    from accounts.models import Account

    account = conversation.account
    if getattr(account, "snapshot", False):
        account = Account.objects.get(pk=conversation.account_id)
    return account


def _payload(message: ConversationMessage) -> dict[str, Any]:
    from conversations.serializers import message_json

    return message_json(message)


def _fan_out_sms(message: ConversationMessage, participants: list[Participant]) -> None:
    account = _account(message.conversation)
    provider = get_provider(account=account)
    sids: list[str] = []
    # Uploaded media (MediaSid) go out as signed links the provider can fetch: an MMS.
    media_urls = media_rows.media_urls(message)
    for p in participants:
        sms = Message(
            account=account,
            to_address=p.address,
            from_address=p.proxy_address,
            body=message.body,
            media_urls=media_urls,
            provider=provider.name,
        )
        provider.accept(sms)
        sms.save()
        sids.append(sms.sid)
    message.delivery = {"message_sids": sids}
    message.save(update_fields=["delivery"])
    queued = [s for s in sids]
    transaction.on_commit(lambda: ports().queue_dispatch(queued), robust=True)


def _to_studio(hook: Any, params: dict[str, str]) -> bool:
    flow = Flow.objects.filter(account_id=hook.account_id, sid=hook.flow_sid).first()
    if flow is None:
        log.warning("studio webhook %s names no flow of its account (%s)", hook.sid, hook.flow_sid)
        return False
    return intake.record(flow, params) is not None


def _kick() -> None:
    try:
        drain.kick()
    except DatabaseError:
        log.exception("draining a conversation message failed; the sweeper will rescue it")


def _post(url: str, method: str, form: dict[str, str], token: str) -> None:
    """Signed as Twilio signs its webhooks (``X-Twilio-Signature`` with the account's token)."""
    try:
        events.signed_request(url, method, form, token)
    except Exception:  # Twilio logs a failed webhook and carries on; the message stays
        log.warning("conversation webhook %s failed", url, exc_info=True)


def delivery_statuses(message: ConversationMessage) -> list[str] | None:
    sids = (message.delivery or {}).get("message_sids")
    if not sids:
        return None
    found = dict(Message.objects.filter(sid__in=sids).values_list("sid", "status"))
    return [str(found.get(s, "failed")) for s in sids]
