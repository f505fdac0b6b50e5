"""What the explorer's indexes cost the engine's writes: PostgreSQL CPU per execution.

PostgreSQL only. Writes executions as the engine's batches do (``executions.engine.writes``:
one ``INSERT … jsonb_populate_recordset`` of 250 new active executions, then one ``UPDATE``
ending them, status changed, so every index takes a new entry, as a conversation's end does),
and reads the CPU the database backend spent from ``/proc/<backend pid>/stat`` (robust to other
load on the machine, unlike wall time). Three variants on the same table, interleaved round by
round: without migration 0007's indexes, with ``execution_flow_newest`` only, and with the
pg_trgm ``execution_contact_trgm`` too. The GIN index's pending list is flushed inside the
measured span (``gin_clean_pending_list``; autovacuum off on the table meanwhile), so work the
index defers is counted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/write_cost DJANGO_DEBUG=true \\
        .venv/bin/python bench/execution_write_cost.py --batches 40 --rounds 5
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.models import Account  # noqa: E402
from executions.engine.context import initial_context  # noqa: E402
from executions.engine.writes import STATE_COLUMNS, insert_rows, update_rows  # noqa: E402
from executions.models import Execution  # noqa: E402
from studio.models import Flow, FlowRevision  # noqa: E402

explorer_indexes = importlib.import_module("executions.migrations.0007_explorer_indexes")
FLOW_INDEX = next(i for i in Execution._meta.indexes if i.name == "execution_flow_newest")
BATCH = 250
TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu_seconds() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def set_indexes(variant: str) -> None:
    with connection.schema_editor() as editor:
        editor.execute(f"DROP INDEX IF EXISTS {FLOW_INDEX.name}")
        explorer_indexes.drop_trigram_index(None, editor)
        if variant in ("flow index", "both"):
            editor.add_index(Execution, FLOW_INDEX)
        if variant == "both":
            explorer_indexes.create_trigram_index(None, editor)


def write(flow: Flow, revision: FlowRevision, serial: int) -> None:
    """One engine batch: 250 new executions inserted, then ended."""
    executions = []
    for n in range(BATCH):
        contact = f"+1{serial * BATCH + n:010d}"
        ex = Execution(
            account=flow.account,
            flow=flow,
            revision=revision,
            flow_version=1,
            contact_channel_address=contact,
            channel_address="+15550009999",
            trigger_event="incomingMessage",
        )
        ex.context = initial_context(
            flow_sid=flow.sid,
            execution_sid=ex.sid,
            trigger_event="incomingMessage",
            trigger={"From": contact, "To": "+15550009999", "Body": "hello"},
            contact_address=contact,
            channel_address="+15550009999",
        )
        executions.append(ex)
    with transaction.atomic():
        insert_rows(executions)
    for ex in executions:
        ex.status = Execution.Status.ENDED
        ex.current_widget = ""
    with transaction.atomic():
        update_rows(executions, STATE_COLUMNS)


def measure(flow: Flow, revision: FlowRevision, variant: str, batches: int, serial: int) -> float:
    """CPU ms of the database backend per execution written (inserted, then ended)."""
    before = backend_cpu_seconds()
    for b in range(batches):
        write(flow, revision, serial + b)
    if variant == "both":
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [explorer_indexes.TRIGRAM_INDEX])
    return (backend_cpu_seconds() - before) * 1000 / (batches * BATCH)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=40, help="engine batches of 250 per measure")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--existing", type=int, default=200_000, help="executions in the table first")
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "set DATABASE_URL to a scratch PostgreSQL database"
    call_command("migrate", verbosity=0)
    account = Account.objects.create(friendly_name="write cost")
    flow = Flow.objects.create(
        account=account, friendly_name="F", status="published", revision=1, published_revision=1
    )
    revision = FlowRevision.objects.create(flow=flow, revision=1, definition={}, status="published")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE executions_execution SET (autovacuum_enabled = false)")
    serial = 10_000_000
    for b in range(args.existing // BATCH):  # a table of some size: index pages not all cached hot
        write(flow, revision, b)
    variants = ["without", "flow index", "both"]
    results: dict[str, list[float]] = {v: [] for v in variants}
    started = time.perf_counter()
    try:
        for r in range(args.rounds):
            for variant in variants[r % 3 :] + variants[: r % 3]:  # rotate the order round by round
                set_indexes(variant)
                results[variant].append(measure(flow, revision, variant, args.batches, serial))
                serial += args.batches
    finally:
        set_indexes("both")
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE executions_execution RESET (autovacuum_enabled)")
    print(
        f"{args.rounds} rounds × {args.batches * BATCH} executions per variant in {time.perf_counter() - started:.0f} s"
    )
    base = statistics.median(results["without"])
    print(
        "| indexes | PostgreSQL CPU ms per execution (median) | runs | vs without |\n| --- | --- | --- | --- |"
    )
    for variant in variants:
        median = statistics.median(results[variant])
        runs = ", ".join(f"{x:.3f}" for x in results[variant])
        print(f"| {variant} | {median:.3f} | {runs} | {median - base:+.3f} ms |")


if __name__ == "__main__":
    main()
