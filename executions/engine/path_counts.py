"""The path-count aggregate: steps per (flow, revision, hour, from, event, to), kept as steps are written.

``Writes.flush`` calls ``record`` with the steps it inserts: the batch is counted in Python and
upserted in one statement (``count = count + EXCLUDED.count``), in the transaction that writes
the steps, so the counts never disagree with the steps. Reading a window (``totals``) sums the
hour rows of the flow: a few thousand rows, whatever the number of steps behind them.
"""

from __future__ import annotations

import datetime as dt
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


def record(steps: list[Any], now: dt.datetime) -> None:
    """Add ``steps`` (Step instances, their executions set) to the aggregate: one statement."""
    if not steps:
        return
    counted = Counter(
        (s.execution.flow_id, s.execution.flow_version, s.transitioned_from, s.name, s.transitioned_to)
        for s in steps
    )
    hour = hour_of(now)
    shard = random.randrange(SHARDS)
    # Sorted: concurrent batches lock shared rows in one order (no deadlock between them).
    rows = [(*key, n) for key, n in sorted(counted.items())]
    table = PathCount._meta.db_table
    update = f"ON CONFLICT ({_KEY}) DO UPDATE SET count = {table}.count + EXCLUDED.count"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            payload = [
                {"flow_id": f, "revision": r, "from_widget": a, "event": e, "to_widget": b, "count": n}
                for f, r, a, e, b, n in rows
            ]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(_COLUMNS)}) "
                "SELECT v.flow_id, v.revision, %s, v.from_widget, v.event, v.to_widget, %s, v.count "
                f"FROM jsonb_to_recordset(%s::jsonb) AS v(flow_id bigint, revision integer, "
                "from_widget text, event text, to_widget text, count bigint) "
                f"{update}",
                [hour, shard, json.dumps(payload, separators=(",", ":"))],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) {update}",
                [(f, r, hour, a, e, b, shard, n) for f, r, a, e, b, n in rows],
            )
