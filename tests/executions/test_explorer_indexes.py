"""On PostgreSQL the explorer's slow filters have indexes that fit the SQL the view sends: a
flow's executions newest first (``execution_flow_newest``) and part of a contact's address
(``execution_contact_trgm``, pg_trgm on ``UPPER(contact_channel_address)``, what ``icontains``
compares). The plans are read with the planner steered off full scans, so a small table gives
the answer a large one does (bench/explorer_bench.py times them over a million executions)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from executions.models import Execution
from tests.executions.factories import make_flow, survey

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the explorer's indexes are PostgreSQL's"),
]


def seed(flow: Any, n: int, first: int) -> None:
    revision = flow.revisions.get()
    Execution.objects.bulk_create(
        Execution(
            account=flow.account,
            flow=flow,
            revision=revision,
            flow_version=1,
            contact_channel_address=f"+1555{first + i:07d}",
            channel_address="+15550009999",
            status="ended",
        )
        for i in range(n)
    )


def listing_sql(client: Any, **query: Any) -> str:
    """The statement that reads the page of executions for ``GET /api/console/executions``."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/console/executions", query).status_code == 200
    [sql] = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "executions_execution"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    return sql


def plan(sql: str, *off: str) -> str:
    with transaction.atomic(), connection.cursor() as cursor:  # SET LOCAL: for this EXPLAIN only
        for setting in off:
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def old_and_new_flows(console: Any) -> tuple[Any, Any]:
    old, new = (
        make_flow(console.account, survey(), name="Old"),
        make_flow(console.account, survey(), name="New"),
    )
    seed(old, 300, 0)
    seed(new, 3000, 1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE executions_execution")
    return old, new


def test_the_pg_trgm_extension_and_both_indexes_exist() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'executions_execution'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"execution_flow_newest", "execution_contact_trgm"} <= names


def test_the_flow_filter_reads_the_flows_executions_newest_first_from_its_index(
    console: Any, old_and_new_flows: tuple[Any, Any]
) -> None:
    old, _ = old_and_new_flows
    sql = listing_sql(console, flow=old.sid)
    # No full scan, no sort: the only ways left are the primary key backwards (every newer
    # execution of other flows read and thrown away) and the flow's own index.
    assert "execution_flow_newest" in plan(sql, "enable_seqscan", "enable_sort")


def test_part_of_a_contact_is_looked_up_in_the_trigram_index(
    console: Any, old_and_new_flows: tuple[Any, Any]
) -> None:
    sql = listing_sql(console, contact="0000123")
    # Part of an address: icontains (the whole-address lookup is an equality on another index).
    [predicate] = re.findall(
        r"UPPER\(\"executions_execution\"\.\"contact_channel_address\"::text\) LIKE UPPER\('[^']*'\)", sql
    )
    # Only the trigram index can answer this predicate without reading the whole table (the
    # account's own index, which a one-account test table makes as cheap, is not in this query).
    only_the_predicate = f'SELECT id FROM "executions_execution" WHERE {predicate}'
    assert "execution_contact_trgm" in plan(only_the_predicate, "enable_seqscan", "enable_indexscan")
    assert "+15550000123" in str(console.get("/api/console/executions", {"contact": "0000123"}).json())
