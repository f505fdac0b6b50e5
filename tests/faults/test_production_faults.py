"""Faults on the production topology (PostgreSQL, Redis, a Celery worker and beat, `serve` with two
web processes), each during traffic: afterwards every accepted webhook (2xx) has its execution
with its steps, no execution runs twice, no reply is sent twice, no timeout is lost, and tasks
still reach agents: an SMS to Flex's Messaging Flow (Send to Flex) becomes a task offered to the
available agent, whose console API shows it and accepts it (tests/faults/agents.py).

The stack takes a minute to set up, so most of these run with `make faults` (FAULTS_FULL=1). The
bounded form in `make test` runs one of them on the production topology, the Celery worker
SIGKILLed mid-batch (about a minute: the stack's start and the fault), beside the embedded ones
(tests/faults/test_embedded_faults.py)."""

from __future__ import annotations

import signal
import time
from typing import Any

import httpx
import pytest

from tests.faults.agents import Agent
from tests.faults.conftest import TIMER_SECONDS, full_only, record
from tests.faults.stack import Account, PrivatePostgres, PrivateRedis, Stack
from tests.faults.traffic import Inbound, at_rate, in_background, new_contact, reconcile

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]

RATE = 25.0  # inbound SMS a second
SECONDS = 6.0


def traffic(stack: Stack, customer: Account, flow: str = "chat") -> Inbound:
    return Inbound(stack.base_url, customer.sid, customer.token, customer.flows[flow])


def during_traffic(inbound: Inbound, fault: Any, at: float = 2.0) -> float:
    """Send RATE messages a second for SECONDS, injecting ``fault()`` after ``at`` seconds;
    returns how long the fault took."""
    sender = in_background(lambda: at_rate(RATE, SECONDS, lambda c: inbound.send(c, new_contact())))
    time.sleep(at)
    started = time.monotonic()
    fault()
    took = time.monotonic() - started
    sender.join()
    return took


def check(
    name: str, inbound: Inbound, query: Any, started: float, agent: Agent | None = None, **extra: Any
) -> dict[str, Any]:
    """Reconcile the traffic; then (``agent``) a new Send to Flex task must still be offered to the
    available agent, who sees it in the console's API and accepts it. The figures are recorded
    before anything is asserted."""
    result = reconcile(query, inbound.flow_sid, inbound.accepted())
    figures = {
        "sent": len(inbound.sent),
        "answered": {str(k): v for k, v in sorted(inbound.statuses().items())},
        "recovered_in_seconds": round(time.monotonic() - started, 1),
        **result.figures(),
        **extra,
    }
    unreached: AssertionError | None = None
    if agent is not None:
        try:
            figures.update(agent.reach())
        except AssertionError as failure:
            figures["tasks_reached_agents"] = "0 of 1"
            unreached = failure
    record(name, figures)
    assert result.accepted > 0, figures
    assert result.clean, (figures, result.lost[:5])
    if unreached is not None:
        raise unreached
    return figures


def test_a_celery_worker_killed_mid_batch_loses_and_doubles_nothing(
    stack: Stack, customer: Account, query: Any, agent: Agent
) -> None:
    inbound = traffic(stack, customer)
    started = time.monotonic()

    def kill_worker() -> None:
        stack.kill("worker", signal.SIGKILL)  # the main process and its pool, mid-batch
        time.sleep(1.0)
        stack.start("worker")

    during_traffic(inbound, kill_worker)
    check("celery worker SIGKILL mid-batch", inbound, query, started, agent)


@full_only()
def test_redis_restarted_during_traffic(
    stack: Stack, customer: Account, query: Any, redis_server: PrivateRedis, agent: Agent
) -> None:
    inbound = traffic(stack, customer)
    started = time.monotonic()
    during_traffic(inbound, redis_server.restart)
    check("redis restarted during traffic", inbound, query, started, agent)


@full_only()
def test_postgresql_restarted_during_traffic(
    stack: Stack, customer: Account, query: Any, postgres: PrivatePostgres, agent: Agent
) -> None:
    inbound = traffic(stack, customer)
    started = time.monotonic()
    took = during_traffic(inbound, lambda: postgres.restart("fast"))
    check(
        "postgresql restarted during traffic", inbound, query, started, agent, downtime_seconds=round(took, 1)
    )


@full_only()
def test_a_web_process_killed_during_traffic(
    stack: Stack, customer: Account, query: Any, agent: Agent
) -> None:
    inbound = traffic(stack, customer)
    started = time.monotonic()
    children = stack.web_children()
    assert len(children) >= 2, children  # uvicorn's workers (and multiprocessing's resource tracker)

    def kill_one() -> None:
        import os

        os.kill(children[0], signal.SIGKILL)

    during_traffic(inbound, kill_one)
    check("a web process SIGKILL", inbound, query, started, agent)
    deadline = time.monotonic() + 30
    while children[0] in stack.web_children() or len(stack.web_children()) < len(children):
        assert time.monotonic() < deadline, stack.web_children()
        time.sleep(0.5)
    assert httpx.get(f"{stack.base_url}/healthz", timeout=5).status_code == 200


@full_only()
def test_the_whole_stack_stopped_and_started_keeps_waits_and_timeouts(
    stack: Stack, customer: Account, query: Any, agent: Agent
) -> None:
    """Executions waiting on replies and on 8-second timeouts; every process is killed (a pulled
    plug) for longer than the timeouts; after the start the timeouts fire once and the replies
    are heard once."""
    waiting = traffic(stack, customer, "chat")
    timing = traffic(stack, customer, "timer")
    with httpx.Client(timeout=30) as client:
        chat = [waiting.send(client, new_contact("+1777")) for _ in range(15)]
        timed = [timing.send(client, new_contact("+1778")) for _ in range(15)]
    assert all(s.status == 200 for s in chat + timed)
    asks = "SELECT count(*) FROM executions_message m JOIN executions_execution e ON e.id = m.execution_id "
    asks += "WHERE e.contact_channel_address LIKE %s AND m.widget = 'ask'"
    deadline = time.monotonic() + 60
    while query(asks, ("+177%",))[0][0] < 30:
        assert time.monotonic() < deadline, query(
            "SELECT f.sid, e.status, e.current_widget, count(*) FROM executions_execution e JOIN studio_flow f "
            "ON f.id = e.flow_id WHERE e.contact_channel_address LIKE %s GROUP BY 1, 2, 3",
            ("+177%",),
        ) + query("SELECT status, count(*) FROM executions_inboundevent GROUP BY 1", ())
        time.sleep(0.2)
    started = time.monotonic()
    for name in list(stack.procs):
        stack.kill(name, signal.SIGKILL)
    late_sql = "SELECT count(*) FROM executions_message WHERE widget = 'late'"
    assert query(late_sql, ())[0][0] == 0  # nothing had timed out before the plug was pulled
    time.sleep(TIMER_SECONDS + 1)  # the timers fall due while nothing runs
    stack.start()
    with httpx.Client(timeout=30) as client:
        for sent in chat:
            assert waiting.send(client, sent.contact, "Ada").status == 200
    done = (
        "SELECT count(*) FROM executions_execution WHERE contact_channel_address LIKE %s AND status = 'ended'"
    )
    deadline = time.monotonic() + 90
    while query(done, ("+177%",))[0][0] < 30:
        assert time.monotonic() < deadline, query(done, ("+177%",))
        time.sleep(0.5)
    fired = query(
        "SELECT count(*) FROM executions_step s JOIN executions_execution e ON e.id = s.execution_id "
        "WHERE e.contact_channel_address LIKE %s AND s.transitioned_from = 'ask' AND s.transitioned_to = 'late'",
        ("+1778%",),
    )[0][0]
    heard = query(
        "SELECT count(*) FROM executions_message m JOIN executions_execution e ON e.id = m.execution_id "
        "WHERE e.contact_channel_address LIKE %s AND m.widget = 'thanks' AND m.body = 'Thanks Ada'",
        ("+1777%",),
    )[0][0]
    late = query(
        "SELECT count(*) FROM executions_message m JOIN executions_execution e ON e.id = m.execution_id "
        "WHERE e.contact_channel_address LIKE %s AND m.widget = 'late'",
        ("+1778%",),
    )[0][0]
    assert (fired, late, heard) == (15, 15, 15)
    waits = check(
        "whole stack stopped and started (waits)",
        waiting,
        query,
        started,
        agent,
        timeouts_fired=fired,
        replies_heard=heard,
    )
    check(
        "whole stack stopped and started (timeouts)",
        timing,
        query,
        started,
        timeouts_fired=fired,
        tasks_reached_agents=waits["tasks_reached_agents"],  # the same restart: checked once
    )
