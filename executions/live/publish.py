"""Live events: each step, and each execution's start and end, is published after commit to
``flow.{FW}`` and ``execution.{FN}``."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels import layers as channel_layers

from executions.live.presence import presence, supported

log = logging.getLogger(__name__)

Batch = list[tuple[str, str, list[dict[str, Any]]]]


class _Loop:
    """One long-lived event loop per process for network channel layers.

    ``async_to_sync`` from a plain thread (a Celery worker) starts a new thread and event loop
    per call, and channels_redis keeps its connections per loop: every publish would pay a
    thread, a loop and a Redis connection (~6 ms of CPU for a two-step run). Re-created after
    a fork (prefork workers).

    Publishing does not wait for Redis: the batch is queued to the loop (``post``) and the
    caller goes on (a voice turn answers its caller meanwhile). One sender on the loop takes
    whatever was queued, in order, and checks the groups of all of it at once.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pid = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.queued: list[tuple[Any, Batch]] = []  # touched on the loop only
        self.sending = False

    def get(self) -> asyncio.AbstractEventLoop:
        with self.lock:
            if self.loop is None or self.pid != os.getpid():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="live-events", daemon=True).start()
                self.loop, self.pid = loop, os.getpid()
                self.queued, self.sending = [], False
            return self.loop

    def post(self, layer: Any, batch: Batch) -> None:
        loop = self.get()
        loop.call_soon_threadsafe(self._queue, loop, layer, batch)

    def _queue(self, loop: asyncio.AbstractEventLoop, layer: Any, batch: Batch) -> None:
        self.queued.append((layer, batch))
        if not self.sending:
            self.sending = True
            loop.create_task(self._send_queued())

    async def _send_queued(self) -> None:
        try:
            while self.queued:
                taken, self.queued = self.queued, []
                by_layer: dict[int, tuple[Any, Batch]] = {}
                for layer, batch in taken:  # order kept within a layer (there is one in practice)
                    by_layer.setdefault(id(layer), (layer, []))[1].extend(batch)
                for layer, batch in by_layer.values():
                    try:
                        await _send_all(layer, batch)
                    except Exception:  # noqa: BLE001 - live events are best effort by design
                        log.warning("could not publish step events", exc_info=True)
        finally:
            self.sending = False


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


async def _send_all(layer: Any, batch: Batch) -> None:
    """One message per watched group: its step event, or ``steps.batch`` carrying its steps in
    order (a batch of a hundred executions costs one send to its flow's group, not two hundred;
    the monitor socket still sends the client one frame per step)."""
    by_group: dict[str, list[dict[str, Any]]] = {}
    for flow_sid, execution_sid, payloads in batch:
        for group in (f"flow.{flow_sid}", f"execution.{execution_sid}"):
            by_group.setdefault(group, []).extend(payloads)
    if supported(layer) and not await presence.anyone_watches(layer):
        return  # no monitor open anywhere (executions.live.presence)
    watched = await _watched(layer, sorted(by_group))
    for group, payloads in by_group.items():
        if group not in watched:
            continue
        if len(payloads) == 1:
            await layer.group_send(group, payloads[0])
        else:
            await layer.group_send(group, {"type": "steps.batch", "events": payloads})


def publish_many(batch: Batch) -> None:
    """Publish (flow sid, execution sid, step payloads) for many executions at once.

    Best effort: a missing or failing channel layer never breaks an execution. On a network
    layer the events are queued to this process's live-events loop, not waited for; while this
    process knows that no monitor is open anywhere (executions.live.presence), they are dropped
    here, without any I/O."""
    batch = [entry for entry in batch if entry[2]]
    if not batch:
        return
    try:
        layer = channel_layers.get_channel_layer()  # looked up per call: settings and tests may swap it
        if layer is None:
            return
        if presence.nobody_watches(layer):
            return
        if isinstance(layer, channel_layers.InMemoryChannelLayer):
            # Its queues belong to the caller's event loop (embedded mode, tests).
            async_to_sync(_send_all)(layer, batch)
        else:
            _loop.post(layer, batch)
    except Exception:  # noqa: BLE001 - live events are best effort by design
        log.warning("could not publish step events", exc_info=True)
