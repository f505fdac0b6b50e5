"""The visitor's socket, routed apart from the console's: it is meant for other sites' pages, so
it skips the console's same-origin check (the consumer checks the token and the key's origins)
and reads no session cookie."""

from __future__ import annotations

from typing import Any

from channels.routing import URLRouter
from django.urls import path

from webchat.consumers import VisitorConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/webchat/<str:conversation_sid>", VisitorConsumer.as_asgi()),
]

PREFIX = "/ws/webchat/"


class VisitorSockets:
    """Hands ``/ws/webchat/…`` handshakes to the visitor's router, every other one to ``inner``."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.visitors = URLRouter(websocket_urlpatterns)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope.get("type") == "websocket" and str(scope.get("path") or "").startswith(PREFIX):
            return await self.visitors(scope, receive, send)
        return await self.inner(scope, receive, send)
