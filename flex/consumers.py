"""``ws/flex/live``: an agent console or supervisor page learns that its TaskRouter state
changed (a reservation offered, a task waiting…). Session-authenticated; the socket joins the
groups of the user's workers (linked by ``contact_uri`` ``client:<username>``) and of the
workspaces of the user's accounts."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from flex.live import worker_group, workspace_group


@database_sync_to_async
def _groups(user: Any) -> list[str]:
    from accounts.models import Membership
    from flex.agents import workers_of
    from flex.models import Workspace

    if user is None or not getattr(user, "is_authenticated", False):
        return []
    accounts = list(Membership.objects.filter(user=user).values_list("account_id", flat=True))
    groups = [
        workspace_group(sid)
        for sid in Workspace.objects.filter(account_id__in=accounts).values_list("sid", flat=True)
    ]
    groups += [worker_group(w.sid) for w in workers_of(user, accounts)]
    return groups


class FlexLiveConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = await _groups(self.scope.get("user"))
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
