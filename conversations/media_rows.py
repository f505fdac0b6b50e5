"""A message's uploaded media (conversations.media serves the uploads): checked and attached
when a message names them by ``MediaSid``. Apart from the views so that the messages API can use it
without importing them."""

from __future__ import annotations

from typing import Any

from accounts.errors import TwilioAPIError
from conversations.models import ConversationMedia, ConversationService


def attach(service: ConversationService, sids: list[str]) -> list[dict[str, Any]]:
    """A message's ``MediaSid`` values as its ``media`` entries; an unknown one is a 400."""
    found = {
        m.sid: m
        for m in ConversationMedia.objects.filter(service=service, sid__in=sids).only(
            "sid", "content_type", "filename", "size"
        )
    }
    missing = [sid for sid in sids if sid not in found]
    if missing:
        raise TwilioAPIError(400, 20001, f"Invalid parameter MediaSid: no media {missing[0]} in the service")
    return [
        {
            "sid": sid,
            "content_type": found[sid].content_type,
            "filename": found[sid].filename or None,
            "size": found[sid].size,
            "category": "media",
        }
        for sid in sids
    ]


def attached(conversation: Any, message_sid: str, sids: list[str]) -> None:
    """The media now belong to a message of ``conversation`` (as the MCS resource reports)."""
    ConversationMedia.objects.filter(service=conversation.service, sid__in=sids).update(
        message_sid=message_sid, conversation_sid=conversation.sid
    )
