"""A message's uploaded media (conversations.media serves the uploads): checked and attached
when a message names them by ``MediaSid``. Apart from the views so that the messages API can use it
without importing them."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from accounts.errors import TwilioAPIError
from conversations.models import ConversationMedia, ConversationService

TEMPORARY_SECONDS = 300  # a link for a browser or an SDK (Twilio's last minutes too)
PROVIDER_SECONDS = 6 * 3600  # a link an MMS carries: the provider fetches it when it sends


def _signature(service_sid: str, media_sid: str, expires: int) -> str:
    key = hashlib.sha256(f"conversations-media:{settings.SECRET_KEY}".encode()).digest()
    text = f"{service_sid}/{media_sid}/{expires}".encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def temporary_url(service_sid: str, media_sid: str, seconds: int = TEMPORARY_SECONDS) -> str:
    """A signed link that serves the media's bytes without credentials until it expires
    (Twilio's ``links.content_direct_temporary``)."""
    expires = int(time.time()) + seconds
    query = urlencode({"Expires": expires, "Signature": _signature(service_sid, media_sid, expires)})
    origin = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{origin}/v1/Services/{service_sid}/Media/{media_sid}/ContentDirectTemporary?{query}"


def valid_signature(service_sid: str, media_sid: str, expires: str, signature: str) -> bool:
    if not expires.isdigit() or len(expires) > 12 or int(expires) < time.time():
        return False
    return hmac.compare_digest(_signature(service_sid, media_sid, int(expires)), signature)


def media_urls(message: Any, seconds: int = PROVIDER_SECONDS) -> list[str]:
    """The URLs an SMS copy of ``message`` carries: uploaded media as signed links, others as given."""
    urls = []
    for item in message.media or []:
        if not isinstance(item, dict):
            continue
        if item.get("url"):
            urls.append(str(item["url"]))
        elif item.get("sid"):
            urls.append(temporary_url(message.conversation.service.sid, str(item["sid"]), seconds))
    return urls


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
