"""Counters and histograms that add up across processes (the ``/metrics`` endpoint reads them).

The production topology runs several web processes and Celery workers, in separate containers;
a scrape reaches one of them. So events (an execution started or ended, a webhook answered, a
function invoked) are counted where they happen, kept in process memory, and added to one Redis
hash (``KEY``) by a flusher thread every ``FLUSH_SECONDS`` (one pipelined round trip, whatever
the rate: nothing on the hot path but a dict update under a lock). A scrape reads the hash.
A process killed with counts not yet flushed loses at most that second of counts: acceptable
for rates and ratios, never for data (the data is in the database).

Embedded mode (no Redis) has one process: the counts stay in memory and a scrape reads them.

Depths (pending inbound events, armed waits, tasks waiting) are not counted here: ``ops.metrics``
reads them from the database at scrape time, so they are right whatever process died.

Accounts imports no other app, so this module is the one every app (the engine, Functions,
the webhook entry points) can count through.
"""

from __future__ import annotations

import atexit
import functools
import json
import logging
import threading
import time
from collections import defaultdict
from typing import Any

from django.conf import settings

log = logging.getLogger(__name__)

KEY = "studio:metrics"
FLUSH_SECONDS = 1.0
# Webhook answer times (seconds): the upper bounds of the histogram's buckets.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

Labels = tuple[tuple[str, str], ...]

_lock = threading.Lock()
_pending: dict[str, float] = defaultdict(float)  # not yet flushed to Redis
_local: dict[str, float] = defaultdict(float)  # embedded: the totals themselves
_flusher: threading.Thread | None = None
_redis: Any = None


@functools.lru_cache(maxsize=4096)  # a few series, counted on hot paths
def field(name: str, labels: Labels = ()) -> str:
    """The hash field of a series: ``["name", {"label": "value", …}]`` as JSON."""
    return json.dumps([name, dict(labels)], sort_keys=True, separators=(",", ":"))


def parse(key: str) -> tuple[str, dict[str, str]]:
    name, labels = json.loads(key)
    return str(name), {str(k): str(v) for k, v in labels.items()}


def inc(name: str, amount: float = 1.0, **labels: str) -> None:
    """Add ``amount`` to the counter ``name`` with these labels."""
    _add({field(name, tuple(sorted(labels.items()))): amount})


def observe(name: str, seconds: float, **labels: str) -> None:
    """One observation of the histogram ``name``: its bucket, its sum and its count."""
    ordered = tuple(sorted(labels.items()))
    bound = next((b for b in LATENCY_BUCKETS if seconds <= b), None)
    le = "+Inf" if bound is None else str(bound)
    _add(
        {
            field(f"{name}_bucket", (*ordered, ("le", le))): 1.0,
            field(f"{name}_sum", ordered): seconds,
            field(f"{name}_count", ordered): 1.0,
        }
    )


def _shared() -> bool:
    return bool(settings.REDIS_URL) and not getattr(settings, "TESTING", False)


def _add(amounts: dict[str, float]) -> None:
    with _lock:
        target = _pending if _shared() else _local
        for key, amount in amounts.items():
            target[key] += amount
    if target is _pending:
        _ensure_flusher()


def _client() -> Any:
    global _redis
    if _redis is None:
        import redis  # on use: embedded mode (no REDIS_URL) never needs a client

        _redis = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    return _redis


def flush() -> None:
    """Add the counts kept since the last flush to the shared hash (they stay kept on failure)."""
    with _lock:
        batch = dict(_pending)
        _pending.clear()
    if not batch:
        return
    try:
        pipe = _client().pipeline(transaction=False)
        for key, amount in batch.items():
            if float(amount).is_integer():
                pipe.hincrby(KEY, key, int(amount))
            else:
                pipe.hincrbyfloat(KEY, key, amount)
        pipe.execute()
    except Exception:  # noqa: BLE001 - Redis away: keep the counts for the next flush
        with _lock:
            for key, amount in batch.items():
                _pending[key] += amount
        log.warning("metrics flush to Redis failed; retrying", exc_info=True)


def _flush_loop() -> None:
    while True:
        time.sleep(FLUSH_SECONDS)
        flush()


def _ensure_flusher() -> None:
    global _flusher
    if _flusher is not None and _flusher.is_alive():
        return
    with _lock:
        if _flusher is not None and _flusher.is_alive():
            return
        _flusher = threading.Thread(target=_flush_loop, name="studio-metrics", daemon=True)
        _flusher.start()
        atexit.register(flush)


def totals() -> dict[str, float]:
    """Every series' total: the shared hash (this process's unflushed counts included), or the
    process's own counts in embedded mode."""
    if not _shared():
        with _lock:
            return dict(_local)
    flush()
    raw = _client().hgetall(KEY)
    return {k.decode(): float(v) for k, v in raw.items()}


def reset_local() -> None:
    """Tests: forget this process's counts."""
    with _lock:
        _local.clear()
        _pending.clear()
