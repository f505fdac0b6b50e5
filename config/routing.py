"""WebSocket routes. Each app contributes its own list."""

from __future__ import annotations

from typing import Any

from executions.live.routing import websocket_urlpatterns as executions_ws
from flex.routing_ws import websocket_urlpatterns as flex_ws
from serverless.live import websocket_urlpatterns as serverless_ws

websocket_urlpatterns: list[Any] = []

websocket_urlpatterns += executions_ws
websocket_urlpatterns += flex_ws
websocket_urlpatterns += serverless_ws
