"""WebSocket routes. Each app contributes its own list."""

from __future__ import annotations

from typing import Any

websocket_urlpatterns: list[Any] = []

try:  # the live monitor's consumers live in executions.routing once that exists
    from executions.routing import websocket_urlpatterns as _executions_ws
except ImportError:  # pragma: no cover - during bootstrap only
    _executions_ws = []
websocket_urlpatterns += _executions_ws

from flex.routing_ws import websocket_urlpatterns as _flex_ws  # noqa: E402

websocket_urlpatterns += _flex_ws
