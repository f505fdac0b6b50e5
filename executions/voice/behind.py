"""The write-behind queue of hot calls (``executions.voice.hot``): turns' rows into PostgreSQL.

A hot turn appends one record to a Redis list: the execution's id, its row as the turn left it,
and the turn's new steps. A flusher thread in each process that serves calls (started on first
use) writes them: under a Redis lock (one flusher at a time, so the list's order is the write
order and steps keep ascending ids per execution), it reads up to ``BATCH`` records, writes them
in one statement in its own transaction, and only then removes them from the list and lowers
their executions' pending counts (one script). A flusher that dies holding records leaves them
in the list; the lock lapses and the next flusher writes them again, which changes nothing:

- an execution's row is updated to the newest state of the batch, and only if the row is older
  (step count, then ``date_updated``): a record written twice, or after the execution moved on
  on the synchronous path, is skipped;
- steps are inserted ``ON CONFLICT (sid) DO NOTHING``, and only the steps inserted are counted
  in the path counts (in the same statement), so neither is doubled.

A statement that fails (an execution deleted meanwhile: its flow or account removed) is retried
record by record; a record that still fails is dropped with an error in the log, so one bad
record never stalls the queue.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from time import monotonic, sleep
from typing import Any, cast

from django.db import DataError, IntegrityError, close_old_connections, connection

from executions.engine import planned
from executions.engine.writes import STATE_COLUMNS
from executions.models import Execution, PathCount, Step
from executions.voice import hot
from executions.voice.hot import PENDING, PREFIX, QUEUE, SEPARATOR, _client, _script

log = logging.getLogger(__name__)

BATCH = 500
LOCK = f"{PREFIX}:writes:lock"
LOCK_TTL_MS = 30_000
# A woken flusher waits this long for more turns to share its statement (a caller never waits
# for it: only readers of PostgreSQL see the rows this much later).
GATHER_SECONDS = 0.05
# An idle flusher still looks this often (rows left by a process that died).
IDLE_SECONDS = 1.0
SETTLE_TIMEOUT_SECONDS = 5.0

# KEYS: queue, lock. ARGV: token, lock ttl, batch. 0: nothing queued; 1: another flusher holds
# the lock; else the first records, the lock taken.
_CLAIM = """
if redis.call('LLEN', KEYS[1]) == 0 then return 0 end
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[3]) - 1)
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# KEYS: queue, pending, lock. ARGV: token, count, lock ttl, batch, pks... The written records
# dropped (only by the lock's holder: a flusher whose lock lapsed leaves them to the one that
# took it over: -1); then the next records, the lock kept, or 0 with the lock let go.
_DONE = """
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return -1 end
redis.call('LTRIM', KEYS[1], tonumber(ARGV[2]), -1)
for i = 5, #ARGV do
  if redis.call('HINCRBY', KEYS[2], ARGV[i], -1) <= 0 then redis.call('HDEL', KEYS[2], ARGV[i]) end
end
local rest = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[4]) - 1)
if #rest == 0 then
  redis.call('DEL', KEYS[3])
  return 0
end
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return rest
"""


def _statement() -> str:
    ex = Execution._meta.db_table
    st = Step._meta.db_table
    pc = PathCount._meta.db_table
    columns: list[str] = [cast(Any, Execution._meta.get_field(c)).column for c in STATE_COLUMNS]
    sets = ", ".join(f"{c} = e.{c}" for c in columns)
    row_columns = ", ".join(str(f.column) for f in Execution._meta.concrete_fields)
    step_columns = ", ".join(str(f.column) for f in Step._meta.concrete_fields if not f.primary_key)
    return (
        # The newest row of each execution in the batch (records are in the order they were made).
        f"WITH e AS (SELECT DISTINCT ON (v.id) v.* FROM jsonb_array_elements(%s::jsonb) "
        f"WITH ORDINALITY AS r(j, n), jsonb_populate_record(NULL::{ex}, r.j) AS v "
        "ORDER BY v.id, r.n DESC), "
        # New calls' executions (their first record is in the batch): inserted as they are now.
        "fresh AS (SELECT value::bigint AS id FROM jsonb_array_elements_text(%s::jsonb)), "
        f"made AS (INSERT INTO {ex} ({row_columns}) SELECT {row_columns} FROM e "
        "WHERE e.id IN (SELECT id FROM fresh) ON CONFLICT (id) DO NOTHING RETURNING id), "
        f"owner AS (UPDATE {ex} AS t SET {sets} FROM e WHERE t.id = e.id "
        "AND (t.step_count, t.date_updated) < (e.step_count, e.date_updated) RETURNING t.id), "
        f"added AS (INSERT INTO {st} ({step_columns}) SELECT {step_columns} "
        f"FROM jsonb_populate_recordset(NULL::{st}, %s::jsonb) AS s "
        f"WHERE EXISTS (SELECT 1 FROM {ex} AS x WHERE x.id = s.execution_id) "
        "OR s.execution_id IN (SELECT id FROM made) "
        "ON CONFLICT (sid) DO NOTHING "
        "RETURNING execution_id, transitioned_from, name, transitioned_to, date_created), "
        f"counted AS (INSERT INTO {pc} (flow_id, revision, hour, from_widget, event, to_widget, shard, count) "
        "SELECT e.flow_id, e.flow_version, date_trunc('hour', a.date_created), a.transitioned_from, "
        "a.name, a.transitioned_to, %s, count(*) "
        "FROM added AS a JOIN e ON e.id = a.execution_id GROUP BY 1, 2, 3, 4, 5, 6 "
        "ORDER BY 1, 2, 3, 4, 5, 6 "
        "ON CONFLICT (flow_id, hour, revision, from_widget, event, to_widget, shard) "
        f"DO UPDATE SET count = {pc}.count + EXCLUDED.count) "
        "SELECT (SELECT count(*) FROM owner) + (SELECT count(*) FROM made), (SELECT count(*) FROM added)"
    )


_SQL: list[str] = []


def write(records: list[bytes]) -> tuple[int, int]:
    """Write records in one statement (in the caller's transaction): (rows written, steps added)."""
    rows: list[str] = []
    steps: list[str] = []
    fresh: list[str] = []
    for record in records:
        pk, row, added = record.decode().split(SEPARATOR, 2)
        if pk.startswith("+"):
            fresh.append(pk[1:])
        rows.append(row[1:-1])
        if added != "[]":
            steps.append(added[1:-1])
    if not _SQL:
        _SQL.append(_statement())
    shard = int.from_bytes(os.urandom(1), "big") % 8  # as path_counts.SHARDS: spread hot rows
    params = ["[" + ",".join(rows) + "]", "[" + ",".join(fresh) + "]", "[" + ",".join(steps) + "]", shard]
    with planned.cursor() as cursor:
        cursor.execute(_SQL[0], params)
        found = cursor.fetchone()
    return (int(found[0]), int(found[1])) if found else (0, 0)


def _pks(records: list[bytes]) -> list[str]:
    return [record.split(SEPARATOR.encode(), 1)[0].decode().lstrip("+") for record in records]


_ids: list[int] = []
_ids_pid: list[int] = [0]  # a block is never shared with a forked child
_ids_lock = threading.Lock()
ID_BLOCK = 64


def next_id() -> int:
    """An id for a new call's execution, taken from the table's own sequence (a block of them
    per process: one statement per ``ID_BLOCK`` calls), so its row can be written later."""
    with _ids_lock:
        if _ids_pid[0] != os.getpid():
            _ids.clear()
            _ids_pid[0] = os.getpid()
        if not _ids:
            table = Execution._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, ID_BLOCK],
                )
                _ids.extend(sorted((int(r[0]) for r in cursor.fetchall()), reverse=True))
        return _ids.pop()


class Flusher(threading.Thread):
    """This process's flusher: woken by a commit, or every ``IDLE_SECONDS``."""

    def __init__(self) -> None:
        super().__init__(name="voice-write-behind", daemon=True)
        self._wake = threading.Event()
        self._urgent = threading.Event()  # someone waits (``drain_now``): no gathering
        self._settled = threading.Condition()
        self._empty_seen = 0.0  # when the queue was last seen empty (every record before: written)
        self.pid = os.getpid()

    def wake(self) -> None:
        self._wake.set()

    def drain_now(self, timeout: float = SETTLE_TIMEOUT_SECONDS) -> bool:
        """Wait until every record queued before this call is written (False: timed out)."""
        asked = monotonic()
        deadline = asked + timeout
        with self._settled:
            self._urgent.set()
            self._wake.set()
            while self._empty_seen <= asked:
                left = deadline - monotonic()
                if left <= 0:
                    log.error("voice write-behind: rows still queued after %.1f s", timeout)
                    return False
                self._settled.wait(min(left, 0.05))
                self._wake.set()
        return True

    def run(self) -> None:
        while True:
            self._wake.wait(IDLE_SECONDS)
            self._wake.clear()
            self._urgent.wait(GATHER_SECONDS)
            self._urgent.clear()
            try:
                self._drain()
            except Exception:  # noqa: BLE001 - the thread must live on; the rows stay queued
                log.exception("voice write-behind: flush failed")
                close_old_connections()
                sleep(0.5)

    def _drain(self) -> None:
        while True:
            looked = monotonic()
            token = uuid.uuid4().hex
            claimed = _script(_CLAIM)(keys=[QUEUE, LOCK], args=[token, LOCK_TTL_MS, BATCH])
            if claimed == 1:
                sleep(0.002)  # another process is writing: its records leave the list when written
                continue
            while claimed not in (0, -1):
                try:
                    self._write(claimed)
                except BaseException:
                    _script(_RELEASE)(keys=[LOCK], args=[token])  # the records stay queued
                    raise
                looked = monotonic()
                claimed = _script(_DONE)(
                    keys=[QUEUE, PENDING, LOCK],
                    args=[token, len(claimed), LOCK_TTL_MS, BATCH, *_pks(claimed)],
                )
            if claimed == 0:  # the queue was empty when last looked at: all before it is written
                self._seen_empty(looked)
                return
            # -1: the lock lapsed meanwhile (a long statement); whoever took it over goes on

    def _write(self, records: list[bytes]) -> None:
        """Write the records; a record the database refuses (its execution deleted meanwhile)
        is dropped, logged. Any other error (the database unreachable) leaves them all queued."""
        try:
            write(records)  # one statement: atomic in autocommit, no BEGIN/COMMIT of its own
            return
        except (IntegrityError, DataError):
            log.warning("voice write-behind: a batch of %s failed; writing record by record", len(records))
        for record in records:
            try:
                write([record])
            except (IntegrityError, DataError):
                log.exception("voice write-behind: dropped the record of execution %s", _pks([record])[0])

    def _seen_empty(self, when: float) -> None:
        with self._settled:
            self._empty_seen = max(self._empty_seen, when)
            self._settled.notify_all()


_flusher: Flusher | None = None
_start_lock = threading.Lock()


def started() -> Flusher:
    """This process's flusher (a new one after a fork: threads do not survive it)."""
    global _flusher
    current = _flusher
    if current is not None and current.pid == os.getpid() and current.is_alive():
        return current
    with _start_lock:
        if _flusher is None or _flusher.pid != os.getpid() or not _flusher.is_alive():
            _flusher = Flusher()
            _flusher.start()
        return _flusher


def waiting() -> int:
    """Records not yet written (tests, metrics)."""
    return int(_client().llen(QUEUE))


def cool(pk: int) -> None:
    """Make PostgreSQL the execution's record again (``executions.voice.hot``): no turn commits
    it in Redis any more, and none of its rows is still queued when this returns."""
    if hot.enabled() and hot.drop(pk):
        settle()


def cool_sid(execution_sid: str) -> None:
    """``cool`` for an execution known by its sid (a turn on the synchronous path)."""
    if hot.enabled() and hot.drop_sid(execution_sid):
        settle()


def caught_up(*execution_sids: str) -> None:
    """Before executions are read by their sids (the Executions API, the console's bulk end and
    delete): their queued rows written, so that a reader sees what the caller heard (a call
    still hot stays hot)."""
    if not hot.enabled():
        return
    sids = [s for s in execution_sids if s.startswith("FN")]
    if sids and hot.queued_sids(sids):
        settle()


def settle() -> None:
    """Wait until every row queued so far is in PostgreSQL."""
    started().drain_now()
