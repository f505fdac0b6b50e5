"""Fixtures of the fault suite: private PostgreSQL and Redis, the production topology on them,
and a record of the figures (``var/reliability/faults.json``, read by ``reliability_report``)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from executions.management.reliability import now
from tests.faults.agents import Agent, seed_agent
from tests.faults.stack import ROOT, Account, PrivatePostgres, PrivateRedis, Stack, available
from tests.faults.traffic import Inbound, conversation

TIMER_SECONDS = 8  # the "timer" flow's send-and-wait timeout
FULL = os.environ.get("FAULTS_FULL", "") not in ("", "0")
RESULTS = Path(os.environ.get("FAULTS_RESULTS", ROOT / "var" / "reliability" / "faults.json"))


def record(name: str, figures: dict[str, Any]) -> None:
    """Keep a fault's figures for the reliability report (one entry per fault, the last run)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data[name] = {**figures, "measured_at": now()}
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True))


def full_only() -> pytest.MarkDecorator:
    """Faults run by `make faults` (FAULTS_FULL=1), left out of the bounded form in `make test`."""
    return pytest.mark.skipif(not FULL, reason="full fault suite only (FAULTS_FULL=1, `make faults`)")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PrivatePostgres]:
    why = available()
    if why:
        pytest.skip(why)
    pg = PrivatePostgres()
    pg.start()
    try:
        yield pg
    finally:
        pg.destroy()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def stack(postgres: PrivatePostgres, redis_server: PrivateRedis, tmp_path_factory: Any) -> Iterator[Stack]:
    url = postgres.createdb(f"faults_{os.getpid()}_{tmp_path_factory.getbasetemp().name[-6:]}".lower())
    topo = Stack(database_url=url, redis_url=redis_server.url, logs=tmp_path_factory.mktemp("stack"))
    topo.manage("migrate", "--noinput", "-v", "0")
    topo.start()
    try:
        yield topo
    finally:
        topo.stop()


@pytest.fixture(scope="module")
def customer(stack: Stack) -> Account:
    return stack.account(
        "Faults", {"chat": conversation(), "timer": conversation(timeout=str(TIMER_SECONDS))}
    )


@pytest.fixture(scope="module")
def agent(stack: Stack, customer: Account) -> Iterator[Agent]:
    """The customer's agent (Flex's defaults seeded), asked after each fault whether tasks still
    reach agents."""
    messaging_flow = seed_agent(stack.manage, customer.sid)
    one = Agent(stack.base_url, Inbound(stack.base_url, customer.sid, customer.token, messaging_flow))
    try:
        yield one
    finally:
        one.client.close()


@pytest.fixture(scope="module")
def query(stack: Stack) -> Any:
    def run(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(
            stack.database_url.replace("postgres://", "postgresql://"), autocommit=True
        ) as conn:
            return list(conn.execute(sql, params).fetchall())  # type: ignore[arg-type]

    return run
