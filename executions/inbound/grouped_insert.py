"""Recording inbound events for concurrent webhook requests in one INSERT (a group commit).

Under load a web process has many webhook requests in flight at once. Each used to commit its
own single-row INSERT: one statement, one commit and one WAL flush per message (~0.3 ms of
PostgreSQL CPU each), then its own Redis kick. Here the requests of one process queue their
rows; one flusher at a time writes everything queued in a single
``INSERT … VALUES (…), (…) ON CONFLICT (flow_id, key) DO NOTHING RETURNING flow_id, key`` and
kicks the drain once for the group. While a flush is in flight the next group gathers, so
groups grow with load and an idle server still writes a lone row at once (no timer, no added
delay beyond the flush in progress).

Every request is answered only after its row is committed, exactly as before: a webhook that
got ``<Response/>`` is recorded. A failed INSERT fails every request of its group (they fall
back to Django, which records them itself); a failed kick is logged and left to the sweeper's
``drain.rescue()`` (the rows are committed).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from executions.inbound import drain, sql

log = logging.getLogger(__name__)

# Rows per statement at most (a longer queue is written in several statements, back to back).
MAX_ROWS = 64

# (flow_id, key, contact address, channel address, params adapted for psycopg): ``sql.ROW_FIELDS``
Row = tuple[int, str, str, str, Any]


class GroupedInserts:
    """One per process and event loop; ``pool`` lends psycopg async autocommit connections."""

    def __init__(self, pool: Any, redis: Any) -> None:
        self.pool = pool
        self.redis = redis
        self.queue: list[tuple[Row, asyncio.Future[bool]]] = []
        self.flusher: asyncio.Task[None] | None = None

    async def record(self, row: Row) -> bool:
        """True when this request recorded the event, False when its key was recorded before
        (a redelivery). Raises when the INSERT failed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        self.queue.append((row, future))
        if self.flusher is None:
            self.flusher = loop.create_task(self._flush_all())
        return await future

    async def _flush_all(self) -> None:
        try:
            while self.queue:
                group, self.queue = self.queue[:MAX_ROWS], self.queue[MAX_ROWS:]
                await self._flush(group)
        finally:
            self.flusher = None

    async def _flush(self, group: list[tuple[Row, asyncio.Future[bool]]]) -> None:
        try:
            inserted = await self._insert([row for row, _ in group])
        except Exception as exc:  # noqa: BLE001 - handed to each waiting request
            for _, future in group:
                if not future.done():
                    future.set_exception(exc)
            return
        if inserted:  # committed (autocommit) before the kick: see executions.inbound.drain
            try:
                await drain.kick_async(self.redis)
            except Exception:  # noqa: BLE001 - the rows are committed; rescue() drains them
                log.exception("could not kick the inbound drain; the sweeper will")
        for (flow_id, key, *_), future in group:
            if not future.done():  # a request whose client went away was cancelled
                future.set_result((flow_id, key) in inserted)

    async def _insert(self, rows: list[Row]) -> set[tuple[int, str]]:
        statement = sql.inbound_insert(len(rows))
        params = [value for row in rows for value in row]
        async with self.pool.connection() as conn:
            cursor = await conn.execute(statement, params)
            return {(flow_id, key) for flow_id, key in await cursor.fetchall()}
