"""Embedded mode (`make run`: one `serve` process on SQLite, no Redis): the server stopped in the
middle of a burst of inbound SMS — politely (SIGTERM) or not (SIGKILL) — and started again loses
no accepted message: each has its execution, its steps, one reply; nothing runs twice. And Flex
tasks still reach agents: after the SIGKILL, a task waiting in the queue when the server died is
reserved for the agent who comes online after the restart; after the SIGTERM, a new customer's
task is offered to the agent in the console, accepted and completed (``tests/faults/agents.py``)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.faults.agents import Agent, seed_agent
from tests.faults.conftest import full_only, record
from tests.faults.stack import ROOT
from tests.faults.traffic import Inbound, at_rate, conversation, in_background, new_contact, reconcile
from tests.topology.processes import free_port

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

MID_BURST_ACCEPTED = 10  # accepted before the stop


@dataclass
class Embedded:
    tmp: Path
    port: int
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    flex_flow: str = ""  # the account's Messaging Flow: every SMS becomes a Flex task

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    def start(self) -> None:
        log = open(self.tmp / "serve.log", "ab")  # noqa: SIM115 - the process owns it
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(self.port)],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            assert self.proc.poll() is None, (self.tmp / "serve.log").read_text()[-3000:]
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)

    def stop(self, sig: int) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, sig)
        self.proc.wait(timeout=30)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.tmp / "studio.sqlite3", timeout=30) as db:
            return db.execute(sql.replace("%s", "?"), params).fetchall()


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Embedded, Inbound]]:
    tmp = tmp_path_factory.mktemp("embedded-faults")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'studio.sqlite3'}",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        DJANGO_DEBUG="true",  # as `make run`
        PYTHONUNBUFFERED="1",
    )
    server = Embedded(tmp, port, env)
    server.manage("migrate", "--noinput", "-v", "0")
    account = json.loads(server.manage("createaccount", "--name", "Embedded", "--json"))
    (tmp / "flow.json").write_text(json.dumps(conversation()))
    flow = json.loads(
        server.manage(
            "flows",
            "import",
            str(tmp / "flow.json"),
            "--account",
            account["account_sid"],
            "--publish",
            "--json",
        )
    )
    # Flex's defaults (workspace, Messaging Flow ending in Send to Flex) with an agent, offline.
    server.flex_flow = seed_agent(server.manage, account["account_sid"])
    server.start()
    try:
        yield server, Inbound(server.base_url, account["account_sid"], account["auth_token"], flow["sid"])
    finally:
        if server.proc is not None and server.proc.poll() is None:
            server.stop(signal.SIGTERM)


def stopped_mid_burst(
    name: str, embedded: tuple[Embedded, Inbound], sig: int, after: Callable[[], dict[str, Any]] | None = None
) -> None:
    """The burst, the stop and the start; ``after()`` checks more once the server is back (its
    figures are recorded too)."""
    server, inbound = embedded
    inbound.sent.clear()
    sender = in_background(lambda: at_rate(30.0, 8.0, lambda c: inbound.send(c, new_contact("+1555"))))
    # Mid-burst: once some messages are accepted (a fixed delay can fall before the first answer
    # on a loaded machine, and then nothing was accepted to lose), and the burst goes on after.
    deadline = time.monotonic() + 5.0
    while len(inbound.accepted()) < MID_BURST_ACCEPTED and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    server.stop(sig)
    time.sleep(0.5)
    server.start()
    sender.join()
    result = reconcile(server.query, inbound.flow_sid, inbound.accepted())
    figures = {
        "sent": len(inbound.sent),
        "answered": {str(k): v for k, v in sorted(inbound.statuses().items())},
        "recovered_in_seconds": round(time.monotonic() - started, 1),
        **result.figures(),
    }
    if after is not None:
        figures.update(after())
    record(name, figures)
    assert result.accepted > 0, figures
    assert result.clean, (figures, result.lost[:5])


def wait_for(what: str, probe: Any, seconds: float = 30.0) -> Any:
    deadline = time.monotonic() + seconds
    while not (found := probe()):
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.2)
    return found


def queue_task(server: Embedded, inbound: Inbound) -> int:
    """An SMS to the Messaging Flow: its Flex task, waiting (the agent is offline)."""
    to_agent = Inbound(server.base_url, inbound.account_sid, inbound.auth_token, server.flex_flow)
    with httpx.Client(timeout=10) as client:
        assert to_agent.send(client, new_contact("+1777")).status == 200
    return int(
        wait_for(
            "a task for the agent",
            lambda: server.query(
                "SELECT id FROM flex_task WHERE assignment_status = 'pending' ORDER BY id DESC LIMIT 1"
            ),
        )[0][0]
    )


def agent_online(server: Embedded, inbound: Inbound) -> None:
    """The agent goes Available through TaskRouter's API, as the agent console does."""
    ((workspace, worker, available),) = server.query(
        "SELECT w.sid, k.sid, a.sid FROM flex_worker k JOIN flex_workspace w ON w.id = k.workspace_id "
        "JOIN flex_activity a ON a.workspace_id = w.id WHERE a.friendly_name = 'Available'"
    )
    answer = httpx.post(
        f"{server.base_url}/v1/Workspaces/{workspace}/Workers/{worker}",
        data={"ActivitySid": available},
        auth=(inbound.account_sid, inbound.auth_token),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def test_make_run_killed_mid_burst_loses_no_accepted_message(embedded: tuple[Embedded, Inbound]) -> None:
    server, inbound = embedded
    task = queue_task(server, inbound)

    def tasks_reach_agents() -> dict[str, Any]:
        agent_online(server, inbound)
        reserved = wait_for(
            "the waiting task reserved for the agent after the restart",
            lambda: server.query(
                "SELECT k.friendly_name FROM flex_reservation r JOIN flex_worker k ON k.id = r.worker_id "
                "WHERE r.task_id = %s",
                (task,),
            ),
        )
        assert reserved == [("agent",)]
        return {"tasks_reached_agents": "1 of 1"}

    stopped_mid_burst("embedded serve SIGKILL mid-burst", embedded, signal.SIGKILL, after=tasks_reach_agents)


@full_only()
def test_make_run_stopped_mid_burst_loses_no_accepted_message(embedded: tuple[Embedded, Inbound]) -> None:
    server, inbound = embedded
    to_flex = Inbound(server.base_url, inbound.account_sid, inbound.auth_token, server.flex_flow)

    def tasks_reach_agents() -> dict[str, Any]:
        """After the restart, as after each production fault: a new customer's SMS to Send to
        Flex becomes a task offered to the agent in the console, accepted and completed."""
        agent = Agent(server.base_url, to_flex)
        try:
            agent.finish_earlier_work()  # the task the SIGKILL case reserved, if it ran first
            return agent.reach()
        finally:
            agent.client.close()

    stopped_mid_burst("embedded serve SIGTERM mid-burst", embedded, signal.SIGTERM, after=tasks_reach_agents)
