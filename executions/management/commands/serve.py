"""Serve HTTP and WebSocket (ASGI, uvicorn). Embedded mode also runs the in-process sweeper."""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import uvicorn
from asgiref.sync import ThreadSensitiveContext
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand

log = logging.getLogger(__name__)

THREADS_ENV = "STUDIO_WEB_THREADS"
DEFAULT_THREADS = 8


class PersistentThreads:
    """ASGI middleware: run each HTTP request's sync code on one of a fixed set of threads.

    Django's ASGIHandler gives every request a fresh thread (a ``ThreadSensitiveContext`` per
    request). Database connections are per thread, so with ``CONN_MAX_AGE`` each request opened
    a connection that was never reused and stayed open until garbage collection: under load,
    PostgreSQL's "too many clients" and a connect per request. Here a request borrows one of
    ``threads`` long-lived single-thread executors (asgiref's ``ThreadSensitiveContext(executor=)``;
    Django's own context inside it then changes nothing), so connections persist per thread and
    at most ``threads`` requests run sync code at once per process (the rest wait their turn).
    """

    def __init__(self, app: Any, threads: int) -> None:
        # The request's thread goes in its scope: a call's turns, answered outside Django, hand
        # their sync work straight to it. Imported here: this module loads before Django is set up.
        from executions.inbound.call_path import EXECUTOR_SCOPE

        self.scope_key = EXECUTOR_SCOPE
        self.app = app
        self.threads = max(1, threads)
        self._idle: asyncio.LifoQueue[ThreadPoolExecutor] | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._idle is None:
            self._idle = asyncio.LifoQueue()  # most recently used first: few threads when idle
            for n in range(self.threads):
                self._idle.put_nowait(ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"http-{n}"))
        executor = await self._idle.get()
        try:
            async with ThreadSensitiveContext(executor=executor):  # type: ignore[call-arg]
                await self.app({**scope, self.scope_key: executor}, receive, send)
        finally:
            self._idle.put_nowait(executor)


def asgi_application() -> Any:
    """uvicorn factory for ``serve``: ``config.asgi.application`` with Django on persistent threads.

    The inbound-message fast path stays outermost: it runs on the event loop and needs no thread.
    """
    # On use, in each uvicorn worker: config.asgi sets up Django and the whole application.
    from config.asgi import application, django_application
    from executions.inbound.fast_path import FlowWebhookFastPath  # needs the settings set up

    threads = int(os.environ.get(THREADS_ENV) or DEFAULT_THREADS)
    if threads <= 0 or "executor" not in inspect.signature(ThreadSensitiveContext).parameters:
        return application  # asgiref < 3.10, or turned off: Django's thread per request
    return FlowWebhookFastPath(PersistentThreads(django_application, threads))


class Command(BaseCommand):
    help = "Serve the console, the APIs and the webhooks over ASGI (HTTP + WebSocket)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="uvicorn worker processes (default: one per CPU with Redis, 1 embedded)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help=f"threads per worker for Django's sync code, each with its own database "
            f"connection (default: ${THREADS_ENV} or {DEFAULT_THREADS}; 0: a thread per request)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        embedded = not settings.REDIS_URL
        if embedded:
            # Imported here: uvicorn workers import this module (the factory above) before
            # Django is set up, and the timers import models.
            from executions.engine.timers import start_in_process
            from executions.inbound import drain
            from executions.tasks import embedded_sweep

            # Inbound messages run on a drainer thread (a webhook answers once its event is
            # committed); the sweeper runs beat's tasks: due waits, events left pending, and
            # the purge of executions past their retention (hourly).
            drain.start_background()
            start_in_process(embedded_sweep)
            if apps.is_installed("flex"):  # TaskRouter's timers (beat sweeps them in production)
                from flex.sweeper import start_in_process as start_flex_sweeper

                start_flex_sweeper()
            if apps.is_installed("conversations"):  # inactive/closed timers of conversations
                from conversations.sweeper import start_in_process as start_conversations_sweeper

                start_conversations_sweeper()
        workers = 1 if embedded else (opts["workers"] or os.cpu_count() or 1)
        if opts["threads"] is not None:
            os.environ[THREADS_ENV] = str(opts["threads"])  # read by each worker's factory
        mode = "embedded (in-process tasks and sweeper)" if embedded else "production (Redis + Celery)"
        self.stdout.write(f"Serving on http://{opts['host']}:{opts['port']} — {mode}, {workers} worker(s)")
        uvicorn.run(
            "executions.management.commands.serve:asgi_application",
            factory=True,
            host=opts["host"],
            port=opts["port"],
            workers=workers,
            log_level="warning",
            # Access lines are INFO, never shown at this level; off, uvicorn does not build
            # their arguments (client address, quoted path) for every request either.
            access_log=False,
            lifespan="off",
            proxy_headers=True,
        )
