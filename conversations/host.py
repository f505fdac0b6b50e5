"""The engine's Conversations plug (``executions.engine.ports.ConversationHost``), named by
``settings.STUDIO["CONVERSATION_HOST"]``: a conversation execution's messages go into its
conversation; Start/Resume Conversation attach one; Send to Flex hands it over.

Everything runs in the engine's transaction; the message's effects (SMS to SMS participants, the
live push) follow its commit (``conversations.effects``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.db import transaction
from django.db.models import Q

from accounts.errors import TwilioAPIError
from conversations import services
from conversations.models import ConversationWebhook, Participant
from conversations.serializers import conversation_json, participant_json
from studio.widgets.runtime import ConversationError

DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def seconds(value: Any) -> int | None:
    match = DURATION.match(str(value or "").strip())
    if match is None or not any(match.groups()):
        return None
    d, h, m, s = (int(x or 0) for x in match.groups())
    return ((d * 24 + h) * 60 + m) * 60 + s


def _summary(conversation: Any) -> dict[str, Any]:
    full = conversation_json(conversation)
    keys = ("sid", "friendly_name", "chat_service_sid", "state", "attributes", "unique_name")
    return {key: full[key] for key in keys}


def _pre_engagement_name(participant: Participant) -> str:
    """The web chat's pre-engagement form keeps the visitor's name in the conversation's
    attributes (``pre_engagement_data.friendlyName``, as Flex's web chat does)."""
    try:
        attrs = json.loads(participant.conversation.attributes or "{}")
    except ValueError:
        return ""
    data = attrs.get("pre_engagement_data") if isinstance(attrs, dict) else None
    name = data.get("friendlyName") if isinstance(data, dict) else None
    return name if isinstance(name, str) else ""


class ConversationHost:
    def post(self, account: Any, conversation_sid: str, body: str, media_urls: list[str]) -> dict[str, Any]:
        try:
            with transaction.atomic():
                conversation = services.get_conversation(account, conversation_sid)
                media = [{"sid": None, "content_type": None, "url": url} for url in media_urls if url]
                message = services.add_message(conversation, body=body, media=media, source="Studio")
        except TwilioAPIError as exc:
            raise ConversationError(exc.message) from None
        return {
            "AccountSid": account.sid,
            "Sid": message.sid,
            "Body": message.body,
            "From": message.author,
            "To": conversation.sid,
            "ConversationSid": conversation.sid,
            "Index": str(message.index),
            "Status": "sent",
            "NumMedia": str(len(message.media)),
            "ErrorCode": None,
            "ErrorMessage": None,
        }

    def _studio_webhook(self, conversation: Any, flow_sid: str) -> ConversationWebhook:
        ConversationWebhook.objects.filter(conversation=conversation, target="studio").delete()
        return ConversationWebhook.objects.create(
            account=conversation.account,
            conversation=conversation,
            target="studio",
            flow_sid=flow_sid,
            filters=["onMessageAdded"],
        )

    def start(self, account: Any, flow_sid: str, properties: dict[str, Any]) -> dict[str, Any]:
        p = properties
        try:
            with transaction.atomic():
                service_sid = str(p.get("conversation_service_sid") or "")
                service = services.service_for(account, service_sid) if service_sid else None
                conversation = services.create_conversation(
                    account,
                    service=service,
                    friendly_name=str(p.get("friendly_name") or ""),
                    attributes=str(p.get("attributes") or "{}"),
                    messaging_service_sid=str(p.get("messaging_service_sid") or ""),
                    timers_inactive=seconds(p.get("timers_inactive")),
                    timers_closed=seconds(p.get("timers_closed")),
                )
                added = []
                for entry in p.get("participants") or []:
                    if not isinstance(entry, dict):
                        continue
                    identity = str(entry.get("identity") or "") or None
                    address = "" if identity else str(entry.get("messaging_binding_address") or "")
                    proxy = "" if identity else str(entry.get("messaging_binding_proxy_address") or "")
                    added.append(
                        services.add_participant(
                            conversation, identity=identity, address=address, proxy_address=proxy
                        )
                    )
                if not added:
                    raise ConversationError("Start Conversation needs at least one participant")
                hook = self._studio_webhook(conversation, flow_sid)
        except TwilioAPIError as exc:
            raise ConversationError(exc.message) from None
        first = added[0]
        return {
            "conversation": _summary(conversation),
            "webhook_sid": hook.sid,
            "contact": first.identity or first.address,
            "participants": [participant_json(x) for x in added],
        }

    def resume(self, account: Any, flow_sid: str, conversation_sid: str, service_sid: str) -> dict[str, Any]:
        try:
            with transaction.atomic():
                service = services.service_for(account, service_sid) if service_sid else None
                conversation = services.get_conversation(account, conversation_sid, service)
                if conversation.state == "closed":
                    raise ConversationError(f"Conversation {conversation_sid} is closed")
                participants = list(conversation.participants.all())
                hook = self._studio_webhook(conversation, flow_sid)
        except TwilioAPIError as exc:
            raise ConversationError(exc.message) from None
        contact = next((x.identity or x.address for x in participants), "")
        return {
            "conversation": _summary(conversation),
            "webhook_sid": hook.sid,
            "contact": contact,
            "participants": [participant_json(x) for x in participants],
        }

    def customer(self, account: Any, conversation_sid: str, contact: str) -> dict[str, str]:
        """What Send to Flex adds to a conversation's task for its customer (Twilio's widget adds
        ``channelType``, ``customerAddress``, ``from``, ``name`` and ``customerName`` for SMS,
        WhatsApp and chat conversations). ``to`` (the number an SMS contact wrote to) is ours:
        Flex's legacy messaging attributes and this console read ``from``/``to``."""
        participants = Participant.objects.filter(account=account, conversation__sid=conversation_sid)
        found = participants.filter(Q(identity=contact) | Q(address=contact)).first() if contact else None
        if found is None:  # the flow's contact left: the first participant that is no agent
            found = next((p for p in participants if p.attrs_dict().get("role") != "agent"), None)
        if found is None:
            return {}
        if found.address:
            kind = "whatsapp" if found.address.startswith("whatsapp:") else "sms"
            return {
                "channelType": kind,
                "customerAddress": found.address,
                "from": found.address,
                "name": found.address,
                "to": found.proxy_address,
            }
        identity = str(found.identity or "")
        attrs = found.attrs_dict()
        known = attrs.get("friendlyName") or attrs.get("friendly_name") or _pre_engagement_name(found)
        fields = {
            "channelType": "chat",
            "customerAddress": identity,
            "from": identity,
            "name": str(known or identity),
        }
        if known:
            fields["customerName"] = str(known)  # otherwise the task's name (engine.services)
        return fields

    def hand_over(self, account: Any, conversation_sid: str) -> None:
        ConversationWebhook.objects.filter(
            account=account, conversation__sid=conversation_sid, target="studio"
        ).delete()

    def close(self, account: Any, conversation_sid: str) -> None:
        try:
            conversation = services.get_conversation(account, conversation_sid)
        except TwilioAPIError:
            return  # deleted meanwhile: nothing to close
        if conversation.state != "closed":
            services.close_conversation(conversation)
