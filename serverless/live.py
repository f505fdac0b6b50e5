"""Function logs live: ``ws/functions/{ZE}/logs`` streams an environment's new Log rows to console
users of its account (the Toolkit's ``logs --tail`` polls the API instead; both see the same rows)."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.db import transaction
from django.urls import path

from accounts.models import Membership
from serverless.models import Environment, Log

logger = logging.getLogger(__name__)


def group_of(environment_sid: str) -> str:
    return f"functions.{environment_sid}"


@database_sync_to_async
def _can_watch(user: Any, environment_sid: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    env = Environment.objects.filter(sid=environment_sid).only("account_id").first()
    return env is not None and Membership.objects.filter(user=user, account_id=env.account_id).exists()


class FunctionLogsConsumer(AsyncJsonWebsocketConsumer):
    group = ""

    async def connect(self) -> None:
        environment_sid = self.scope["url_route"]["kwargs"]["environment_sid"]
        if not await _can_watch(self.scope.get("user"), environment_sid):
            await self.close(code=4403)
            return
        self.group = group_of(environment_sid)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "logs.ready", "environment_sid": environment_sid})

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def log_lines(self, event: dict[str, Any]) -> None:
        await self.send_json(event)


websocket_urlpatterns: list[Any] = [
    path("ws/functions/<str:environment_sid>/logs", FunctionLogsConsumer.as_asgi()),
]


def publish(environment_sid: str, rows: list[Log], function_path: str = "") -> None:
    """After commit, the new rows to whoever watches the environment (never fails the caller).

    Each line is the Log resource plus ``function_path`` (the path invoked, which the Log resource
    does not carry): the simulator's pane and the console label lines with it."""
    from serverless.serializers import log_json

    payload = {
        "type": "log.lines",
        "logs": [{**log_json(row), "function_path": function_path or None} for row in rows],
    }

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group_of(environment_sid), payload)
        except Exception:  # a live view is a convenience: the rows are stored whatever happens here
            logger.warning("could not publish function logs", exc_info=True)

    transaction.on_commit(send)
