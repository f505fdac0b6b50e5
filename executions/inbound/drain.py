"""Draining inbound events: who runs the batch processor, and when.

The webhook records an ``InboundEvent`` row (PostgreSQL is the record: an accepted webhook is
never lost) and then *kicks* the drain. A kick costs one Redis ``SET NX``: the key
``KICK_KEY`` means "a drainer is queued or running", so a burst of webhooks queues one Celery
task, not one per message. The drainer (``drain()``, in a Celery worker) claims batches of
pending events until none is left (``executions.inbound.batch``), then lets go of the key and looks
once more, so an event committed while it was stopping is never stranded:

- a webhook commits its event *before* it tries the key;
- the drainer deletes the key *before* its last look.

Either the webhook's ``SET NX`` succeeds (a new drainer is queued), or it ran before the delete,
so its event was committed before the drainer's last look and that look finds it.

When a claimed batch comes back full there is a backlog: the drainer asks for a helper in the
next slot (``KICK_KEY:1`` … up to ``STUDIO["INBOUND_DRAINERS"]``), so several worker processes
share a burst. Slot 0 is the one webhooks kick; helpers stop when the queue is empty.

Should a worker die holding a key, the key expires (``KICK_TTL_SECONDS``; a live drainer renews
it after every batch) and the beat sweeper's ``rescue()`` queues a drainer for events left
pending. Embedded (eager Celery, no Redis) the kick drains at once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
from typing import Any

from django.conf import settings
from django.utils import timezone

from config.celery import app
from executions.engine import network
from executions.inbound import batch
from executions.models import InboundEvent
from studio.conf import studio_settings

log = logging.getLogger(__name__)

KICK_KEY = "studio:inbound:drain"
# A live drainer renews its key after every batch; a dead one's key expires this soon, and beat's
# rescue then queues another (two drainers on one slot are safe: claims skip locked rows).
KICK_TTL_SECONDS = 20
RESCUE_AFTER_SECONDS = 5.0


def slots() -> int:
    return max(1, int(studio_settings.INBOUND_DRAINERS))


def slot_key(slot: int) -> str:
    return KICK_KEY if slot == 0 else f"{KICK_KEY}:{slot}"


def _eager() -> bool:
    return bool(app.conf.task_always_eager) or not settings.REDIS_URL


_redis: Any = None


def redis_client() -> Any:
    global _redis
    if _redis is None:
        import redis  # on use: embedded mode (no REDIS_URL) never needs a client

        _redis = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5)
    return _redis


def _queue(slot: int) -> None:
    # By name: the task (executions.tasks.drain_inbound) calls drain(); importing it here would
    # make a cycle. _queue only runs with a broker (eager mode drains inline, see kick()).
    app.send_task("executions.tasks.drain_inbound", args=(slot,))


def kick(slot: int = 0) -> None:
    """After an event is committed: make sure a drainer will see it."""
    if _eager():
        if _background is not None:
            _background.wanted.set()  # `serve` embedded: the drainer thread runs it
        else:
            drain(slot)  # tests and commands: right here
        return
    if redis_client().set(slot_key(slot), "1", nx=True, ex=KICK_TTL_SECONDS):
        _queue(slot)


async def kick_async(client: Any) -> None:
    """``kick()`` for async callers (the ASGI webhook): ``client`` is a ``redis.asyncio`` client."""
    if await client.set(KICK_KEY, "1", nx=True, ex=KICK_TTL_SECONDS):
        await asyncio.get_running_loop().run_in_executor(None, _queue, 0)


def drain(slot: int = 0) -> int:
    """Process pending inbound events in batches until none is left; returns how many."""
    eager = _eager()
    # Requests of widgets parked on the network are made off this thread (engine/network.py),
    # except inline (tests, commands) where the caller expects the flows to have run.
    with network.detached(enabled=not eager or _background is not None):
        return _drain(slot, eager)


def _drain(slot: int, eager: bool) -> int:
    done = 0
    helper_asked = False
    while True:
        count, backlog = batch.process_batch()
        done += count
        if count:
            if backlog and not helper_asked and not eager and slot + 1 < slots():
                helper_asked = True
                if redis_client().set(slot_key(slot + 1), "1", nx=True, ex=KICK_TTL_SECONDS):
                    _queue(slot + 1)
            if not eager:
                redis_client().expire(slot_key(slot), KICK_TTL_SECONDS)  # still running
            continue
        if eager:
            return done
        redis_client().delete(slot_key(slot))
        count, _ = batch.process_batch()  # the last look (see the module docstring)
        done += count
        if not count:
            return done
        if not redis_client().set(slot_key(slot), "1", nx=True, ex=KICK_TTL_SECONDS):
            return done  # a webhook queued a new drainer for this slot meanwhile: it goes on


class BackgroundDrainer:
    """Embedded ``serve``: one thread drains inbound events, so a webhook answers as soon as its
    event is committed instead of after the flow ran (HTTP widgets included), and the inbound
    runs write to SQLite one at a time instead of from every request thread at once."""

    def __init__(self) -> None:
        self.wanted = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="studio-drainer", daemon=True)

    def _loop(self) -> None:
        from django.db import close_old_connections

        while True:
            self.wanted.wait()
            self.wanted.clear()  # kicks during this drain make it look again
            try:
                drain()
            except Exception:  # noqa: BLE001 - the thread must survive; the sweeper rescues the rest
                log.exception("embedded inbound drain failed")
            finally:
                close_old_connections()


_background: BackgroundDrainer | None = None


def start_background() -> None:
    """Embedded ``serve`` (executions.management.commands.serve): drain on a thread (idempotent)."""
    global _background
    if _background is None:
        _background = BackgroundDrainer()
        _background.thread.start()


def rescue() -> int:
    """Beat's safety net: events pending for a while with no drainer on the way (a worker died
    holding the key, which then expires, or a kick was lost) get one. Returns how many events
    were drained here (embedded) or 0 when a drainer was queued."""
    cutoff = timezone.now() - dt.timedelta(seconds=RESCUE_AFTER_SECONDS)
    stale = InboundEvent.objects.filter(status=InboundEvent.Status.PENDING, date_created__lt=cutoff)
    if not stale.exists():
        return 0
    if _eager():
        if _background is not None:
            _background.wanted.set()
            return 0
        return drain()
    if redis_client().set(KICK_KEY, "1", nx=True, ex=KICK_TTL_SECONDS):
        log.warning("inbound events pending with no drainer running: queueing one")
        _queue(0)
    return 0  # a drainer holds the key: a backlog, being drained (its key expires if it died)
