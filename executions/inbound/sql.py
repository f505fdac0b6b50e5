"""The fast path's two SQL statements, named from the models' metadata.

The fast path (``executions.inbound.fast_path``, ``executions.inbound.grouped_insert``) talks to
PostgreSQL through psycopg, not the ORM, to stay cheap. Its table and column names come from
``Model._meta`` here rather than being written by hand, so a renamed table or column (``db_table``,
``db_column``) changes these statements with it; a field added to ``InboundEvent`` that the INSERT
does not set is caught by tests/executions/test_inbound_requests.py.
"""

from __future__ import annotations

from django.db import models

from accounts.models import Account
from executions.models import InboundEvent
from studio.models import Flow

# The INSERT's parameters, per row, in this order (``grouped_insert.Row``).
ROW_FIELDS = ("flow", "key", "contact_channel_address", "channel_address", "params")
# Set by the statement itself: every event the fast path records is a pending message.
FIXED_VALUES: dict[str, str] = {
    "kind": "message",
    "status": InboundEvent.Status.PENDING.value,
    "execution_sid": "",
}
NOW_FIELDS = ("date_created",)  # auto_now_add: the database's now()
UNIQUE_KEY = "unique_inbound_key_per_flow"  # ON CONFLICT target: a redelivery is recorded once


def quote(name: str) -> str:
    """A PostgreSQL identifier, quoted as Django quotes it when it creates the table."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def table(model: type[models.Model]) -> str:
    return quote(model._meta.db_table)


def column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column is not None
    return quote(field.column)


def pk(model: type[models.Model]) -> str:
    assert model._meta.pk is not None and model._meta.pk.column is not None
    return quote(model._meta.pk.column)


def flow_lookup() -> str:
    """(flow id, auth token, account status) of a flow sid within an account sid."""
    account_fk = Flow._meta.get_field("account")
    assert isinstance(account_fk, models.ForeignKey) and account_fk.target_field.column is not None
    return (
        f"SELECT f.{pk(Flow)}, a.{column(Account, 'auth_token')}, a.{column(Account, 'status')}"
        f" FROM {table(Flow)} f JOIN {table(Account)} a"
        f" ON a.{quote(account_fk.target_field.column)} = f.{column(Flow, 'account')}"
        f" WHERE f.{column(Flow, 'sid')} = %s AND a.{column(Account, 'sid')} = %s"
    )


def inserted_fields() -> tuple[str, ...]:
    """Every field of ``InboundEvent`` the INSERT sets, parameters first."""
    return (*ROW_FIELDS, *FIXED_VALUES, *NOW_FIELDS)


def _conflict_columns() -> list[str]:
    constraint = next(
        c
        for c in InboundEvent._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.name == UNIQUE_KEY
    )
    return [column(InboundEvent, name) for name in constraint.fields]


def _insert_template() -> tuple[str, str]:
    """(the statement with ``{rows}`` to fill, one row's VALUES tuple)."""
    columns = ", ".join(column(InboundEvent, name) for name in inserted_fields())
    values = [
        *(["%s"] * len(ROW_FIELDS)),
        *(literal(v) for v in FIXED_VALUES.values()),
        *(["now()"] * len(NOW_FIELDS)),
    ]
    returning = f"{column(InboundEvent, 'flow')}, {column(InboundEvent, 'key')}"
    statement = (
        f"INSERT INTO {table(InboundEvent)} ({columns}) VALUES {{rows}}"
        f" ON CONFLICT ({', '.join(_conflict_columns())}) DO NOTHING RETURNING {returning}"
    )
    return statement, "(" + ", ".join(values) + ")"


INSERT, ROW = _insert_template()


def inbound_insert(rows: int) -> str:
    """``INSERT … VALUES (…) × rows ON CONFLICT (flow, key) DO NOTHING RETURNING flow, key``."""
    return INSERT.format(rows=", ".join([ROW] * rows))
