"""Serve HTTP and WebSocket (ASGI, uvicorn). Embedded mode also runs the in-process sweeper."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Serve the console, the APIs and the webhooks over ASGI (HTTP + WebSocket)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")

    def handle(self, *args: Any, **opts: Any) -> None:
        import uvicorn

        embedded = not settings.REDIS_URL
        if embedded:
            from executions.sweeper import start_in_process

            start_in_process()
        mode = "embedded (in-process tasks and sweeper)" if embedded else "production (Redis + Celery)"
        self.stdout.write(f"Serving on http://{opts['host']}:{opts['port']} — {mode}")
        uvicorn.run(
            "config.asgi:application",
            host=opts["host"],
            port=opts["port"],
            workers=opts["workers"] if not embedded else 1,
            log_level="warning",
            lifespan="off",
            proxy_headers=True,
        )
