"""A call's execution kept in Redis between its turns; its rows written after the answer.

Issue 17: every turn of a call used to read the execution from PostgreSQL, run it, and write it
back (the row, its steps, their path counts) before answering, while the caller heard silence.
With ``STUDIO["VOICE_HOT_CALLS"]`` (on in the production topology: Redis and PostgreSQL) a call
is *hot* from its first turn (``turns.handle_call``: a new call whose CallSid is its session has
its execution's INSERT queued like any later turn's rows, ``begin``; other calls are inserted,
then kept here, ``start``):

- its row, as the last turn left it, is kept in Redis (``hot:{pk}``: the row's JSON and a
  version), with the execution sid and the CallSid pointing at it;
- a later turn reads it there (one round trip), runs the engine in memory, and commits with one
  compare-and-set on the version that also appends the turn's rows (the execution's new state,
  its steps) to the write-behind queue (``executions.voice.behind``), whose flusher writes many
  turns' rows to PostgreSQL in one statement a few milliseconds later;
- the step snapshots and path counts are the same rows the synchronous write makes, stamped
  with the turn's time.

PostgreSQL stays the record for everything else. Whoever else changes an execution (the REST
API, a timer, a conflicting turn, a retried incoming call) goes through ``store.lock``, which
first *cools* it: deletes its hot state (a turn that read it can no longer commit) and waits
until the queue holds none of its rows, so the row it then locks is current. A turn whose run
needs anything but its own row and steps (a message, a timer, a request parked on the network,
a statement that writes) is not committed here: the execution is cooled and the turn runs again
on the synchronous path, where it always ran.

What a reader of PostgreSQL sees meanwhile: a call's steps and state a few milliseconds after
the caller heard them (as Twilio's own Executions API, which is eventually consistent).

Redis becomes part of a live call's record. While it does not answer, a hot call's later turns
are answered with an error (a new call still starts: its row is written before the answer). If it
loses its data (a restart without persistence), calls go on from PostgreSQL's rows, which lack
only the turns still queued at that moment (at most a flush's worth, ~20 ms: such a call's next
turn finds its ``Seq`` stale and the caller hears nothing more). Without hot calls, a call needs
no Redis.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from redis.exceptions import RedisError

from executions.engine import revisions
from executions.engine.writes import _converters, _rows_json
from executions.models import Execution, Step
from studio.conf import studio_settings
from studio.models import Flow

log = logging.getLogger(__name__)

PREFIX = "studio:voice"
QUEUE = f"{PREFIX}:writes"
PENDING = f"{PREFIX}:pending"
# A call quiet for longer than this (no turn) reads its row from PostgreSQL again.
TTL_MS = 15 * 60 * 1000
# An ended execution's state is kept this long (its call's status callback reads nothing else).
ENDED_TTL_MS = 60 * 1000


def _ttl(execution: Execution) -> int:
    return TTL_MS if execution.is_active else ENDED_TTL_MS


SEPARATOR = "\x1e"


_enabled: list[Any] = [None, False]  # (the settings object it was worked out for, the answer)


def enabled() -> bool:
    """Hot calls need Redis and PostgreSQL (the flusher's statement is PostgreSQL's); worked out
    once per settings object (``override_settings`` installs a new one)."""
    current = settings._wrapped  # type: ignore[misc]  # LazySettings' settings object
    if _enabled[0] is not current:
        _enabled[1] = (
            bool(studio_settings.VOICE_HOT_CALLS)
            and bool(settings.REDIS_URL)
            and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
        )
        _enabled[0] = current
    return bool(_enabled[1])


def _hot_key(pk: int | str) -> str:
    return f"{PREFIX}:hot:{pk}"


_redis: list[Any] = []


def _client() -> Any:
    if not _redis:
        import redis  # on use: embedded mode (no REDIS_URL) never needs a client

        _redis.append(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5))
    return _redis[0]


# KEYS: the sid's or CallSid's pointer. Returns {pk, version, row, account, flow, pending}.
_LOAD = """
local pk = redis.call('GET', KEYS[1])
if not pk then return false end
local found = redis.call('HMGET', ARGV[1] .. ':hot:' .. pk, 'v', 's', 'a', 'f')
local pending = redis.call('HGET', ARGV[2], pk) or '0'
return {pk, found[1] or false, found[2] or false, found[3] or false, found[4] or false, pending}
"""
# KEYS: hot key, queue, pending hash. ARGV: expected version, new row, steps, ttl, pk, separator.
# The queued record: "pk<sep>row<sep>steps" (``behind.write``).
_COMMIT = """
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tostring(tonumber(ARGV[1]) + 1), 's', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('RPUSH', KEYS[2], ARGV[5] .. ARGV[6] .. ARGV[2] .. ARGV[6] .. ARGV[3])
redis.call('HINCRBY', KEYS[3], ARGV[5], 1)
return 1
"""
# KEYS: the CallSid's pointer, hot key, the sid's pointer, queue, pending hash. ARGV: pk, row,
# steps, account, flow, ttl, separator. A new call's execution, its INSERT queued ("+" marks a
# record whose row is new); the pk of the call's execution when the CallSid has one already.
_BEGIN = """
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
local ttl = tonumber(ARGV[6])
redis.call('SET', KEYS[1], ARGV[1], 'PX', 2 * ttl)
redis.call('HSET', KEYS[2], 'v', '0', 's', ARGV[2], 'a', ARGV[4], 'f', ARGV[5])
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('SET', KEYS[3], ARGV[1], 'PX', 2 * ttl)
redis.call('RPUSH', KEYS[4], '+' .. ARGV[1] .. ARGV[7] .. ARGV[2] .. ARGV[7] .. ARGV[3])
redis.call('HINCRBY', KEYS[5], ARGV[1], 1)
return 0
"""
# KEYS: hot key, the sid's pointer, the CallSid's pointer. ARGV: row, account, flow, ttl, pk.
_START = """
redis.call('HSET', KEYS[1], 'v', '0', 's', ARGV[1], 'a', ARGV[2], 'f', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SET', KEYS[2], ARGV[5], 'PX', 2 * tonumber(ARGV[4]))
redis.call('SET', KEYS[3], ARGV[5], 'PX', 2 * tonumber(ARGV[4]))
return 1
"""
# KEYS: hot key, pending hash. ARGV: pk. Returns how many of its rows are still queued.
_COOL = """
redis.call('DEL', KEYS[1])
return tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
"""
# KEYS: the sid's pointer, pending hash. ARGV: prefix. As ``_COOL``, found by the sid.
_COOL_SID = """
local pk = redis.call('GET', KEYS[1])
if not pk then return 0 end
redis.call('DEL', ARGV[1] .. ':hot:' .. pk)
return tonumber(redis.call('HGET', KEYS[2], pk) or '0')
"""

_scripts: dict[str, Any] = {}


def _script(source: str) -> Any:
    script = _scripts.get(source)
    if script is None:
        script = _scripts[source] = _client().register_script(source)
    return script


# -- the row as JSON (the same JSON the synchronous write's rows are made of) -------------------

_ROW_FIELDS = [f for f in Execution._meta.concrete_fields if not f.primary_key]
_ATTNAMES = [Execution._meta.pk.attname, *(f.attname for f in _ROW_FIELDS)]
_DATES = frozenset(f.attname for f in _ROW_FIELDS if f.get_internal_type() == "DateTimeField")
_STEP_FIELDS = [f for f in Step._meta.concrete_fields if not f.primary_key]
_STEP_RELATIONS = [f for f in _STEP_FIELDS if f.is_relation]
_row_converters: list[Any] = []
_step_converters: list[Any] = []


def row_json(execution: Execution) -> str:
    """The execution's row as the one-element JSON array the flusher's statement reads."""
    if not _row_converters:
        _row_converters.extend(_converters(_ROW_FIELDS))
    return _rows_json([execution], _row_converters, adding=False)


def steps_json(steps: list[Step]) -> str:
    if not steps:
        return "[]"
    if not _step_converters:
        _step_converters.extend(_converters(_STEP_FIELDS))
    for step in steps:  # the execution's id (known: a hot execution has been inserted)
        cast(Any, step)._prepare_related_fields_for_save(operation_name="bulk_create", fields=_STEP_RELATIONS)
    return _rows_json(steps, _step_converters, adding=True)


@dataclass
class Hot:
    """A hot execution as a turn read it."""

    pk: int
    version: str
    row: str  # ``row_json``
    account_sid: str
    flow_sid: str
    pending: int

    @property
    def active(self) -> bool:
        return bool(json.loads(self.row)[0].get("status") == Execution.Status.ACTIVE)

    def execution(self, flow: Flow) -> Execution:
        """The row as a model instance, with ``flow`` (and its account) and the revision from memory."""
        values = json.loads(self.row)[0]
        for name in _DATES:
            text = values.get(name)
            if text is not None:
                values[name] = dt.datetime.fromisoformat(text)
        execution = Execution.from_db(DEFAULT_DB_ALIAS, _ATTNAMES, [values.get(a) for a in _ATTNAMES])
        execution.flow = flow
        execution.account = flow.account
        execution.revision = revisions.by_id(execution.revision_id)
        return execution


def _decode(found: Any) -> tuple[Hot | None, int]:
    """(the hot execution, or None; its rows still queued) from ``_LOAD``'s answer."""
    if not found:
        return None, 0
    pk, version, row, account, flow, pending = found
    queued = int(pending or 0)
    if not version or not row:
        return None, queued
    return Hot(int(pk), version.decode(), row.decode(), account.decode(), flow.decode(), queued), queued


def load(execution_sid: str) -> tuple[Hot | None, int]:
    """The execution an action URL names, if hot; and how many of its rows are still queued."""
    return _decode(_script(_LOAD)(keys=[f"{PREFIX}:sid:{execution_sid}"], args=[PREFIX, PENDING]))


def load_for_call(call_sid: str) -> tuple[Hot | None, int]:
    return _decode(_script(_LOAD)(keys=[f"{PREFIX}:call:{call_sid}"], args=[PREFIX, PENDING]))


def start(execution: Execution, call_sid: str) -> None:
    """After the incoming call's INSERT committed: later turns find the row in Redis. Should
    Redis not answer, the call goes on without it: its row in PostgreSQL is current, and its
    later turns take the synchronous path (once Redis answers their look-up)."""
    pk = execution.pk
    try:
        _script(_START)(
            keys=[_hot_key(pk), f"{PREFIX}:sid:{execution.sid}", f"{PREFIX}:call:{call_sid}"],
            args=[row_json(execution), execution.account.sid, execution.flow.sid, _ttl(execution), pk],
        )
    except RedisError:
        log.warning("hot calls: Redis did not take the call's row; its turns go to PostgreSQL", exc_info=True)


def begin(execution: Execution, call_sid: str, steps: list[Step]) -> int | None:
    """A new call's execution (its pk given, not yet in PostgreSQL): hot from its first turn,
    its INSERT queued with its steps. None when done; the pk of the call's execution when the
    CallSid already has one (Twilio asked again): nothing was written."""
    pk = execution.pk
    found = _script(_BEGIN)(
        keys=[f"{PREFIX}:call:{call_sid}", _hot_key(pk), f"{PREFIX}:sid:{execution.sid}", QUEUE, PENDING],
        args=[
            pk,
            row_json(execution),
            steps_json(steps),
            execution.account.sid,
            execution.flow.sid,
            _ttl(execution),
            SEPARATOR,
        ],
    )
    return None if found == 0 else int(found)


def commit(hot: Hot, execution: Execution, steps: list[Step]) -> bool:
    """Save a turn: the new row in Redis and the turn's rows queued, if nobody committed since
    ``hot`` was read (else nothing is written: False)."""
    done = _script(_COMMIT)(
        keys=[_hot_key(hot.pk), QUEUE, PENDING],
        args=[hot.version, row_json(execution), steps_json(steps), _ttl(execution), hot.pk, SEPARATOR],
    )
    return bool(done)


def drop(pk: int) -> int:
    """Delete the execution's hot state (no turn commits it in Redis any more); how many of its
    rows are still queued (``behind.cool`` waits for them)."""
    return int(_script(_COOL)(keys=[_hot_key(pk), PENDING], args=[pk]) or 0)


# KEYS: the sids' pointers. ARGV: the pending hash. How many of the executions' rows are queued.
_QUEUED_SIDS = """
local queued = 0
for i = 1, #KEYS do
  local pk = redis.call('GET', KEYS[i])
  if pk then queued = queued + tonumber(redis.call('HGET', ARGV[1], pk) or '0') end
end
return queued
"""


def queued_sids(execution_sids: list[str]) -> int:
    """How many rows of these executions are still queued (one round trip)."""
    keys = [f"{PREFIX}:sid:{sid}" for sid in execution_sids]
    return int(_script(_QUEUED_SIDS)(keys=keys, args=[PENDING]) or 0) if keys else 0


def drop_sid(execution_sid: str) -> int:
    """``drop`` for an execution known by its sid."""
    return int(_script(_COOL_SID)(keys=[f"{PREFIX}:sid:{execution_sid}", PENDING], args=[PREFIX]) or 0)
