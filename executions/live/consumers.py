"""Live monitor: ``ws/flows/{FW}/monitor`` streams the flow's step events and its executions'
start and end (``type: "execution"``); ``ws/executions/{FN}/`` the same for one execution.

Two ways in: a console session (AuthMiddlewareStack; the user must be a member of the flow's
account), or the account's API credentials in the handshake's ``Authorization`` header (HTTP
Basic ``AccountSid:AuthToken`` or ``ApiKeySid:Secret``, as the REST API takes them), so scripts
and other tools can watch. The flow must belong to that account; anything else closes the
socket (4403). Credentials that are present but wrong are refused even with a session.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.auth import authenticate_basic, parse_basic
from accounts.models import Membership
from executions.live.presence import join, leave
from executions.models import Execution
from studio.models import Flow


def _authorization(scope: dict[str, Any]) -> str:
    for name, value in scope.get("headers") or []:
        if name.lower() == b"authorization":
            return bytes(value).decode("latin-1")
    return ""


@database_sync_to_async
def _can_watch(scope: dict[str, Any], flow_sid: str) -> bool:
    flow = Flow.objects.filter(sid=flow_sid).only("account_id").first()
    return flow is not None and _may_watch(scope, flow.account_id)


@database_sync_to_async
def _can_watch_execution(scope: dict[str, Any], execution_sid: str) -> bool:
    execution = Execution.objects.filter(sid=execution_sid).only("account_id").first()
    return execution is not None and _may_watch(scope, execution.account_id)


def _may_watch(scope: dict[str, Any], account_id: int) -> bool:
    """Credentials in the handshake, else the session's membership, open the account's sockets."""
    header = _authorization(scope)
    if header:
        creds = parse_basic(header)
        account = authenticate_basic(*creds) if creds else None
        return account is not None and account.is_active and account.pk == account_id
    user = scope.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(user=user, account_id=account_id).exists()


class FlowMonitorConsumer(AsyncJsonWebsocketConsumer):
    group = ""

    async def connect(self) -> None:
        flow_sid = self.scope["url_route"]["kwargs"]["flow_sid"]
        if not await _can_watch(self.scope, flow_sid):
            await self.close(code=4403)
            return
        self.group = f"flow.{flow_sid}"
        await join(self.channel_layer, self.group, self.channel_name)  # steps after accept reach it
        await self.accept()
        await self.send_json({"type": "monitor.ready", "flow_sid": flow_sid})

    async def disconnect(self, code: int) -> None:
        if self.group:
            await leave(self.channel_layer, self.group, self.channel_name)

    async def step(self, event: dict[str, Any]) -> None:
        """A step (``type: "step"``), sent alone."""
        await self.send_json(event)

    async def execution(self, event: dict[str, Any]) -> None:
        """An execution started or ended (``type: "execution"``), sent alone."""
        await self.send_json(event)

    async def steps_batch(self, event: dict[str, Any]) -> None:
        """Events published together (executions.live.publish): one frame each, in order."""
        for step in event.get("events") or []:
            await self.send_json(step)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})


class ExecutionMonitorConsumer(FlowMonitorConsumer):
    """``ws/executions/{FN}/``: the steps of one execution, with the monitor's authentication."""

    async def connect(self) -> None:
        execution_sid = self.scope["url_route"]["kwargs"]["execution_sid"]
        if not await _can_watch_execution(self.scope, execution_sid):
            await self.close(code=4403)
            return
        self.group = f"execution.{execution_sid}"
        await join(self.channel_layer, self.group, self.channel_name)  # steps after accept reach it
        await self.accept()
        await self.send_json({"type": "monitor.ready", "execution_sid": execution_sid})
