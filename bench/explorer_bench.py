"""Executions explorer benchmark: ``GET /api/console/executions`` over a million executions.

PostgreSQL only (the rows are made with ``generate_series``). Seeds one account with
``--per-flow`` executions on each of 5 flows (a tenth active, waiting at ``ask``) and a small
account with 2,000, then times each filter through the Django test client (the whole view:
auth, query, serialization), median of ``--repeat`` calls.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/explorer_bench DJANGO_DEBUG=true \\
        .venv/bin/python bench/explorer_bench.py --per-flow 200000

``--compare-indexes``: time every filter first without the explorer's indexes (migration 0007:
``execution_flow_newest``, ``execution_contact_trgm``), then builds them (timed) and times them
again: before and after on the same rows, minutes apart.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Account, Membership  # noqa: E402
from executions.models import Execution  # noqa: E402
from studio.models import Flow, FlowRevision  # noqa: E402

explorer_indexes = importlib.import_module("executions.migrations.0007_explorer_indexes")
FLOW_INDEX = next(i for i in Execution._meta.indexes if i.name == "execution_flow_newest")

SEED = """
INSERT INTO executions_execution (sid, account_id, flow_id, revision_id, flow_version,
  contact_channel_address, channel_address, session_key, status, context, initiated_by, trigger_event,
  current_widget, wait_state, step_count, last_widget, repeat_count, log, date_created, date_updated)
SELECT 'FN' || md5(%s || '-' || g), %s, %s, %s, 1, '+1555' || lpad(g::text, 7, '0'), '+15550009999', '',
  CASE WHEN g %% 10 = 0 THEN 'active' ELSE 'ended' END, '{}', '', 'incomingMessage',
  CASE WHEN g %% 10 = 0 THEN 'ask' ELSE '' END, '{}', 2, '', 0, '[]',
  now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval
FROM generate_series(1, %s) g
"""


def flow(account: Account, name: str) -> Flow:
    f = Flow.objects.create(
        account=account, friendly_name=name, status="published", revision=1, published_revision=1
    )
    FlowRevision.objects.create(flow=f, revision=1, definition={}, status="published", friendly_name=name)
    return f


def console(account: Account, username: str) -> Client:
    user = get_user_model().objects.create_user(username=username)
    Membership.objects.create(user=user, account=account, role=Membership.Role.OWNER)
    client = Client()
    client.force_login(user)
    return client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-flow", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--compare-indexes", action="store_true", help="time without, then with, 0007's indexes"
    )
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "set DATABASE_URL to a scratch PostgreSQL database"
    call_command("migrate", verbosity=0)
    if args.compare_indexes:
        with connection.schema_editor() as editor:
            editor.execute(f"DROP INDEX IF EXISTS {FLOW_INDEX.name}")
            explorer_indexes.drop_trigram_index(None, editor)
    big, small = Account.objects.create(friendly_name="big"), Account.objects.create(friendly_name="small")
    flows = [flow(big, f"F{i}") for i in range(5)]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for f, n in [(f, args.per_flow) for f in flows] + [(flow(small, "S"), 2000)]:
            cursor.execute(SEED, [f.sid, f.account_id, f.pk, f.revisions.get().pk, n])
        cursor.execute("ANALYZE executions_execution")
    print(f"seeded {5 * args.per_flow + 2000} executions in {time.perf_counter() - started:.0f} s")
    cb, cs = console(big, f"big-{big.pk}"), console(small, f"small-{small.pk}")
    mid = str(big.executions.order_by("id").values_list("id", flat=True)[len(flows) * args.per_flow // 2])

    def buffers(client: Client, **query: Any) -> str:
        """The page query's own cost in the database: pages touched and server time, from
        ``EXPLAIN (ANALYZE, BUFFERS)`` of the statement the view sent (robust to other load,
        unlike the wall time of the whole request)."""
        with CaptureQueriesContext(connection) as queries:
            client.get("/api/console/executions", query)
        [sql] = [
            q["sql"]
            for q in queries.captured_queries
            if "LIMIT" in q["sql"] and "executions_execution" in q["sql"]
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
            (doc,) = cursor.fetchone()
        top = (doc if isinstance(doc, list) else json.loads(doc))[0]
        plan = top["Plan"]
        pages = plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)
        return f"{pages:,} pages, {top['Execution Time']:.1f} ms"

    def timed(client: Client, **query: Any) -> tuple[float, int]:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            response = client.get("/api/console/executions", query)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.content
        return statistics.median(times), len(response.json()["executions"])

    queries: list[tuple[str, Client, dict[str, Any]]] = [
        ("page 1", cb, {}),
        ("a page from the middle (page_token)", cb, {"page_token": mid}),
        ("status=active", cb, {"status": "active"}),
        ("flow", cb, {"flow": flows[0].sid}),
        ("flow + revision", cb, {"flow": flows[0].sid, "revision": 1}),
        ("widget=ask", cb, {"widget": "ask"}),
        ("whole contact (+1555…)", cb, {"contact": "+15550123456"}),
        ("part of a contact (7 digits)", cb, {"contact": "0123456"}),
        ("stuck", cb, {"stuck": "true"}),
        ("one day (since/until)", cb, {"since": "2026-01-01", "until": "2026-01-02"}),
        ("small account (2,000 among them), page 1", cs, {}),
    ]
    if not args.compare_indexes:
        print("| query | median | rows |\n| --- | --- | --- |")
        for label, client, query in queries:
            median, rows = timed(client, **query)
            print(f"| {label} | {median:.0f} ms | {rows} |")
        return
    before = [timed(client, **query) for _, client, query in queries]
    explained = {"flow": {"flow": flows[0].sid}, "part of a contact (7 digits)": {"contact": "0123456"}}
    before_sql = {label: buffers(cb, **query) for label, query in explained.items()}
    started = time.perf_counter()
    with connection.schema_editor() as editor:
        editor.add_index(Execution, FLOW_INDEX)
        explorer_indexes.create_trigram_index(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE executions_execution")
    print(f"built both indexes in {time.perf_counter() - started:.0f} s")
    after = [timed(client, **query) for _, client, query in queries]
    after_sql = {label: buffers(cb, **query) for label, query in explained.items()}
    print("| query | without the indexes | with them | rows |\n| --- | --- | --- | --- |")
    for (label, _, _), (b, rows), (a, rows_after) in zip(queries, before, after, strict=True):
        assert rows == rows_after, label
        print(f"| {label} | {b:.0f} ms | {a:.0f} ms | {rows} |")
    print("\n| the page's SQL (EXPLAIN ANALYZE, BUFFERS) | without | with |\n| --- | --- | --- |")
    for label in explained:
        print(f"| {label} | {before_sql[label]} | {after_sql[label]} |")


if __name__ == "__main__":
    main()
