"""Indexes for the executions explorer (issue 15): a flow's executions newest first, and part of
a contact's address.

``(flow, id)`` is a plain model index (every database). The contact search is Django's
``icontains`` (``UPPER(contact_channel_address::text) LIKE UPPER('%…%')``): on PostgreSQL a
pg_trgm GIN index on that very expression serves it; the extension is created here (trusted
since PostgreSQL 13: the database owner may create it). Where it cannot be created (no contrib
package), the migration goes on without that index and the search scans as before. SQLite: no
trigram index (the embedded default holds few executions)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, migrations, models, transaction

log = logging.getLogger(__name__)

TRIGRAM_INDEX = "execution_contact_trgm"


def create_trigram_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(
            using=schema_editor.connection.alias
        ):  # a savepoint: a refusal leaves the migration going
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        log.warning("pg_trgm is not available: partial contact searches will scan executions")
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON executions_execution "
        "USING gin (UPPER(contact_channel_address::text) gin_trgm_ops)"
    )


def drop_trigram_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("executions", "0006_path_count_trigger")]

    operations = [
        migrations.AddIndex(
            model_name="execution",
            index=models.Index(fields=["flow", "id"], name="execution_flow_newest"),
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
