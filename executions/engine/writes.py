"""What runs write, gathered and written in a few statements.

Every run of the engine saves through a ``Writes``: the execution's new state, its steps, the
messages it sent, the wait it armed, and the effects to apply after commit. A single run (REST,
voice, a timeout) flushes its own ``Writes`` at once; an inbound batch (``executions.batch``)
shares one across all its events and flushes it once, so a hundred executions cost about ten
statements instead of a thousand.

Order of the flush: existing executions' updates before new executions' inserts (an execution
that just ended frees its contact pair for a new one: one active execution per pair), then the
rows that point at executions (messages, steps, waits).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

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
_JSON_COLUMNS = {"context", "wait_state", "log"}


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
    after: list[Callable[[], None]] = field(default_factory=list)

    def flush(self) -> None:
        """Write everything gathered (inside the caller's transaction); effects go on_commit."""
        now = timezone.now()
        for execution in self.updates:
            execution.date_updated = now
        _update_executions(self.updates)
        if self.inserts:
            Execution.objects.bulk_create(self.inserts)
        if self.messages:
            Message.objects.bulk_create(self.messages)
        if self.steps:
            Step.objects.bulk_create(self.steps)
        if self.kept_tokens:
            stale = Q()
            for execution, token in self.kept_tokens:
                stale |= Q(execution_id=execution.pk) & ~Q(token=token)
            Wait.objects.filter(stale).delete()
        if self.waits:
            Wait.objects.bulk_create(self.waits)
        effects = _Effects(self.inline, self.queued_sids, self.published, self.after)
        if effects:
            transaction.on_commit(effects)


@dataclass
class _Effects:
    inline: list[tuple[Any, list[Message]]]
    queued_sids: list[str]
    published: list[tuple[str, str, list[dict[str, Any]]]]
    after: list[Callable[[], None]]

    def __bool__(self) -> bool:
        return bool(self.inline or self.queued_sids or self.published or self.after)

    def __call__(self) -> None:
        from executions import events, tasks
        from executions.engine.store import dispatch_inline

        by_provider: dict[str, tuple[Any, list[Message]]] = {}
        for provider, messages in self.inline:  # one hand-over per provider for the whole batch
            by_provider.setdefault(provider.name, (provider, []))[1].extend(messages)
        for provider, messages in by_provider.values():
            dispatch_inline(provider, messages)
        for sid in self.queued_sids:
            tasks.dispatch_message.delay(sid)
        if self.published:
            events.publish_many(self.published)
        for effect in self.after:
            effect()


def _update_executions(executions: list[Execution]) -> None:
    if not executions:
        return
    if connection.vendor != "postgresql" or len(executions) == 1:
        for execution in executions:
            execution.save(update_fields=list(STATE_COLUMNS))
        return
    # One UPDATE … FROM (VALUES …) for the batch (Django's bulk_update builds CASE per column).
    table = Execution._meta.db_table
    columns = ", ".join(f"{c} = v.{c}" for c in STATE_COLUMNS)
    meta = Execution._meta
    casts = ", ".join(f"%s::{meta.get_field(c).db_type(connection)}" for c in STATE_COLUMNS)
    rows = ", ".join(f"(%s::bigint, {casts})" for _ in executions)
    sql = (
        f"UPDATE {table} AS e SET {columns} FROM (VALUES {rows}) AS v(id, {', '.join(STATE_COLUMNS)}) "
        "WHERE e.id = v.id"
    )
    params: list[Any] = []
    for execution in executions:
        params.append(execution.pk)
        for column in STATE_COLUMNS:
            value = getattr(execution, column)
            params.append(json.dumps(value) if column in _JSON_COLUMNS else value)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
