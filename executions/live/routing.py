from __future__ import annotations

from typing import Any

from django.urls import path

from executions.live.consumers import ExecutionMonitorConsumer, FlowMonitorConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/flows/<str:flow_sid>/monitor", FlowMonitorConsumer.as_asgi()),
    path("ws/executions/<str:execution_sid>/", ExecutionMonitorConsumer.as_asgi()),
]
