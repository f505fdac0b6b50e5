"""Live monitor: ``ws/flows/{FW}/monitor`` streams the flow's step events to console users.

Session-authenticated (AuthMiddlewareStack); the flow must belong to an account the user is a
member of, otherwise the socket is closed (4403).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.models import Membership
from studio.models import Flow


@database_sync_to_async
def _can_watch(user: Any, flow_sid: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    flow = Flow.objects.filter(sid=flow_sid).only("account_id").first()
    if flow is None:
        return False
    return Membership.objects.filter(user=user, account_id=flow.account_id).exists()


class FlowMonitorConsumer(AsyncJsonWebsocketConsumer):
    group = ""

    async def connect(self) -> None:
        flow_sid = self.scope["url_route"]["kwargs"]["flow_sid"]
        if not await _can_watch(self.scope.get("user"), flow_sid):
            await self.close(code=4403)
            return
        self.group = f"flow.{flow_sid}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "monitor.ready", "flow_sid": flow_sid})

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def step_event(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
