"""Live events: each step is published, after commit, to ``flow.{FW}`` and ``execution.{FN}``."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

from executions.engine.context import summary
from executions.models import Execution, Step

log = logging.getLogger(__name__)

PUBLISH_TIMEOUT_SECONDS = 5.0


def step_payload(execution: Execution, step: Step) -> dict[str, Any]:
    return {
        "type": "step.event",
        "flow_sid": execution.flow.sid,
        "execution_sid": execution.sid,
        "execution_status": execution.status,
        "step_sid": step.sid,
        "name": step.name,
        "from": step.transitioned_from,
        "to": step.transitioned_to,
        "widget_type": step.type,
        "context": summary(step.context, step.transitioned_from),
        "error": step.context.get("error"),
    }


class _Loop:
    """One long-lived event loop per process for network channel layers.

    ``async_to_sync`` from a plain thread (a Celery worker) starts a new thread and event loop
    per call, and channels_redis keeps its connections per loop: every publish would pay a
    thread, a loop and a Redis connection (~6 ms of CPU for a two-step run). Re-created after
    a fork (prefork workers).
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pid = 0
        self.loop: asyncio.AbstractEventLoop | None = None

    def get(self) -> asyncio.AbstractEventLoop:
        with self.lock:
            if self.loop is None or self.pid != os.getpid():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="live-events", daemon=True).start()
                self.loop, self.pid = loop, os.getpid()
            return self.loop


_loop = _Loop()


def publish(flow_sid: str, execution_sid: str, payloads: list[dict[str, Any]]) -> None:
    """Best effort: a missing or failing channel layer never breaks an execution."""
    try:
        from asgiref.sync import async_to_sync
        from channels.layers import InMemoryChannelLayer, get_channel_layer

        layer = get_channel_layer()
        if layer is None or not payloads:
            return

        async def send_all() -> None:
            for payload in payloads:
                await layer.group_send(f"flow.{flow_sid}", payload)
                await layer.group_send(f"execution.{execution_sid}", payload)

        if isinstance(layer, InMemoryChannelLayer):
            # Its queues belong to the caller's event loop (embedded mode, tests).
            async_to_sync(send_all)()
        else:
            future = asyncio.run_coroutine_threadsafe(send_all(), _loop.get())
            future.result(timeout=PUBLISH_TIMEOUT_SECONDS)
    except Exception:  # noqa: BLE001 - live events are best effort by design
        log.warning("could not publish step events for %s", execution_sid, exc_info=True)
