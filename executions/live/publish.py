"""Live events: each step is published, after commit, to ``flow.{FW}`` and ``execution.{FN}``."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels import layers as channel_layers

log = logging.getLogger(__name__)

PUBLISH_TIMEOUT_SECONDS = 5.0


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


async def _watched(layer: Any, groups: list[str]) -> set[str]:
    """The groups someone listens to. For channels_redis, one pipelined EXISTS per shard on its
    group keys (a group_send to an empty group still costs two Redis round trips, and most
    executions run with no monitor open); any other layer: all of them."""
    group_key = getattr(layer, "_group_key", None)
    shard_of = getattr(layer, "consistent_hash", None)
    connection = getattr(layer, "connection", None)
    if group_key is None or shard_of is None or connection is None:
        return set(groups)
    try:
        by_shard: dict[int, list[str]] = {}
        for group in groups:
            by_shard.setdefault(shard_of(group), []).append(group)
        watched: set[str] = set()
        for shard, names in by_shard.items():
            pipe = connection(shard).pipeline(transaction=False)
            for name in names:
                pipe.exists(group_key(name))
            for name, exists in zip(names, await pipe.execute(), strict=True):
                if exists:
                    watched.add(name)
        return watched
    except Exception:  # noqa: BLE001 - an unexpected layer version: send to every group
        log.debug("could not check channel groups; sending to all", exc_info=True)
        return set(groups)


def publish_many(batch: list[tuple[str, str, list[dict[str, Any]]]]) -> None:
    """Publish (flow sid, execution sid, step payloads) for many executions at once.

    Best effort: a missing or failing channel layer never breaks an execution."""
    batch = [entry for entry in batch if entry[2]]
    if not batch:
        return
    try:
        layer = channel_layers.get_channel_layer()  # looked up per call: settings and tests may swap it
        if layer is None:
            return

        async def send_all() -> None:
            groups = sorted({g for f, e, _ in batch for g in (f"flow.{f}", f"execution.{e}")})
            watched = await _watched(layer, groups)
            for flow_sid, execution_sid, payloads in batch:
                for payload in payloads:
                    for group in (f"flow.{flow_sid}", f"execution.{execution_sid}"):
                        if group in watched:
                            await layer.group_send(group, payload)

        if isinstance(layer, channel_layers.InMemoryChannelLayer):
            # Its queues belong to the caller's event loop (embedded mode, tests).
            async_to_sync(send_all)()
        else:
            future = asyncio.run_coroutine_threadsafe(send_all(), _loop.get())
            future.result(timeout=PUBLISH_TIMEOUT_SECONDS)
    except Exception:  # noqa: BLE001 - live events are best effort by design
        log.warning("could not publish step events", exc_info=True)
