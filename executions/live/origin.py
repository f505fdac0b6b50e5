"""The monitor sockets' origin check, with room for scripts.

Browsers always send ``Origin`` on a WebSocket handshake, and the console's cookie-authenticated
socket must refuse other sites' pages (cross-site WebSocket hijacking): ``AllowedHostsOriginValidator``.
Scripts (``websockets``, ``wscat``) send no ``Origin`` but credentials in ``Authorization``; such a
handshake cannot come from another site's page, so it skips the origin check and the consumer
authenticates the credentials. A foreign ``Origin`` is refused whatever else comes with it.
"""

from __future__ import annotations

from typing import Any

from channels.security.websocket import AllowedHostsOriginValidator


def _has(scope: dict[str, Any], header: bytes) -> bool:
    return any(name.lower() == header for name, _ in scope.get("headers") or [])


class CredentialsOrOriginValidator:
    def __init__(self, application: Any) -> None:
        self.application = application
        self.validated = AllowedHostsOriginValidator(application)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope.get("type") == "websocket" and not _has(scope, b"origin") and _has(scope, b"authorization"):
            return await self.application(scope, receive, send)
        return await self.validated(scope, receive, send)
