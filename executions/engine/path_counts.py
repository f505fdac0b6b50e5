"""The path-count aggregate: steps per (flow, revision, hour, from, event, to), kept as steps are written.

``Writes.flush`` adds the steps it inserts: on PostgreSQL the batch is counted in Python and
upserted (``count = count + EXCLUDED.count``) inside the steps' own INSERT (``upsert_cte``: no
statement of its own); on SQLite (embedded mode) a trigger on the step table does it (migration
0006). Either way in the transaction that writes the steps, so the counts never disagree with
the steps. ``record`` is the upsert as a statement of its own (the benchmark's loader). Reading a window (``totals``) sums the
hour rows of the flow: a few thousand rows, whatever the number of steps behind them.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import random
from collections import Counter
from typing import Any

from django.db import connection

from executions.models import PathCount

# Rows a hot transition is spread over (see PathCount.shard).
SHARDS = 8
_COLUMNS = ("flow_id", "revision", "hour", "from_widget", "event", "to_widget", "shard", "count")
_KEY = "flow_id, hour, revision, from_widget, event, to_widget, shard"


def hour_of(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _rows(steps: list[Any]) -> list[tuple[Any, ...]]:
    counted = Counter(
        (s.execution.flow_id, s.execution.flow_version, s.transitioned_from, s.name, s.transitioned_to)
        for s in steps
    )
    # Sorted: concurrent batches lock shared rows in one order (no deadlock between them).
    return [(*key, n) for key, n in sorted(counted.items())]


def upsert_cte(steps: list[Any], now: dt.datetime, condition: str = "") -> tuple[str, list[Any]] | None:
    """On PostgreSQL, the upsert as a statement ``Writes`` runs inside the steps' own INSERT
    (a data-modifying WITH): the aggregate costs no statement of its own. None elsewhere.
    ``condition``: a WHERE clause (with its keyword) the rows are counted under."""
    if not steps or connection.vendor != "postgresql":
        return None
    return upsert_sql(condition), upsert_params(steps, now)


@functools.cache
def upsert_sql(condition: str = "") -> str:
    """The upsert's SQL (PostgreSQL), the same text for any steps: built once per condition."""
    table = PathCount._meta.db_table
    return (
        f"INSERT INTO {table} ({', '.join(_COLUMNS)}) "
        "SELECT v.flow_id, v.revision, %s, v.from_widget, v.event, v.to_widget, %s, v.count "
        "FROM jsonb_to_recordset(%s::jsonb) AS v(flow_id bigint, revision integer, "
        f"from_widget text, event text, to_widget text, count bigint){condition} "
        f"ON CONFLICT ({_KEY}) DO UPDATE SET count = {table}.count + EXCLUDED.count"
    )


def upsert_params(steps: list[Any], now: dt.datetime) -> list[Any]:
    """The parameters of ``upsert_sql``: the hour, a shard, the steps counted per transition."""
    payload = [
        {"flow_id": f, "revision": r, "from_widget": a, "event": e, "to_widget": b, "count": n}
        for f, r, a, e, b, n in _rows(steps)
    ]
    return [hour_of(now), random.randrange(SHARDS), json.dumps(payload, separators=(",", ":"))]


def record(steps: list[Any], now: dt.datetime) -> None:
    """Add ``steps`` (Step instances, their executions set) to the aggregate: one statement."""
    if not steps:
        return
    cte = upsert_cte(steps, now)
    with connection.cursor() as cursor:
        if cte is not None:
            cursor.execute(*cte)
            return
        # Not the engine's path on SQLite (its trigger counts steps): loaders and benchmarks.
        table = PathCount._meta.db_table
        update = f"ON CONFLICT ({_KEY}) DO UPDATE SET count = {table}.count + EXCLUDED.count"
        hour, shard = hour_of(now), random.randrange(SHARDS)
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) {update}",
            [(f, r, hour, a, e, b, shard, n) for f, r, a, e, b, n in _rows(steps)],
        )
