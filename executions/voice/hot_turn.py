"""A later turn of a hot call (``executions.voice.hot``): read from Redis, answered, written behind.

``play`` returns the turn's TwiML verbs, or ``COLD`` when this turn must take the synchronous
path (``turns.play_callback``), having written nothing: the execution is not hot, or its run
needs more than its own row and steps, or another turn committed first. In the last two cases
the execution is cooled first, so the synchronous path reads a current row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from executions.engine import network, store
from executions.engine.writes import Writes
from executions.models import Execution
from executions.voice import behind, hot
from studio.models import Flow
from studio.widgets.runtime import Inbound

COLD = None


class NotHot(Exception):
    """The run needs the synchronous path (nothing of it was written)."""


def _reads_only(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    head = sql.lstrip()[:6].upper()
    if head != "SELECT" or "FOR UPDATE" in sql.upper():
        raise NotHot(sql[:40])
    return execute(sql, params, many, context)


@contextmanager
def reading_only() -> Iterator[None]:
    with connection.execute_wrapper(_reads_only):
        yield


def own_rows(writes: Writes, execution: Execution, *, new: bool = False) -> bool:
    """Did the run write nothing but the execution's own row and steps (and live events)?"""
    return (
        (writes.inserts == [execution] if new else not writes.inserts)
        and all(e is execution for e in writes.updates)
        and all(s.execution is execution for s in writes.steps)
        and not (writes.messages or writes.waits or writes.kept_tokens or writes.parked)
        and not (writes.inline or writes.queued_sids)
    )


def play(
    found: hot.Hot, flow: Flow, inbound: Inbound, *, widget: str | None, seq: int | None
) -> list[str] | None:
    """The turn's verbs, or ``COLD`` (the execution cooled: run it on the synchronous path)."""
    execution = found.execution(flow)
    writes = Writes()
    try:
        with network.collect() as later, transaction.atomic(), reading_only():
            result = store.deliver(execution, inbound, widget=widget, seq=seq, writes=writes)
            if writes.updates or writes.steps:
                if not own_rows(writes, execution):
                    raise NotHot("the run wrote more than its own rows")
                execution.date_updated = timezone.now()
                if not hot.commit(found, execution, writes.steps):
                    raise NotHot("another turn committed first")
                behind.started().wake()
                writes.hand_over()
    except NotHot:
        behind.cool(found.pk)
        return COLD
    return [*result.twiml, *later]
