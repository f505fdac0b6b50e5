"""A transaction whose only statement is its last one: sent in autocommit, without BEGIN/COMMIT.

On PostgreSQL a Django transaction costs two round trips of its own (psycopg sends ``BEGIN``
before the first statement, Django's commit sends ``COMMIT``). A voice turn whose run needed
nothing from the database writes everything in one statement (``Writes.flush``): when that
statement is the first and last of the transaction, it is sent in autocommit instead, atomic
on its own, and the commit has nothing left to do (psycopg's commit of an idle connection is
a no-op). The ``on_commit`` callbacks still run when the ``atomic`` block exits, after the
statement committed; an error rolls nothing back because nothing else was written.

Only where the caller says the flush is the block's last database work (``allowed()``, inside
the outermost ``transaction.atomic``); a statement after it in the block raises instead of
silently running in a transaction of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.transaction import TransactionManagementError

_state = threading.local()


@contextmanager
def allowed() -> Iterator[None]:
    """Inside the caller's outermost ``transaction.atomic``: its flush may commit alone."""
    previous = getattr(_state, "allowed", False)
    _state.allowed, _state.done = True, False
    try:
        with connection.execute_wrapper(_after_commit_guard):
            yield
    finally:
        _state.allowed, _state.done = previous, False


def _after_commit_guard(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    if getattr(_state, "done", False):
        raise TransactionManagementError("a statement after the transaction's committing statement")
    return execute(sql, params, many, context)


def possible() -> bool:
    """Whether the next statement may commit alone: allowed, PostgreSQL, the outermost atomic
    block, and nothing sent in its transaction yet."""
    if not getattr(_state, "allowed", False):
        return False
    db = connections[DEFAULT_DB_ALIAS]  # looked up once (``connection`` looks it up per read)
    if db.vendor != "postgresql" or len(db.atomic_blocks) != 1 or db.savepoint_ids or db.needs_rollback:
        return False
    raw = db.connection
    if raw is None:
        return False
    from psycopg.pq import TransactionStatus

    return bool(raw.info.transaction_status == TransactionStatus.IDLE)


@contextmanager
def committing() -> Iterator[None]:
    """The statement run inside commits by itself (call only when ``possible()``)."""
    raw = connections[DEFAULT_DB_ALIAS].connection
    raw.autocommit = True
    try:
        yield
    finally:
        raw.autocommit = False
        _state.done = True
