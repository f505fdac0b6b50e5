"""The visitor's socket: ``ws/webchat/{CH}?token=…&since=N``.

On connecting, the visitor gets the conversation's state and every message after index ``since``
(a reconnecting page passes the last index it showed, so nothing is lost across a drop). Then:

- client → server: ``{"type": "message", "body": "…", "client_id": "…"}`` (acknowledged with
  ``{"type": "ack", "client_id", "index"}``; a resend with the same ``client_id`` is not doubled)
  and ``{"type": "typing"}``;
- server → client: ``{"type": "history", "state", "messages"}``, ``{"type": "message", "message"}``,
  ``{"type": "state", "state"}``, ``{"type": "typing", "identity"}`` (someone else typing) and
  ``{"type": "error", "code", "message", "client_id"?}`` in Twilio's codes.

The visitor's typing also reaches the agents of the conversation (``services.relay_typing``:
Flex sends it to their console's live socket).

A token made for another conversation, or none, is refused with close code 4403 before the
socket is accepted into the conversation's group.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.errors import TwilioAPIError
from conversations import services
from conversations.services import group_name
from webchat import visitors
from webchat.models import WebChatKey

MAX_FRAME = 8 * 1024
TYPING_RELAY_SECONDS = 2.0


def _header(scope: dict[str, Any], wanted: bytes) -> str | None:
    for name, value in scope.get("headers") or []:
        if name.lower() == wanted:
            return bytes(value).decode("latin-1")
    return None


def _origin(scope: dict[str, Any]) -> str | None:
    return _header(scope, b"origin")


def _same_origin(scope: dict[str, Any], origin: str | None) -> bool:
    """A page of this app itself (the demo page, the canvas simulator's Conversation tab)."""
    host = _header(scope, b"host")
    return bool(origin and host and urlsplit(origin).netloc.lower() == host.lower())


def _origin_allowed_now(visitor: visitors.Visitor, origin: str | None) -> bool:
    key = WebChatKey.objects.filter(account__sid=visitor.account_sid).first()
    return key is None or key.allows(origin)


# A socket's database work (connecting: the key's origins, the history; each message: two
# statements, the commit, the live push) runs on a small pool of its own rather than on the
# process's single thread-sensitive thread, where every socket's work (and its waits on
# PostgreSQL and Redis) queued behind each other's. Each thread keeps its own connection
# (CONN_MAX_AGE). One socket's frames are still handled one at a time.
POOL_THREADS = 8
_pool = ThreadPoolExecutor(max_workers=POOL_THREADS, thread_name_prefix="webchat-db")


def _in_pool(fn: Any) -> Any:
    return database_sync_to_async(fn, thread_sensitive=False, executor=_pool)


_post = _in_pool(visitors.post)
_history = _in_pool(visitors.history)


_origin_allowed = _in_pool(_origin_allowed_now)


_relay_typing = _in_pool(services.relay_typing)


class VisitorConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    visitor: visitors.Visitor | None = None
    group: str = ""
    typing_relayed: float = -TYPING_RELAY_SECONDS

    async def connect(self) -> None:
        conversation_sid = str(self.scope["url_route"]["kwargs"].get("conversation_sid") or "")
        query = parse_qs(bytes(self.scope.get("query_string") or b"").decode("latin-1"))
        visitor = visitors.visitor_from((query.get("token") or [""])[0], conversation_sid)
        origin = _origin(self.scope)
        if visitor is None or not (
            _same_origin(self.scope, origin) or await _origin_allowed(visitor, origin)
        ):
            await self.close(code=4403)
            return
        try:
            since = int((query.get("since") or ["-1"])[0])
        except ValueError:
            since = -1
        try:
            state, messages = await _history(visitor, since)
        except TwilioAPIError:
            await self.close(code=4404)
            return
        self.visitor = visitor
        self.group = group_name(conversation_sid)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "history", "state": state, "messages": messages})

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data) > MAX_FRAME:
            await self.send_json(
                {"type": "error", "code": 20001, "message": "Frames are JSON text up to 8 KB"}
            )
            return
        await super().receive(text_data=text_data)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.visitor is None:
            return
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "code": 20001, "message": "A frame is a JSON object"})
            return
        kind = content.get("type")
        if kind == "typing":
            await self.channel_layer.group_send(
                self.group, {"type": "conversation.typing", "identity": self.visitor.identity}
            )
            now = time.monotonic()
            if services.typing_listeners and now - self.typing_relayed >= TYPING_RELAY_SECONDS:
                # The agent's console is not in the conversation's group: Flex relays it there
                # (a lookup of the conversation's agents: at most one per socket per period), off
                # the process's single thread-sensitive thread, which the messages need.
                self.typing_relayed = now
                await _relay_typing(self.visitor.conversation_sid, self.visitor.identity)
        elif kind == "message":
            # A message ends a bout of typing: the next one is relayed at once, not up to
            # TYPING_RELAY_SECONDS later.
            self.typing_relayed = -TYPING_RELAY_SECONDS
            client_id = content.get("client_id")
            try:
                message = await _post(self.visitor, content.get("body"), client_id)
            except TwilioAPIError as exc:
                error = {
                    "type": "error",
                    "code": exc.code,
                    "message": str(exc.detail),
                    "client_id": client_id,
                }
                await self.send_json(error)
                return
            await self.send_json({"type": "ack", "client_id": client_id, "index": message.index})
        else:
            await self.send_json({"type": "error", "code": 20001, "message": "Unknown frame type"})

    # -- the conversation's group ----------------------------------------------------------

    async def conversation_message(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "message", "message": event.get("message")})

    async def conversation_state(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "state", "state": event.get("state")})

    async def conversation_typing(self, event: dict[str, Any]) -> None:
        if self.visitor is not None and event.get("identity") != self.visitor.identity:
            await self.send_json({"type": "typing", "identity": event.get("identity")})
