"""What runs write, gathered and written in a few statements.

Every run of the engine saves through a ``Writes``: the execution's new state, its steps, the
messages it sent, the wait it armed, and the effects to apply after commit. A single run (REST,
voice, a timeout) flushes its own ``Writes`` at once; an inbound batch (``executions.inbound.batch``)
shares one across all its events and flushes it once, so a hundred executions cost about ten
statements instead of a thousand.

Order of the flush: existing executions' updates before new executions' inserts (an execution
that just ended frees its contact pair for a new one: one active execution per pair), then the
rows that point at executions (messages, steps, waits), and the steps' path counts
(``executions.engine.path_counts``: one upsert per flush).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from executions.engine import network, oneshot, path_counts, planned
from executions.engine.ports import ports
from executions.models import Execution, Message, Step, Wait

# Columns the engine changes on an existing execution (``store.save``).
STATE_COLUMNS = (
    "context",
    "status",
    "current_widget",
    "wait_state",
    "step_count",
    "last_widget",
    "repeat_count",
    "log",
    "date_ended",
    "date_updated",
)
# Set on an execution read without a lock (``expect_unchanged``): its UPDATE applies only if
# the row is still as read, else ``Conflict`` (nothing written).
READ_AS = "_studio_read_as"


class Conflict(Exception):
    """An execution read without a lock changed before its run was saved: nothing was written
    (the caller runs the event again under the row lock)."""


def expect_unchanged(execution: Execution) -> None:
    """Save ``execution`` only if nobody saved it since it was read (its step count and
    ``date_updated``, which every save changes)."""
    setattr(execution, READ_AS, (execution.step_count, execution.date_updated))


def _unchanged_condition(obj: Any) -> tuple[str, list[Any]]:
    """The WHERE condition of ``expect_unchanged`` (empty for a row read under its lock)."""
    read_as = getattr(obj, READ_AS, None)
    if read_as is None:
        return "", []
    step_count, date_updated = read_as
    sql, updated = _unchanged_sql(obj._meta)
    return sql, [step_count, updated.get_db_prep_value(date_updated, connections[DEFAULT_DB_ALIAS])]


_UNCHANGED_SQL: dict[tuple[str, str], tuple[str, Any]] = {}


def _unchanged_sql(meta: Any) -> tuple[str, Any]:
    key = (connection.vendor, meta.label)
    cached = _UNCHANGED_SQL.get(key)
    if cached is None:
        quote = connection.ops.quote_name
        updated = meta.get_field("date_updated")
        sql = f" AND {quote(meta.get_field('step_count').column)} = %s AND {quote(updated.column)} = %s"
        cached = _UNCHANGED_SQL[key] = (sql, updated)
    return cached


@dataclass
class Writes:
    inserts: list[Execution] = field(default_factory=list)
    updates: list[Execution] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    waits: list[Wait] = field(default_factory=list)
    # Existing executions whose waits other than this token are stale (deleted at flush).
    kept_tokens: list[tuple[Execution, str]] = field(default_factory=list)
    # Messages handed to their provider after commit: (provider, messages).
    inline: list[tuple[Any, list[Message]]] = field(default_factory=list)
    queued_sids: list[str] = field(default_factory=list)
    # Live step events after commit: (flow sid, execution sid, payloads).
    published: list[tuple[str, str, list[dict[str, Any]]]] = field(default_factory=list)
    # The execution events among them, with their execution (dates stamped at flush).
    lifecycle: list[tuple[Execution, dict[str, Any]]] = field(default_factory=list)
    # Widgets parked on the network: their requests are made after commit (engine/network.py).
    parked: list[network.Parked] = field(default_factory=list)

    def flush(self) -> None:
        """Write everything gathered (inside the caller's transaction); effects go on_commit."""
        now = timezone.now()
        for execution in self.updates:
            execution.date_updated = now
        if not self._flush_one_run(now):
            update_rows(self.updates, STATE_COLUMNS)
            insert_rows(self.inserts)
            insert_rows(self.messages)
            # The steps' path counts: inside their INSERT on PostgreSQL, a trigger on SQLite.
            insert_rows(self.steps, with_statement=path_counts.upsert_cte(self.steps, now))
            if self.kept_tokens:
                stale = Q()
                for execution, token in self.kept_tokens:
                    stale |= Q(execution_id=execution.pk) & ~Q(token=token)
                Wait.objects.filter(stale).delete()
            insert_rows(self.waits)
        self.hand_over()

    def hand_over(self) -> None:
        """The effects of the rows (written, or committed elsewhere: a hot call's turn), after
        commit: dispatches, live events, requests parked on the network."""
        self._stamp_published()
        effects = _Effects(self.inline, self.queued_sids, self.published)
        if effects:
            transaction.on_commit(effects)
        if self.parked:
            transaction.on_commit(partial(network.after_commit, list(self.parked)))

    def _flush_one_run(self, now: Any) -> bool:
        """PostgreSQL, one execution's run that wrote only its own row and steps (a voice
        turn): one statement, the execution's INSERT or UPDATE and the steps' INSERT with their
        path counts (data-modifying WITH); committed alone when nothing else ran in the
        transaction (``oneshot``). False for anything else (the general flush)."""
        if connection.vendor != "postgresql" or not self.steps or self.messages or self.waits:
            return False
        if self.kept_tokens or len(self.updates) + len(self.inserts) != 1:
            return False
        owner = (self.updates or self.inserts)[0]
        if any(step.execution is not owner for step in self.steps):
            return False
        if oneshot.possible():
            with oneshot.committing():
                _write_run(owner, self.steps, now, adding=bool(self.inserts))
        else:
            _write_run(owner, self.steps, now, adding=bool(self.inserts))
        return True

    def _stamp_published(self) -> None:
        """The live events carry their step's (execution's) dates, known once the rows are written."""
        created = {s.sid: s.date_created for s in self.steps if s.date_created is not None}
        for _flow, _execution, payloads in self.published:
            for payload in payloads:
                when = created.get(payload.get("step_sid", ""))
                if when is not None:
                    payload["date_created"] = when.isoformat()
        for execution, payload in self.lifecycle:
            began = execution.date_created.isoformat() if execution.date_created else None
            payload["date_created"] = began
            if payload["event"] == "started":  # as it was when it started, whatever the run did next
                payload["date_updated"] = began
                continue
            payload["date_updated"] = execution.date_updated.isoformat() if execution.date_updated else None
            payload["date_ended"] = execution.date_ended.isoformat() if execution.date_ended else None


@dataclass
class _Effects:
    inline: list[tuple[Any, list[Message]]]
    queued_sids: list[str]
    published: list[tuple[str, str, list[dict[str, Any]]]]

    def __bool__(self) -> bool:
        return bool(self.inline or self.queued_sids or self.published)

    def __call__(self) -> None:
        handed = ports()
        by_provider: dict[str, tuple[Any, list[Message]]] = {}
        for provider, messages in self.inline:  # one hand-over per provider for the whole batch
            by_provider.setdefault(provider.name, (provider, []))[1].extend(messages)
        for provider, messages in by_provider.values():
            handed.dispatch_inline(provider, messages)
        if self.queued_sids:
            handed.queue_dispatch(self.queued_sids)
        if self.published:
            handed.publish_steps(self.published)


# Field types whose Python value is already what the JSON row needs (no per-value prep call).
_AS_IS = {
    "JSONField",
    "CharField",
    "TextField",
    "IntegerField",
    "PositiveIntegerField",
    "BigIntegerField",
    "BigAutoField",
    "BooleanField",
}


def _converter(field: Any) -> Any:
    """How a field's value goes into the JSON rows ``jsonb_populate_recordset`` reads back."""
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if kind in _AS_IS:
        return None
    if kind in ("DateTimeField", "DateField"):
        return lambda value: value.isoformat() if value is not None else None
    return lambda value: field.get_db_prep_save(value, connection)


def _converters(fields: list[Any]) -> list[tuple[Any, str, Any]]:
    return [(f, f.column, _converter(f)) for f in fields]


# A model instance's ``__dict__`` entry: {attname: (value, its JSON text)} (``encoded_as``).
ENCODED = "_studio_encoded"


def encoded_as(obj: Any, attname: str, text: str) -> None:
    """``text`` is the JSON of ``obj.<attname>`` as it is now: its JSON row (``_rows_json``)
    takes the text instead of encoding the value again, as long as the attribute still holds
    the same object (the value must not be changed in place meanwhile)."""
    obj.__dict__.setdefault(ENCODED, {})[attname] = (getattr(obj, attname), text)


def _rows_json(objs: list[Any], converters: list[tuple[Any, str, Any]], *, adding: bool) -> str:
    rows: list[str | dict[str, Any]] = []
    spliced = False
    for obj in objs:
        row = {"id": obj.pk} if not adding else {}
        known = obj.__dict__.get(ENCODED)
        texts: list[str] = []
        for f, column, convert in converters:
            value = f.pre_save(obj, True) if adding else getattr(obj, f.attname)
            if known is not None:
                kept = known.get(f.attname)
                if kept is not None and kept[0] is value:
                    texts.append(f"{json.dumps(column)}:{kept[1]}")
                    continue
            row[column] = value if convert is None else convert(value)
        if texts:
            spliced = True
            plain = json.dumps(row, separators=(",", ":"))
            rows.append("{" + ",".join([*([plain[1:-1]] if row else []), *texts]) + "}")
        else:
            rows.append(row)
    if not spliced:
        return json.dumps(rows, separators=(",", ":"))
    return (
        "[" + ",".join(r if isinstance(r, str) else json.dumps(r, separators=(",", ":")) for r in rows) + "]"
    )


def update_rows(objs: list[Any], columns: tuple[str, ...]) -> None:
    """Save ``columns`` of model instances (all of one model) in one statement on PostgreSQL.

    The rows travel as one JSON parameter read by ``jsonb_populate_recordset`` (typed by the
    table itself): Django's bulk_update builds a CASE per column and row, and a VALUES list
    makes psycopg parse a query with thousands of placeholders; both cost more than the rest of
    a batch. Elsewhere: Django's bulk_update (a save for a single row)."""
    if not objs:
        return
    if len(objs) == 1:
        _update_one(objs[0], columns)
        return
    if connection.vendor != "postgresql":
        type(objs[0]).objects.bulk_update(objs, list(columns))
        return
    meta = objs[0]._meta
    fields = [meta.get_field(c) for c in columns]
    sets = ", ".join(f"{f.column} = v.{f.column}" for f in fields)
    sql = (
        f"UPDATE {meta.db_table} AS t SET {sets} "
        f"FROM jsonb_populate_recordset(NULL::{meta.db_table}, %s::jsonb) AS v WHERE t.id = v.id"
    )
    with planned.cursor() as cursor:
        cursor.execute(sql, [_rows_json(objs, _converters(fields), adding=False)])


_UPDATE_SQL: dict[tuple[str, str, tuple[str, ...]], tuple[str, list[Any]]] = {}


def _update_one(obj: Any, columns: tuple[str, ...]) -> None:
    """``obj.save(update_fields=columns)`` without building the UPDATE each time (a voice turn
    saves one execution per request): the statement is made once per model and columns, the
    values prepared as ``save`` prepares them (``pre_save``: ``auto_now`` dates). No model
    signals are connected to the engine's models, so none are skipped."""
    meta = obj._meta
    key = (connection.vendor, meta.label, columns)
    cached = _UPDATE_SQL.get(key)
    if cached is None:
        fields = [meta.get_field(c) for c in columns]
        sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
        pk_column = connection.ops.quote_name(meta.pk.column)
        cached = (
            f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {sets} WHERE {pk_column} = %s",
            fields,
        )
        _UPDATE_SQL[key] = cached
    sql, fields = cached
    values = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in fields]
    unchanged, unchanged_params = _unchanged_condition(obj)
    with planned.cursor() as cursor:
        cursor.execute(sql + unchanged, [*values, obj.pk, *unchanged_params])
        if cursor.rowcount == 0:
            if unchanged:
                raise Conflict(getattr(obj, "sid", obj.pk))
            raise DatabaseError("Save with update_fields did not affect any rows.")
    if unchanged:
        expect_unchanged(obj)  # as saved: a second save in this transaction expects it


@dataclass(frozen=True)
class _RunStatement:
    """A turn's one statement, built once per (models, insert or update, read-as check)."""

    sql: str
    owner_fields: list[Any]
    owner_preps: list[tuple[Any, str]]  # the updated execution's columns: (field, internal type)
    owner_converters: list[tuple[Any, str, Any]]  # the inserted execution's JSON row
    step_converters: list[tuple[Any, str, Any]]
    step_relations: list[Any]  # the step's relations other than its execution


_RUN_SQL: dict[tuple[str, str, str, bool, str], _RunStatement] = {}


def _run_statement(meta: Any, step_meta: Any, *, adding: bool, unchanged: str) -> _RunStatement:
    key = (connection.vendor, meta.label, step_meta.label, adding, unchanged)
    compiled = _RUN_SQL.get(key)
    if compiled is not None:
        return compiled
    quote = connection.ops.quote_name
    step_fields = [f for f in step_meta.concrete_fields if not f.primary_key]
    step_columns = ", ".join(quote(f.column) for f in step_fields)
    owner_field = step_meta.get_field("execution")
    if adding:
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        columns = ", ".join(quote(f.column) for f in fields)
        owner_sql = (
            f"INSERT INTO {meta.db_table} ({columns}) SELECT {columns} "
            f"FROM jsonb_populate_recordset(NULL::{meta.db_table}, %s::jsonb) RETURNING id"
        )
        condition = ""
    else:
        fields = [meta.get_field(c) for c in STATE_COLUMNS]
        sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        owner_sql = f"UPDATE {meta.db_table} SET {sets} WHERE id = %s{unchanged} RETURNING id"
        condition = " WHERE EXISTS (SELECT 1 FROM owner)"
    selected = ", ".join(
        "(SELECT id FROM owner)" if f is owner_field else quote(f.column) for f in step_fields
    )
    sql = (
        f"WITH owner AS ({owner_sql}), "
        f"added AS (INSERT INTO {step_meta.db_table} ({step_columns}) SELECT {selected} "
        f"FROM jsonb_populate_recordset(NULL::{step_meta.db_table}, %s::jsonb){condition} RETURNING id), "
        f"counted AS ({path_counts.upsert_sql(condition)}) "
        "SELECT (SELECT id FROM owner), COALESCE((SELECT array_agg(id ORDER BY id) FROM added), '{}')"
    )
    compiled = _RunStatement(
        sql=sql,
        owner_fields=fields,
        owner_preps=[(f, f.get_internal_type()) for f in fields],
        owner_converters=_converters(fields) if adding else [],
        step_converters=_converters(step_fields),
        step_relations=[f for f in step_fields if f.is_relation and f is not owner_field],
    )
    _RUN_SQL[key] = compiled
    return compiled


_INTEGERS = {"IntegerField", "PositiveIntegerField", "BigIntegerField", "SmallIntegerField"}


def _prep_save(field: Any, kind: str, value: Any, db: Any) -> Any:
    """``field.get_db_prep_save(value, db)`` for the values an engine's save holds (a str, an
    int, an aware datetime, a dict or list for JSON, None): the backend's own adaptation
    without the field's generic steps; anything else through ``get_db_prep_save``."""
    if value is None:
        return None
    plain = type(value)
    if plain is str and kind in ("CharField", "TextField"):
        return value
    if plain is int and kind in _INTEGERS:
        return db.ops.adapt_integerfield_value(value, kind)
    if kind == "JSONField" and plain in (dict, list):
        return db.ops.adapt_json_value(value, field.encoder)
    if kind == "DateTimeField" and isinstance(value, dt.datetime) and value.tzinfo is not None:
        return db.ops.adapt_datetimefield_value(value)
    return field.get_db_prep_save(value, db)


def _write_run(execution: Any, steps: list[Any], now: Any, *, adding: bool) -> None:
    """An execution (inserted, or updated: ``STATE_COLUMNS``) and its new steps, one statement
    (its SQL built once: ``_run_statement``)."""
    unchanged, unchanged_params = ("", []) if adding else _unchanged_condition(execution)
    run = _run_statement(execution._meta, steps[0]._meta, adding=adding, unchanged=unchanged)
    for step in steps:  # the execution's id is known in the statement only (a new one)
        step._prepare_related_fields_for_save(operation_name="bulk_create", fields=run.step_relations)
    if adding:
        execution._prepare_related_fields_for_save(operation_name="save")
        owner_params: list[Any] = [_rows_json([execution], run.owner_converters, adding=True)]
    else:
        db = connections[DEFAULT_DB_ALIAS]  # the proxy's lookup once, not per field
        owner_params = [
            *(_prep_save(f, kind, f.pre_save(execution, False), db) for f, kind in run.owner_preps),
            execution.pk,
            *unchanged_params,
        ]
    params = [
        *owner_params,
        _rows_json(steps, run.step_converters, adding=True),
        *path_counts.upsert_params(steps, now),
    ]
    with planned.cursor() as cursor:
        cursor.execute(run.sql, params)
        row = cursor.fetchone()
    owner_id, step_ids = row if row is not None else (None, [])
    if owner_id is None:
        raise Conflict(execution.sid)
    if adding:
        execution.pk = owner_id
        execution._state.adding = False
        execution._state.db = connection.alias
    elif getattr(execution, READ_AS, None) is not None:
        expect_unchanged(execution)  # as saved: a second save in this transaction expects it
    # The sequence numbers the rows in the order they were produced: ascending ids.
    for step, pk in zip(steps, step_ids, strict=True):
        step.pk = pk
        step.execution = execution
        step._state.adding = False
        step._state.db = connection.alias


def insert_rows(
    objs: list[Any], *, ignore_conflicts: bool = False, with_statement: tuple[str, list[Any]] | None = None
) -> None:
    """``bulk_create`` for one model's new instances in one statement on PostgreSQL, the rows
    as one JSON parameter (see ``update_rows``; Django 5.2's ``UNNEST`` inserts made psycopg
    quote every array element with a regex, a quarter of a batch's CPU). Fields are prepared as
    ``save()`` prepares them (``pre_save``: the auto_now dates; related objects saved meanwhile
    give their ids). ``with_statement`` (SQL, params): another INSERT run by the same statement
    (PostgreSQL's data-modifying WITH; the path counts of the steps). Elsewhere: bulk_create."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, ignore_conflicts=ignore_conflicts)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    sql = (
        f"INSERT INTO {meta.db_table} ({columns}) SELECT {columns} "
        f"FROM jsonb_populate_recordset(NULL::{meta.db_table}, %s::jsonb){conflict} RETURNING id"
    )
    params: list[Any] = [_rows_json(objs, _converters(fields), adding=True)]
    if with_statement is not None:
        # The rows come back through the CTE in the order the INSERT returned them.
        sql = f"WITH added AS ({sql}), counted AS ({with_statement[0]}) SELECT id FROM added"
        params = [*params, *with_statement[1]]
    with planned.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [r[0] for r in cursor.fetchall()]
    if ignore_conflicts:
        return  # which rows were skipped is not known: ids are not assigned
    # Rows come back in the order the set-returning function produced them (as Django assumes
    # for its own multi-row inserts).
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
