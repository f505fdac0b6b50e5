"""Visitors of the embedded web chat: opening a chat, their signed tokens, their rate limits.

A visitor is a chat participant (identity ``webchat-<random>``) of exactly one conversation. Their
token is signed by the server (``django.core.signing``, its own salt) and names the account, the
conversation and the identity; it is good for that conversation only, for ``TOKEN_MAX_AGE``.

Opening a chat makes a conversation in the account's default service with a ``target=studio``
webhook to the chosen flow, as Flex's web chat does through its Interactions: the pre-engagement
form's answers land in the conversation's attributes as ``pre_engagement_data`` (Flex's name), so
the flow reads them as ``trigger.conversation.ChannelAttributes.pre_engagement_data.*`` and Send
to Flex copies them into the task. The visitor's question, when given, is the first message, and
it starts the flow.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, transaction

from accounts.errors import TwilioAPIError, not_found
from accounts.models import Account
from accounts.sids import is_sid
from conversations import services
from conversations.known import KnownConversation
from conversations.models import Conversation, ConversationMessage, ConversationWebhook
from studio.models import Flow
from webchat.models import WebChatKey

SALT = "webchat.visitor"
TOKEN_MAX_AGE = 24 * 3600
MAX_NAME = 64
MAX_QUESTION = 1600
MESSAGES_PER_WINDOW = 20  # a visitor's messages per window; more answer 20429
WINDOW_SECONDS = 10
OPENS_PER_MINUTE = 30  # chats opened per key and address per minute


clock = time.time  # the rate windows' clock (tests hold it still)


@dataclass(frozen=True)
class Visitor:
    account_sid: str
    conversation_sid: str
    identity: str


def token_for(visitor: Visitor) -> str:
    payload = {"a": visitor.account_sid, "c": visitor.conversation_sid, "i": visitor.identity}
    return signing.dumps(payload, salt=SALT, compress=True)


def visitor_from(token: str, conversation_sid: str) -> Visitor | None:
    """The token's visitor when it is genuine, fresh and made for this conversation."""
    try:
        data = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("c") != conversation_sid:
        return None
    return Visitor(str(data.get("a")), str(data.get("c")), str(data.get("i")))


def _window_key(bucket: str, window: int) -> str:
    return f"webchat:rl:{bucket}:{int(clock() // window)}"


def _redis(key: str) -> Any:
    """The Redis client behind Django's Redis cache, or None (another cache backend)."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    return backend._cache.get_client(key, write=True)


def too_many(bucket: str, limit: int, window: int) -> bool:
    """A fixed-window counter in the cache (Redis in production): True once over ``limit``."""
    key = _window_key(bucket, window)
    client = _redis(key)
    if client is not None:  # one round trip: count, and let the window's key expire
        full = cache.make_key(key)
        count, _ = client.pipeline().incr(full).expire(full, window + 1).execute()
        return int(count) > limit
    if cache.add(key, 1, timeout=window + 1):
        return False
    try:
        return int(cache.incr(key)) > limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 1)
        return False


def forgive(bucket: str, window: int) -> None:
    """Take back one count of the current window (a resend is not a new message)."""
    try:
        cache.decr(_window_key(bucket, window))
    except ValueError:
        pass


def rate_limited() -> TwilioAPIError:
    return TwilioAPIError(429, 20429, "Too many requests: wait a moment and try again")


def _text(value: Any, limit: int, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TwilioAPIError(400, 21602 if name == "Body" else 20001, f"{name} must be a string")
    value = value.strip()
    if len(value) > limit:
        raise TwilioAPIError(400, 20001, f"{name} is longer than {limit} characters")
    return value


def key_for(key: str) -> WebChatKey:
    if not is_sid(key or "", "CV"):
        raise not_found("The web chat key was not found")
    found = WebChatKey.objects.select_related("account").filter(key=key).first()
    if found is None or not found.account.is_active:
        raise not_found("The web chat key was not found")
    return found


def open_chat(
    key: WebChatKey, flow_sid: str, *, name: Any = None, question: Any = None, page: Any = None
) -> tuple[Visitor, Conversation]:
    """A new conversation for a visitor, wired to ``flow_sid`` (a published flow of the key's account)."""
    account: Account = key.account
    friendly = _text(name, MAX_NAME, "friendlyName")
    first = _text(question, MAX_QUESTION, "question")
    location = _text(page, 2048, "location")
    flow = Flow.objects.filter(account=account, sid=flow_sid if is_sid(flow_sid or "", "FW") else "").first()
    if flow is None:
        raise not_found(f"The flow {flow_sid} was not found")
    if flow.published_revision is None:
        raise TwilioAPIError(400, 20001, "The flow has no published revision to run")
    identity = f"webchat-{secrets.token_hex(8)}"
    pre = {"friendlyName": friendly, "question": first}
    if location:
        pre["location"] = location
    with transaction.atomic():
        conversation = services.create_conversation(
            account,
            friendly_name=f"Web chat with {friendly or 'a visitor'}",
            attributes=json.dumps({"pre_engagement_data": pre, "channel_type": "web"}),
        )
        services.add_participant(
            conversation,
            identity=identity,
            attributes=json.dumps({"friendlyName": friendly or "Visitor", "role": "visitor"}),
        )
        ConversationWebhook.objects.create(
            account=account,
            conversation=conversation,
            target=ConversationWebhook.Target.STUDIO,
            flow_sid=flow.sid,
            filters=["onMessageAdded"],
        )
    if first:  # after the commit: its pre-action webhook (if any) is asked with no transaction open
        services.add_message(conversation, author=identity, body=first, source="SDK")
    return Visitor(account.sid, conversation.sid, identity), conversation


KNOWN_MAX = 4096
_known: OrderedDict[tuple[str, str], KnownConversation] = OrderedDict()
_known_lock = threading.Lock()


def _conversation_of(visitor: Visitor) -> Conversation:
    """The visitor's conversation, read once per process (account scope checked then): later
    messages go to the database with one statement for the index and one for the message."""
    key = (visitor.account_sid, visitor.conversation_sid)
    with _known_lock:
        known = _known.get(key)
        if known is not None:
            _known.move_to_end(key)
    if known is None:
        account = Account.objects.filter(sid=visitor.account_sid).first()
        if account is None:
            raise not_found(f"The requested resource /Conversations/{visitor.conversation_sid} was not found")
        found = services.get_conversation(account, visitor.conversation_sid)
        account.snapshot = True  # type: ignore[attr-defined]  # conversations.effects re-reads it
        known = KnownConversation.of(found, account)
        with _known_lock:
            _known[key] = known
            while len(_known) > KNOWN_MAX:
                _known.popitem(last=False)
    return known.conversation()


def _forget(visitor: Visitor) -> None:
    with _known_lock:
        _known.pop((visitor.account_sid, visitor.conversation_sid), None)


def _earlier(visitor: Visitor, cid: str) -> ConversationMessage | None:
    return (
        ConversationMessage.objects.select_related("conversation__account", "conversation__service")
        .filter(conversation__sid=visitor.conversation_sid, author=visitor.identity, client_id=cid)
        .first()
    )


def post(visitor: Visitor, body: Any, client_id: Any = None) -> ConversationMessage:
    """The visitor's message, once: a resend after a lost acknowledgement finds the first one."""
    text = _text(body, services.MAX_BODY, "Body")
    if not text:
        raise TwilioAPIError(400, 21602, "Message body is required.")
    cid = client_id if isinstance(client_id, str) and client_id.isalnum() and len(client_id) <= 64 else ""
    bucket = f"msg:{visitor.identity}"
    if too_many(bucket, MESSAGES_PER_WINDOW, WINDOW_SECONDS):
        raise rate_limited()
    try:
        conversation = _conversation_of(visitor)
        message = services.add_message(
            conversation,
            author=visitor.identity,
            body=text,
            attributes=json.dumps({"clientId": cid}) if cid else "{}",
            source="SDK",
            client_id=cid,
        )
    except IntegrityError:
        # The unique (conversation, author, client id): a resend. Its transaction rolled back
        # (the index with it); it does not count against the visitor's rate either.
        earlier = _earlier(visitor, cid) if cid else None
        if earlier is None:
            raise
        forgive(bucket, WINDOW_SECONDS)
        return earlier
    except TwilioAPIError:
        _forget(visitor)  # deleted, closed…: read it afresh next time
        earlier = _earlier(visitor, cid) if cid else None
        if earlier is None:
            raise
        forgive(bucket, WINDOW_SECONDS)
        return earlier
    row = message.conversation
    if (row.timers_inactive, row.timers_closed) != (conversation.timers_inactive, conversation.timers_closed):
        _forget(visitor)  # its timers changed: the next message reads them afresh
    return message


def history(visitor: Visitor, since: int) -> tuple[str, list[dict[str, Any]]]:
    """The conversation's state and its messages after index ``since``, oldest first."""
    account = Account.objects.get(sid=visitor.account_sid)
    conversation = services.get_conversation(account, visitor.conversation_sid)
    rows = services.messages_since(conversation, since, limit=500)
    return conversation.state, [services.message_payload(m) for m in rows]
