"""``ws/flex/live``: an agent console or supervisor page learns that its TaskRouter state
changed (a reservation offered, a task waiting…). Session-authenticated; the socket joins the
groups of the user's workers (linked by ``contact_uri`` ``client:<username>``) and of the
workspaces of the user's accounts. An agent console connects with ``?view=agent``: only its
workers' groups, so an agent's page is not woken by every task of the workspace (50 agents
would otherwise re-read their state 50 times per workspace event). Besides ``flex.changed``
notices, an agent's socket gets ``{"type": "flex.typing", "conversation_sid", "identity"}`` when
a visitor types in one of its conversations, and ``{"type": "flex.message", "conversation_sid",
"message"}`` for each message added to a conversation its worker is an agent participant of
(``flex.conversation.notify_agents``: the console appends it, and fetches a gap in the indexes).

The agent replies over the same socket: ``{"type": "reply", "reservation": "WR…", "body": "…",
"client_id": "…"}`` is answered ``{"type": "flex.reply", "reservation", "client_id", "message"}``
(the message as ``flex.message`` carries it) or ``{"type": "flex.error", "reservation",
"client_id", "code", "message", "more_info", "status"}`` (Twilio's error shape). The rules and the
idempotence per ``client_id`` are the ``POST …/messages``'s (flex/replies.py); the user's workers
are resolved once, when the socket opens. ``{"type": "typing", "reservation"}`` tells the
conversation's visitor the agent is typing (as ``POST …/typing``; answered only when refused)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.errors import TwilioAPIError, error_body
from flex.live import worker_group, workspace_group
from flex.replies import AgentReplies

MAX_FRAME = 8 * 1024  # a reply's 1,600 characters, escaped, fit
REPLIES_PER_WINDOW = 50  # per socket, before any query (the account's API rate counts too)
WINDOW_SECONDS = 10.0

# Replies run on a small pool of their own (as the web chat's visitors' messages do), not on the
# process's single thread-sensitive thread; each thread keeps its database connection. One
# socket's frames are still handled one at a time.
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="flex-reply")


@database_sync_to_async
def _resolve(user: Any, agent_only: bool = False) -> tuple[list[str], AgentReplies]:
    from accounts.models import Membership
    from flex.agents import workers_of
    from flex.models import Workspace

    if user is None or not getattr(user, "is_authenticated", False):
        return [], AgentReplies([])
    accounts = list(Membership.objects.filter(user=user).values_list("account_id", flat=True))
    workers = workers_of(user, accounts)
    groups = [worker_group(w.sid) for w in workers]
    if not agent_only:
        workspaces = Workspace.objects.filter(account_id__in=accounts).values_list("sid", flat=True)
        groups = [workspace_group(sid) for sid in workspaces] + groups
    return groups, AgentReplies(workers)


def _reply_now(replies: AgentReplies, frame: dict[str, Any]) -> dict[str, Any]:
    return replies.reply(frame.get("reservation"), frame.get("body"), frame.get("client_id"))


_reply = database_sync_to_async(_reply_now, thread_sensitive=False, executor=_pool)
_typing = database_sync_to_async(AgentReplies.typing, thread_sensitive=False, executor=_pool)
TYPING_SECONDS = 1.5  # a reservation's typing notices, at most one per this (console.js: one per 2 s)


def _echo(value: Any) -> Any:
    """A frame's ``client_id``/``reservation`` as sent back with its answer (short strings only)."""
    return value if isinstance(value, str) and len(value) <= 64 else None


class FlexLiveConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]
    replies: AgentReplies | None = None
    window: tuple[float, int] = (0.0, 0)
    typed: dict[str, float]

    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        agent_only = query.get("view") == ["agent"]
        self.groups_joined, self.replies = await _resolve(self.scope.get("user"), agent_only)
        self.typed = {}  # reservation → when its last typing notice was relayed
        if not self.groups_joined:
            await self.close(code=4403)
            return
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "flex.ready"})

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    # -- the agent's replies ---------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data) > MAX_FRAME:
            await self._error(None, TwilioAPIError(400, 20001, "Frames are JSON text up to 8 KB"))
            return
        await super().receive(text_data=text_data)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self._error(None, TwilioAPIError(400, 20001, "A frame is a JSON object"))
            return
        kind = content.get("type")
        if kind == "typing":
            await self._typing(content)
            return
        if kind != "reply":
            await self._error(content, TwilioAPIError(400, 20001, "Unknown frame type"))
            return
        if self._flooding():
            await self._error(content, TwilioAPIError(429, 20429, "Too many replies: wait a moment"))
            return
        assert self.replies is not None  # set on connecting; no frame comes before
        try:
            message = await _reply(self.replies, content)
        except TwilioAPIError as exc:
            await self._error(content, exc)
            return
        await self.send_json(
            {
                "type": "flex.reply",
                "reservation": _echo(content.get("reservation")),
                "client_id": _echo(content.get("client_id")),
                "message": message,
            }
        )

    async def _typing(self, frame: dict[str, Any]) -> None:
        """``{"type": "typing", "reservation"}``: the conversation's visitor sees the agent typing;
        no answer unless refused (repeats within ``TYPING_SECONDS`` are dropped before any query)."""
        typed = self.typed
        key, now = str(frame.get("reservation"))[:64], time.monotonic()
        if now - typed.get(key, -TYPING_SECONDS) < TYPING_SECONDS:
            return
        if len(typed) > 256:
            typed.clear()
        typed[key] = now
        assert self.replies is not None
        try:
            await _typing(self.replies, frame.get("reservation"))
        except TwilioAPIError as exc:
            await self._error(frame, exc)

    def _flooding(self) -> bool:
        """Over ``REPLIES_PER_WINDOW`` in this socket's current window (counted in memory)."""
        now = time.monotonic()
        started, count = self.window
        if now - started >= WINDOW_SECONDS:
            started, count = now, 0
        self.window = (started, count + 1)
        return count + 1 > REPLIES_PER_WINDOW

    async def _error(self, frame: dict[str, Any] | None, exc: TwilioAPIError) -> None:
        body = error_body(exc.status_code, exc.code, str(exc.detail))
        frame = frame or {}
        await self.send_json(
            {
                "type": "flex.error",
                "reservation": _echo(frame.get("reservation")),
                "client_id": _echo(frame.get("client_id")),
                **body,
            }
        )

    # -- notices -----------------------------------------------------------------------------

    async def flex_changed(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def flex_typing(self, event: dict[str, Any]) -> None:
        """A visitor of one of this agent's conversations is typing (flex.conversation)."""
        await self.send_json(
            {
                "type": "flex.typing",
                "conversation_sid": event.get("conversation_sid"),
                "identity": event.get("identity"),
            }
        )

    async def flex_message(self, event: dict[str, Any]) -> None:
        """A message in a conversation one of this socket's workers is an agent in."""
        await self.send_json(
            {
                "type": "flex.message",
                "conversation_sid": event.get("conversation_sid"),
                "message": event.get("message"),
            }
        )
