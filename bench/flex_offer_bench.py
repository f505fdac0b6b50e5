"""Flex offer benchmark: task creation → the reservation offered at the agent's browser, on the
production topology (serve, Celery worker and beat, PostgreSQL, Redis as the channel layer).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studio_flex_bench REDIS_URL=redis://127.0.0.1:6379/3 \
        .venv/bin/python bench/flex_offer_bench.py [--agents 50] [--queued 1000] [--samples 200]

Each of the ``--agents`` agents is a console user linked to a worker (``client:<username>``,
capacity 1 on sms), and does what the agent console (flex/static/flex/console.js) does: its
socket on ``/ws/flex/live?view=agent`` (session cookie, the console's Origin) receives ``flex.changed``
notices, and each notice makes it re-read ``/api/console/flex/agent`` (notices that arrive during
a read are folded into one more read); with no notice for 5 s it re-reads anyway, as the page does. The moment a pending reservation shows in that JSON is
"offered at the agent's browser"; the agent then accepts and completes it over the console API.

1. **latency**: ``--queued`` tasks wait in a queue no agent qualifies for (the workspace is not
   empty: routing must not pay for them), the agents are free; ``--samples`` tasks are created one
   after the other with the TaskRouter REST API (``POST /v1/Workspaces/WS/Tasks``, account
   credentials) and each is timed from before the POST to its offer in the agent's JSON.
2. **throughput**: ``--queued`` tasks every agent qualifies for are created (``--concurrency``
   POSTs at once) while the 50 agents accept and complete what they are offered; tasks/s is the
   number offered divided by the time from the first POST to the last offer seen.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/studio_flex_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/3")
# Sessions are made here and read by the servers: the topology's key (tests/topology/processes.py).
os.environ["SECRET_KEY"] = "topology-tests-" + "0123456789abcdef" * 4


POLL = 5.0  # seconds: console.js re-reads the agent page this often, notice or not


@dataclass
class Setup:
    account_sid: str
    auth_token: str
    workspace_sid: str
    everyone: str  # the workflow every agent qualifies for
    backlog: str  # a workflow whose queue no agent qualifies for
    agents: list[dict[str, str]] = field(default_factory=list)  # session cookie, worker sid


def setup(agents: int) -> Setup:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts.models import Account, Membership
    from flex.defaults import seed
    from flex.models import Activity, TaskChannel, TaskQueue, Worker, WorkerChannel, Workflow, Workspace

    stamp = str(int(time.time()))
    account = Account.objects.create(friendly_name=f"flex offer bench {stamp}")
    ws = Workspace.objects.create(account=account, friendly_name="Flex Task Assignment")
    seed(ws)
    available = Activity.objects.get(workspace=ws, friendly_name="Available")
    backlog_queue = TaskQueue.objects.create(
        workspace=ws, friendly_name="Spanish", target_workers="languages HAS 'es'"
    )
    backlog = Workflow.objects.create(
        workspace=ws,
        friendly_name="Backlog",
        configuration=json.dumps(
            {"task_routing": {"filters": [], "default_filter": {"queue": backlog_queue.sid}}}
        ),
    )
    out = Setup(
        account.sid,
        account.auth_token,
        ws.sid,
        Workflow.objects.get(workspace=ws, friendly_name="Assign to Anyone").sid,
        backlog.sid,
    )
    users = get_user_model()
    channels = list(TaskChannel.objects.filter(workspace=ws))
    for n in range(agents):
        user = users.objects.create_user(username=f"agent{n}-{stamp}", password="unused-password")
        Membership.objects.create(user=user, account=account, role=Membership.Role.OWNER)
        worker = Worker.objects.create(
            workspace=ws,
            friendly_name=f"agent {n}",
            activity=available,
            available=True,
            attributes=json.dumps({"contact_uri": f"client:{user.username}", "languages": ["en"]}),
        )
        WorkerChannel.objects.bulk_create(WorkerChannel(worker=worker, task_channel=c) for c in channels)
        client = Client()
        client.force_login(user)
        out.agents.append({"session": client.cookies["sessionid"].value, "worker": worker.sid})
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


@dataclass
class Found:
    """The read that first saw a task offered: whose, when it started and ended, and why it ran."""

    worker: str
    task_sid: str
    started: float
    seen: float
    polled: bool


class Bench:
    def __init__(self, base: str, s: Setup) -> None:
        self.base = base
        self.s = s
        self.created: dict[str, float] = {}  # task label → perf_counter before its POST
        self.offered: dict[str, float] = {}  # task label → first seen pending in an agent's JSON
        self.found: dict[str, Found] = {}  # task label → the read that saw it first
        # (worker sid, task sid) → when its reservation.created notice reached the agent's socket
        self.noticed: dict[tuple[str, str], float] = {}
        self.noticed_at: dict[tuple[str, str], float] = {}  # the same, wall clock (vs. database rows)
        self.seen = asyncio.Event()
        self.reads = 0
        self.found_by_poll = 0  # offers the page's 5 s refresh saw before any notice-driven read
        self.socket_closes: list[str] = []
        self.errors: list[str] = []

    async def create(self, http: Any, workflow: str, label: str) -> None:
        import httpx

        for attempt in range(3):  # a connection dropped under load is retried (a new task)
            self.created[label] = time.perf_counter()
            try:
                response = await http.post(
                    f"{self.base}/v1/Workspaces/{self.s.workspace_sid}/Tasks",
                    data={
                        "WorkflowSid": workflow,
                        "TaskChannel": "sms",
                        "Attributes": json.dumps({"name": label, "label": label}),
                    },
                    auth=(self.s.account_sid, self.s.auth_token),
                )
            except httpx.TransportError as exc:
                self.errors.append(f"create attempt {attempt}: {exc!r}")
                continue
            if response.status_code != 201:
                self.errors.append(f"create {response.status_code} {response.text[:200]}")
            return

    async def agent(self, agent: dict[str, str], ready: asyncio.Event, stop: asyncio.Event) -> None:
        """One agent's page: a socket whose notices mark the state dirty (reconnected after 2 s
        when it closes, with a re-read, as console.js does), one read at a time (a notice during
        a read folds into one more read), and a re-read after 5 s without one."""
        import httpx
        import websockets
        from websockets.typing import Origin

        cookies = {"sessionid": agent["session"]}
        worker_sid = agent["worker"]
        async with httpx.AsyncClient(cookies=cookies, timeout=30) as http:
            await http.get(f"{self.base}/flex/agent")  # the page: its csrftoken cookie
            csrf = {"X-CSRFToken": http.cookies.get("csrftoken") or "", "Content-Type": "application/json"}
            url = self.base.replace("http", "ws", 1) + "/ws/flex/live?view=agent"  # as console.js
            dirty = asyncio.Event()

            async def listen() -> None:
                first = True
                while not stop.is_set():
                    try:
                        async with websockets.connect(
                            url,
                            origin=Origin(self.base),
                            additional_headers={"Cookie": f"sessionid={agent['session']}"},
                        ) as socket:
                            async for raw in socket:
                                notice = json.loads(raw)
                                if notice.get("type") == "flex.ready":
                                    if first:
                                        ready.set()
                                    else:
                                        dirty.set()  # reconnected: what it missed is re-read
                                    first = False
                                    continue
                                if notice.get("event_type") == "reservation.created":
                                    key = (worker_sid, str(notice.get("task_sid")))
                                    self.noticed.setdefault(key, time.perf_counter())
                                    self.noticed_at.setdefault(key, time.time())
                                dirty.set()
                            self.socket_closes.append(
                                f"{worker_sid}: {socket.close_code} {socket.close_reason}"
                            )
                    except Exception as exc:  # noqa: BLE001 - counted; the page reconnects too
                        self.socket_closes.append(f"{worker_sid}: {exc!r}")
                    if not stop.is_set():
                        await asyncio.sleep(2)

            listener = asyncio.create_task(listen())
            try:
                last = time.perf_counter()
                while not stop.is_set():
                    try:
                        await asyncio.wait_for(dirty.wait(), 0.5)
                    except TimeoutError:
                        pass
                    if not dirty.is_set():  # (a notice just as the wait timed out is a notice)
                        if time.perf_counter() - last < POLL:
                            continue
                        await self.read(http, csrf, worker_sid, polled=True)
                        last = time.perf_counter()
                        continue
                    dirty.clear()
                    await self.read(http, csrf, worker_sid)
                    last = time.perf_counter()
            finally:
                listener.cancel()

    async def read(self, http: Any, csrf: dict[str, str], worker_sid: str, polled: bool = False) -> None:
        self.reads += 1
        started = time.perf_counter()
        try:
            data = (await http.get(f"{self.base}/api/console/flex/agent")).json()
        except Exception as exc:  # noqa: BLE001 - an agent that stopped reading would hide offers
            self.errors.append(f"read: {exc!r}")
            return
        now = time.perf_counter()
        for worker in data["workers"]:
            for r in worker["reservations"]:
                if r["reservation_status"] != "pending":
                    continue
                label = r["task"]["attributes"].get("label")
                if label and label not in self.offered:
                    self.offered[label] = now
                    self.found[label] = Found(worker["sid"], r["task"]["sid"], started, now, polled)
                    self.found_by_poll += polled
                    self.seen.set()
                path = f"{self.base}/api/console/flex/agent/{worker_sid}/reservations/{r['sid']}"
                for action in ("accept", "complete"):
                    try:
                        response = await http.post(path, json={"action": action}, headers=csrf)
                    except Exception as exc:  # noqa: BLE001
                        self.errors.append(f"{action}: {exc!r}")
                        break
                    if response.status_code >= 400:
                        self.errors.append(f"{action} {response.status_code} {response.text[:200]}")
                        break

    def notices(self, labels: list[str]) -> dict[str, Any]:
        """Of these offers: was each announced, and when did its notice reach the agent's socket
        relative to the read that first showed it? A 5 s re-read that was under way when the
        reservation was committed shows it before its notice can: that notice is not lost."""
        never, during, after, before = [], [], [], []
        lags = []  # notice → offer seen, for offers a notice-driven read saw first
        for label in labels:
            f = self.found.get(label)
            if f is None:
                continue
            heard = self.noticed.get((f.worker, f.task_sid))
            if heard is None:
                never.append(label)
            elif not f.polled:
                lags.append((f.seen - heard) * 1000)
            elif heard < f.started:
                before.append(label)
            elif heard <= f.seen:
                during.append(label)
            else:
                after.append((heard - f.seen) * 1000)
        return {
            "offers": len([label for label in labels if label in self.found]),
            "never_announced": len(never),
            "seen_by_a_5s_reread_its_notice_reached_while_under_way": len(during),
            "seen_by_a_5s_reread_before_its_notice_came": len(after),
            "notice_later_than_that_reread_p50_ms": pct(after, 0.5) if after else None,
            "announced_before_a_5s_reread_saw_it": len(before),
            "notice_to_seen_p50_ms": pct(lags, 0.5) if lags else None,
            "notice_to_seen_p99_ms": pct(lags, 0.99) if lags else None,
        }

    async def until_offered(self, labels: list[str], timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while not all(label in self.offered for label in labels):
            self.seen.clear()
            left = deadline - time.perf_counter()
            if left <= 0:
                missing = [label for label in labels if label not in self.offered]
                raise TimeoutError(f"{len(missing)} tasks never offered, e.g. {missing[:3]}")
            try:
                await asyncio.wait_for(self.seen.wait(), min(left, 1.0))
            except TimeoutError:
                pass


async def run(
    base: str, s: Setup, samples: int, queued: int, concurrency: int
) -> tuple[dict[str, Any], Bench]:
    import httpx

    bench = Bench(base, s)
    stop = asyncio.Event()
    readies = [asyncio.Event() for _ in s.agents]
    agents = [asyncio.create_task(bench.agent(a, r, stop)) for a, r in zip(s.agents, readies, strict=True)]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
    result: dict[str, Any] = {"agents": len(s.agents)}
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=concurrency + 2)) as http:
        t0 = time.perf_counter()
        for n in range(0, queued, concurrency):  # the backlog nobody can take
            await asyncio.gather(
                *(bench.create(http, s.backlog, f"b{k}") for k in range(n, min(queued, n + concurrency)))
            )
        result["backlog_created_per_s"] = round(queued / (time.perf_counter() - t0), 1)
        await asyncio.sleep(2)  # the backlog's routing passes (no candidate) are over

        latencies = []
        for n in range(samples):
            label = f"s{n}"
            await bench.create(http, s.everyone, label)
            await bench.until_offered([label], 30)
            latencies.append((bench.offered[label] - bench.created[label]) * 1000)
        result["latency"] = {
            "samples": samples,
            "p50_ms": pct(latencies, 0.5),
            "p99_ms": pct(latencies, 0.99),
        }
        result["latency"]["mean_ms"] = round(statistics.fmean(latencies), 1)
        print(json.dumps(result), flush=True)
        await asyncio.sleep(1)

        reads = bench.reads
        labels = [f"t{n}" for n in range(queued)]
        t0 = time.perf_counter()
        for n in range(0, queued, concurrency):
            await asyncio.gather(
                *(bench.create(http, s.everyone, label) for label in labels[n : n + concurrency])
            )
        created = time.perf_counter() - t0
        await bench.until_offered(labels, 600)
        drained = max(bench.offered[label] for label in labels) - t0
        waits = [(bench.offered[label] - bench.created[label]) * 1000 for label in labels]
        result["throughput"] = {
            "tasks": queued,
            "created_per_s": round(queued / created, 1),
            "offered_per_s": round(queued / drained, 1),
            "creation_to_offer_p50_ms": pct(waits, 0.5),
            "creation_to_offer_p99_ms": pct(waits, 0.99),
            "agent_reads_per_task": round((bench.reads - reads) / queued, 1),
        }
    result["offers_found_by_the_5s_poll"] = bench.found_by_poll
    result["notices"] = {
        "latency": bench.notices([f"s{n}" for n in range(samples)]),
        "throughput": bench.notices(labels),
    }
    result["socket_closes"] = len(bench.socket_closes)
    if bench.socket_closes:
        result["first_socket_close"] = bench.socket_closes[0]
    stop.set()
    await asyncio.gather(*agents, return_exceptions=True)
    result["errors"] = len(bench.errors)
    if bench.errors:
        result["first_error"] = bench.errors[0]
    return result, bench


def server_side(workspace_sid: str, prefix: str) -> dict[str, float]:
    """Of the same tasks, from the database: task row committed → its first reservation row."""
    from flex.models import Reservation

    gaps: dict[int, float] = {}
    rows = Reservation.objects.filter(task__workspace__sid=workspace_sid).select_related("task")
    for r in rows.order_by("id"):
        if json.loads(r.task.attributes).get("label", "").startswith(prefix) and r.task_id not in gaps:
            gaps[r.task_id] = (r.date_created - r.task.date_created).total_seconds() * 1000
    values = list(gaps.values())
    return {"task_to_reservation_row_p50_ms": pct(values, 0.5), "p99_ms": pct(values, 0.99)}


def notice_delays(workspace_sid: str, noticed_at: dict[tuple[str, str], float]) -> dict[str, float]:
    """Each offer's reservation row (written just before its commit) → its notice at the
    agent's socket: how late the notice is behind the data (same machine, one clock)."""
    from flex.models import Reservation

    delays = []
    rows = Reservation.objects.filter(workspace__sid=workspace_sid).select_related("worker", "task")
    for r in rows:
        heard = noticed_at.get((r.worker.sid, r.task.sid))
        if heard is not None:
            delays.append((heard - r.date_created.timestamp()) * 1000)
    return {"p50_ms": pct(delays, 0.5), "p99_ms": pct(delays, 0.99)} if delays else {}


def timed_out(workspace_sid: str) -> int:
    """Reservations no agent answered within the workflow's reservation timeout (120 s)."""
    from flex.models import Reservation

    return Reservation.objects.filter(workspace__sid=workspace_sid, reservation_status="timeout").count()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--queued", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8, help="task POSTs at once (backlog, throughput)")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--celery-concurrency", type=int, default=4)
    parser.add_argument("--logs", type=Path, default=None, help="keep the processes' logs in this directory")
    args = parser.parse_args()

    from bench.webhook_bench import ensure_database
    from tests.topology.processes import production_topology

    ensure_database(os.environ["DATABASE_URL"])
    s = setup(args.agents)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # after django.setup()'s LOGGING
    with (
        tempfile.TemporaryDirectory() as tmp,
        production_topology(
            os.environ["DATABASE_URL"],
            os.environ["REDIS_URL"],
            args.logs or Path(tmp) / "logs",
            web_workers=args.web_workers,
            celery_concurrency=args.celery_concurrency,
        ) as topo,
    ):
        load = os.getloadavg()[0]
        result, bench = asyncio.run(run(topo.base_url, s, args.samples, args.queued, args.concurrency))
        result["loadavg_1m_before_after"] = [round(load, 1), round(os.getloadavg()[0], 1)]
        result["cpus"] = os.cpu_count()
        result["latency"]["server_side"] = server_side(s.workspace_sid, "s")
        result["reservations_timed_out"] = timed_out(s.workspace_sid)
        result["reservation_row_to_notice_at_the_agent"] = notice_delays(s.workspace_sid, bench.noticed_at)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
