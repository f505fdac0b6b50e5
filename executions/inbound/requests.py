"""What an inbound webhook request means, computed once for both of its entry points.

The Django view (``executions.inbound.webhook``) and the ASGI fast path in front of it
(``executions.inbound.fast_path``) must read a request identically: the URL whose signature is
checked, the parameters a flow sees, the key that makes a redelivery a duplicate, and the contact
pair. Both import these pure helpers, so neither can drift from the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings

from accounts.signing import valid_signature

# What ``QueryDict.get`` answers for a name: its last value.
Form = Mapping[str, Any]


def signed_url(full_path: str) -> str:
    """The URL Twilio signed: ``PUBLIC_BASE_URL`` + path + query (``request.get_full_path()``), the
    externally visible URL, so proxies in front of the app do not break signatures."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + full_path


def signature_valid(auth_token: str, full_path: str, form: Form, signature: str) -> bool:
    """``X-Twilio-Signature`` checked against the signed URL and the POST parameters."""
    return valid_signature(auth_token, signed_url(full_path), form, signature)


def merged_params(form: Form, query: Form | None) -> dict[str, Any]:
    """The parameters a flow sees: the body's (each name's last value), then query parameters
    the body does not carry (``?FlowEvent=return&…`` on a posted form)."""
    out: dict[str, Any] = {key: form.get(key) for key in form}
    if query is not None:
        for key in query:
            out.setdefault(key, query.get(key))
    return out


def event_key(params: Mapping[str, Any]) -> str:
    """The event's idempotency key: MessageSid (SmsSid from older senders), else CallSid."""
    return str(params.get("MessageSid") or params.get("SmsSid") or params.get("CallSid") or "")


def message_pair(params: Mapping[str, Any]) -> tuple[str, str]:
    """(contact address, flow channel address) of a messaging webhook. A Conversations
    ``onMessageAdded`` event (a ``ConversationSid`` and no ``To``) pairs its author with the
    conversation (``CH…``): the flow's replies go there. Webhooks that carry ``To`` as well keep
    the number as the flow's address (and are answered by SMS, as before)."""
    conversation = str(params.get("ConversationSid") or "")
    if conversation and not params.get("To"):
        return str(params.get("Author") or params.get("From") or ""), conversation
    contact = str(params.get("From") or params.get("Author") or "")
    channel = str(params.get("MessagingServiceSid") or params.get("To") or "")
    # Messaging Service quirk (spec §5.1): the MG… sid is Studio's side of the pair.
    if not str(params.get("MessagingServiceSid") or "").startswith("MG"):
        channel = str(params.get("To") or "")
    return contact, channel
