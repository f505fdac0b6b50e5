from __future__ import annotations

from typing import Any

from django.urls import path

from flex.consumers import FlexLiveConsumer

websocket_urlpatterns: list[Any] = [path("ws/flex/live", FlexLiveConsumer.as_asgi())]
