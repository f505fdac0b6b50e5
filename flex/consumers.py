"""``ws/flex/live``: an agent console or supervisor page learns that its TaskRouter state
changed (a reservation offered, a task waiting…). Session-authenticated; the socket joins the
groups of the user's workers (linked by ``contact_uri`` ``client:<username>``) and of the
workspaces of the user's accounts. An agent console connects with ``?view=agent``: only its
workers' groups, so an agent's page is not woken by every task of the workspace (50 agents
would otherwise re-read their state 50 times per workspace event). Besides ``flex.changed``
notices, an agent's socket gets ``{"type": "flex.typing", "conversation_sid", "identity"}`` when
a visitor types in one of its conversations, and ``{"type": "flex.message", "conversation_sid",
"message"}`` for each message added to a conversation its worker is an agent participant of
(``flex.conversation.notify_agents``: the console appends it, and fetches a gap in the indexes)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from flex.live import worker_group, workspace_group


@database_sync_to_async
def _groups(user: Any, agent_only: bool = False) -> list[str]:
    from accounts.models import Membership
    from flex.agents import workers_of
    from flex.models import Workspace

    if user is None or not getattr(user, "is_authenticated", False):
        return []
    accounts = list(Membership.objects.filter(user=user).values_list("account_id", flat=True))
    groups = [worker_group(w.sid) for w in workers_of(user, accounts)]
    if agent_only:
        return groups
    workspaces = Workspace.objects.filter(account_id__in=accounts).values_list("sid", flat=True)
    return [workspace_group(sid) for sid in workspaces] + groups


class FlexLiveConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        agent_only = query.get("view") == ["agent"]
        self.groups_joined = await _groups(self.scope.get("user"), agent_only)
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
