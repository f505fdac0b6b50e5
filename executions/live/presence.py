"""Whether anyone watches live events, known per process without a Redis round trip per turn.

Most runs have no monitor open. Asking Redis whether a run's groups have members costs a post
to the live-events loop and a pipelined ``EXISTS`` per publish (~7 % of a voice call's CPU).
Instead, every monitor socket registers itself in one sorted set when it joins (member: its
channel name; score: when the registration lapses, as channels_redis's groups lapse after
``group_expiry``, so a process killed before its sockets closed leaves nothing behind for
longer than a group would) and leaves it when it closes. A publishing process reads the set's
count at most once per ``LEASE`` seconds and, while the count is zero, drops its step events
without touching Redis or its live-events loop. With monitors open, publishing goes on as
before (an ``EXISTS`` per group, a send to the watched ones).

The guarantee, across processes: a monitor sees every step committed after its join was
acknowledged. The monitor acknowledges (accepts its socket) only ``LEASE`` seconds after its
registration is in Redis. A process's cached "nobody" was asked for before Redis ran the
registration, so it lapses, at the latest, ``LEASE`` after the registration; a step committed
after the acknowledgement is published after that, when its process asks again.

Only layers with channels_redis's internals (``connection``, ``prefix``, ``group_expiry``) take
part; any other layer (in-memory, embedded mode) publishes to every group as before.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

log = logging.getLogger(__name__)

LEASE = 0.2  # seconds a process trusts its answer; the delay a monitor's join waits out
KEY = "live-monitors"


def supported(layer: Any) -> bool:
    return all(hasattr(layer, name) for name in ("connection", "prefix", "group_expiry"))


def _key(layer: Any) -> str:
    return f"{layer.prefix}{KEY}"


class Presence:
    """One process's answers: per layer prefix, (valid until on the monotonic clock, anyone?)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers: dict[str, tuple[float, bool]] = {}

    def cached(self, layer: Any) -> bool | None:
        """Anyone watching, as last asked, while that answer holds; else None (ask again)."""
        answer = self.answers.get(layer.prefix)
        if answer is None or time.monotonic() >= answer[0]:
            return None
        return answer[1]

    def nobody_watches(self, layer: Any) -> bool:
        """True only on a fresh "nobody": the caller may drop its events without any I/O."""
        return supported(layer) and self.cached(layer) is False

    async def anyone_watches(self, layer: Any) -> bool:
        """The fresh answer if held, else asks Redis (one ``ZCOUNT``). True on any error."""
        known = self.cached(layer)
        if known is not None:
            return known
        asked = time.monotonic()  # before Redis runs the count: the lease starts no later
        try:
            count = await layer.connection(0).zcount(_key(layer), time.time(), "+inf")
        except Exception:  # noqa: BLE001 - unknown: send as if watched, ask again next time
            log.debug("could not count live monitors", exc_info=True)
            return True
        anyone = count > 0
        with self.lock:
            current = self.answers.get(layer.prefix)
            if current is None or current[0] < asked + LEASE:  # a later question's answer stays
                self.answers[layer.prefix] = (asked + LEASE, anyone)
        return anyone

    def forget(self) -> None:
        with self.lock:
            self.answers.clear()


presence = Presence()


async def join(layer: Any, group: str, channel: str) -> None:
    """Add ``channel`` to ``group`` so that every step committed after this returns reaches it."""
    await layer.group_add(group, channel)
    if not supported(layer):
        return
    connection = layer.connection(0)
    now = time.time()
    await connection.zremrangebyscore(_key(layer), "-inf", now)  # registrations that lapsed
    await connection.zadd(_key(layer), {channel: now + layer.group_expiry})
    await asyncio.sleep(LEASE)  # every process's earlier "nobody" lapses meanwhile


async def leave(layer: Any, group: str, channel: str) -> None:
    await layer.group_discard(group, channel)
    if supported(layer):
        await layer.connection(0).zrem(_key(layer), channel)
