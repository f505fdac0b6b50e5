"""WebSocket routes. Each app contributes its own list."""

from __future__ import annotations

from typing import Any

websocket_urlpatterns: list[Any] = []

try:  # the live monitor's consumers live in executions.live.routing once that exists
    from executions.live.routing import websocket_urlpatterns as _executions_ws
except ImportError:  # pragma: no cover - during bootstrap only
    _executions_ws = []
websocket_urlpatterns += _executions_ws

from serverless.live import websocket_urlpatterns as _serverless_ws  # noqa: E402 - after the executions routes

websocket_urlpatterns += _serverless_ws
