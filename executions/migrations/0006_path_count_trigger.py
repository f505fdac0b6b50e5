"""Path counts for the steps written before the aggregate existed (one INSERT … SELECT), and
on SQLite the trigger that keeps them from now on.

On SQLite the path counts are kept by a trigger on the step table (the engine's step insert
is Django's bulk_create there: no statement can carry the upsert). PostgreSQL runs the upsert
inside the steps' own INSERT (``executions.engine.path_counts.upsert_cte``): no trigger."""

from __future__ import annotations

from typing import Any

from django.db import migrations

TRIGGER = """
CREATE TRIGGER executions_step_path_count AFTER INSERT ON executions_step
BEGIN
    INSERT INTO executions_pathcount
        (flow_id, revision, hour, from_widget, event, to_widget, shard, count)
    SELECT e.flow_id, e.flow_version, strftime('%Y-%m-%d %H:00:00', NEW.date_created),
           NEW.transitioned_from, NEW.name, NEW.transitioned_to, 0, 1
    FROM executions_execution AS e WHERE e.id = NEW.execution_id
    ON CONFLICT (flow_id, hour, revision, from_widget, event, to_widget, shard)
    DO UPDATE SET count = count + 1;
END
"""


BACKFILL = """
INSERT INTO executions_pathcount (flow_id, revision, hour, from_widget, event, to_widget, shard, count)
SELECT e.flow_id, e.flow_version, {hour}, s.transitioned_from, s.name, s.transitioned_to, 0, COUNT(*)
FROM executions_step AS s JOIN executions_execution AS e ON e.id = s.execution_id
GROUP BY e.flow_id, e.flow_version, {hour}, s.transitioned_from, s.name, s.transitioned_to
"""
HOURS = {"sqlite": "strftime('%Y-%m-%d %H:00:00', s.date_created)", "postgresql": "date_trunc('hour', s.date_created)"}


def backfill(apps: Any, schema_editor: Any) -> None:
    hour = HOURS.get(schema_editor.connection.vendor)
    if hour is not None:
        schema_editor.execute(BACKFILL.format(hour=hour))


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(TRIGGER)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS executions_step_path_count")


class Migration(migrations.Migration):
    dependencies = [("executions", "0005_path_counts")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop), migrations.RunPython(create, drop)]
