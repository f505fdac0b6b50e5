"""Statements PostgreSQL parses and plans once per connection: a voice turn's few, run thousands
of times with new values.

Django binds parameters on the client (psycopg's ``ClientCursor``): each statement reaches the
server as new text, parsed and planned again. For a turn's statements the planning is most of
PostgreSQL's work (warm, ~0.15–0.3 ms to plan a one-row lookup that runs in ~0.03 ms; ~0.3–0.4
ms for the turn's data-modifying ``WITH``). ``cursor()`` gives a Django cursor (its execute
wrappers, error translation and query log all apply) over a psycopg cursor that binds on the
server and prepares every statement it runs: psycopg keeps the connection's prepared statements
by SQL text and parameter types (at most ``prepared_max`` of them, the least used deallocated),
so the second run of a statement on a connection is an ``EXECUTE`` of its plan. PostgreSQL
re-plans a prepared statement by itself when a table it reads changes (a migration); psycopg
deallocates them all at a rollback and prepares them again on their next run.

Only for statements written for it (``%s`` placeholders, every parameter typed by its column, a
cast or its Python type: the ORM's compiled lookups and the engine's JSON-row writes) and only
on PostgreSQL; elsewhere ``cursor()`` is Django's own.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

# Django turns psycopg's automatic preparing off (``prepare_threshold`` None, which also refuses
# an explicit ``prepare=True``); a threshold no statement reaches prepares only what asks for it.
NEVER_BY_COUNT = 2**62
TIMESTAMPTZ_OID = 1184
_cursor_class: Any = None


def cursor(connection: Any = None) -> Any:
    """A cursor whose statements are prepared on the server (PostgreSQL), else Django's.
    ``connection``: the default database's unless given (looked up once: every attribute read
    through ``django.db.connection`` looks the connection up again)."""
    if connection is None:
        connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_new_cursor(connection))


def _planned_cursor_class() -> Any:
    global _cursor_class
    if _cursor_class is None:
        from psycopg import Cursor

        class PlannedCursor(Cursor[Any]):
            """psycopg's server-binding cursor, every statement prepared."""

            def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
                return super().execute(query, params, prepare=True, binary=options.get("binary"))

        _cursor_class = PlannedCursor
    return _cursor_class


def _new_cursor(connection: Any) -> Any:
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = NEVER_BY_COUNT
    cursor = _planned_cursor_class()(raw)
    # As Django's create_cursor: its time zone for timestamptz values when the connection's differs.
    if connection.timezone != getattr(
        raw.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT), "timezone", None
    ):
        register_tzloader(connection.timezone, cursor)
    return cursor
