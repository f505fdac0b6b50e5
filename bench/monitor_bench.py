"""Live monitor benchmark: a step's commit → its event at a script's WebSocket client, under traffic.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studio_bench REDIS_URL=redis://127.0.0.1:6379/1 \
        .venv/bin/python bench/monitor_bench.py [--mode redis|embedded] [--rate 500] [--runs 3]

``redis``: the production topology (``serve`` with 2 workers + Celery worker + beat, channels-redis).
``embedded``: ``serve`` alone without REDIS_URL (one process, InMemoryChannelLayer, tasks eager).

Per run: a script client opens ``ws/flows/{FW}/monitor`` with the account's credentials (HTTP
Basic), then wrk offers ``--rate`` signed inbound SMS per second (a new contact each, so a new
execution each: two steps) for ``--seconds``. Every step event the client receives gives
``receipt time − date_created`` (the step's row time, stamped just before its transaction
commits; same machine clock). Also reported: the executions/s the server actually ran (distinct
executions per second of events) and the events lost (steps written but never received).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/studio_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")


@contextmanager
def embedded_topology(database_url: str, logs: Path) -> Iterator[Any]:
    """``manage.py serve`` alone, without REDIS_URL: the embedded mode."""
    import signal

    from tests.topology import processes

    port = processes.free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        {
            "DATABASE_URL": database_url,
            "PUBLIC_BASE_URL": base_url,
            "DJANGO_DEBUG": "false",
            "DJANGO_HTTPS": "false",
            "SECRET_KEY": "topology-tests-" + "0123456789abcdef" * 4,
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "WARNING",
        }
    )
    logs.mkdir(parents=True, exist_ok=True)
    topo = processes.Topology(base_url=base_url, env=env, logs=logs)
    try:
        processes._start(
            topo, "serve", [str(processes.BIN / "python"), "manage.py", "serve", "--port", str(port)]
        )
        processes._wait_healthy(topo)
        yield topo
    finally:
        for proc in topo.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)


def _wait_worker_banner(topo: Any, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while "[tasks]" not in topo.log("worker"):
        topo.assert_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(f"celery worker not started:\n{topo.log('worker')[-4000:]}")
        time.sleep(0.2)
    time.sleep(5)


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


async def watch(
    url: str, auth: str, out: list[tuple[float, float, str]], ready: asyncio.Event, ended: set[str]
) -> None:
    import websockets

    async with websockets.connect(url, additional_headers={"Authorization": f"Basic {auth}"}) as ws:
        async for raw in ws:
            received = time.time()
            event = json.loads(raw)
            if event.get("type") == "monitor.ready":
                ready.set()
            elif event.get("type") == "execution" and event.get("event") == "ended":
                ended.add(event["execution_sid"])
            elif event.get("type") == "step" and event.get("date_created"):
                created = datetime.fromisoformat(event["date_created"]).timestamp()
                out.append((received, (received - created) * 1000, event["execution_sid"]))


BROWSER_WATCH = """(url) => new Promise((ready) => {
  window.__events = [];
  const ws = new WebSocket(url);
  ws.onmessage = (m) => {
    const received = Date.now();
    const e = JSON.parse(m.data);
    if (e.type === "monitor.ready") ready(true);
    else if (e.type === "step" && e.date_created) window.__events.push([received, e.date_created]);
  };
})"""


async def open_browser_watch(base_url: str, flow_sid: str, user: str, password: str) -> tuple[Any, Any, Any]:
    """Chromium (Debian's) logged into the console, its page watching the flow's monitor socket
    with the console session, as the canvas does."""
    from playwright.async_api import async_playwright

    pw = await async_playwright().start()
    browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    page = await browser.new_page()
    await page.goto(f"{base_url}/login")
    await page.fill("input[name=username]", user)
    await page.fill("input[name=password]", password)
    await page.locator("form [type=submit]").first.click()
    await page.wait_for_url(f"{base_url}/")
    url = base_url.replace("http", "ws", 1) + f"/ws/flows/{flow_sid}/monitor"
    await page.evaluate(BROWSER_WATCH, url)
    return pw, browser, page


async def browser_latencies(page: Any, since: float) -> tuple[list[float], list[float]]:
    """(all, during the load) commit → receipt in the browser, ms."""
    raw = await page.evaluate("window.__events.splice(0)")
    every, during = [], []
    for received_ms, created in raw:
        ms = received_ms - datetime.fromisoformat(created).timestamp() * 1000
        every.append(ms)
        if received_ms / 1000 <= since:
            during.append(ms)
    return every, during


async def run_once(
    topo: Any,
    account: Any,
    flow: Any,
    prefix: Path,
    seconds: int,
    rate: int,
    quiet: float,
    console: tuple[str, str] | None = None,
) -> dict[str, Any]:
    from bench.webhook_bench import run_wrk

    url = topo.base_url.replace("http", "ws", 1) + f"/ws/flows/{flow.sid}/monitor"
    auth = base64.b64encode(f"{account.sid}:{account.auth_token}".encode()).decode()
    events: list[tuple[float, float, str]] = []
    ready = asyncio.Event()
    ended: set[str] = set()
    client = asyncio.create_task(watch(url, auth, events, ready, ended))
    await asyncio.wait_for(ready.wait(), 10)
    watching = await open_browser_watch(topo.base_url, flow.sid, *console) if console else None
    pause = round(32 * 1000 / rate) if rate else 0
    script = ROOT / "bench" / "webhook.lua"
    started = time.time()
    hook = await asyncio.to_thread(run_wrk, topo.base_url, seconds, script, str(prefix), 2, pause)
    # Drain: until every webhook has run and each of its steps arrived, or no event came for
    # ``quiet`` seconds.
    last, still = len(events), 0.0
    while still < quiet:
        await asyncio.sleep(0.5)
        if len(events) >= await asyncio.to_thread(count_steps, flow):
            break
        still = still + 0.5 if len(events) == last else 0.0
        last = len(events)
    client.cancel()
    browser: dict[str, Any] = {}
    if watching is not None:
        pw, chromium, page = watching
        every, during_b = await browser_latencies(page, started + seconds)
        await chromium.close()
        await pw.stop()
        browser = {
            "browser_events": len(every),
            "browser_event_p50_ms": pct(every, 0.5),
            "browser_event_p99_ms": pct(every, 0.99),
            "browser_event_p50_ms_during_load": pct(during_b, 0.5),
        }
    latencies = [ms for _, ms, _ in events]
    during = [ms for at, ms, _ in events if at <= started + seconds]
    executions = {sid for _, _, sid in events}
    span = (max(at for at, _, _ in events) - started) if events else float("nan")
    steps_written = await asyncio.to_thread(count_steps_written, flow)
    return {
        "offered_per_s": rate,
        "webhook_rps": round(hook["rps"], 1),
        "webhook_non_2xx": hook["non_2xx"],
        "executions": len(executions),
        "executions_per_s": round(len(executions) / span, 1) if events else None,
        "events": len(events),
        "events_lost": steps_written - len(events),
        # Every execution of the benchmark's flow ends in its first run: one "ended" event each.
        "executions_without_ended_event": len(executions - ended),
        "event_p50_ms": pct(latencies, 0.5),
        "event_p99_ms": pct(latencies, 0.99),
        "event_p50_ms_during_load": pct(during, 0.5),
        "event_p99_ms_during_load": pct(during, 0.99),
        **browser,
    }


def count_steps_written(flow: Any) -> int:
    from executions.models import Step

    return Step.objects.filter(execution__flow=flow).count()


def count_steps(flow: Any) -> int:
    """Steps written so far; a large number while inbound webhooks still wait to be run."""
    from django.db import close_old_connections

    from executions.models import InboundEvent, Step

    close_old_connections()
    if InboundEvent.objects.filter(flow=flow, status=InboundEvent.Status.PENDING).exists():
        return 1 << 40
    return Step.objects.filter(execution__flow=flow).count()


def console_user(account: Any) -> tuple[str, str]:
    """A console user of the benchmark's account (made again each time, same password)."""
    from django.contrib.auth import get_user_model

    from accounts.models import Membership

    name, password = "monitor-bench", "monitor-bench-password"
    user, _ = get_user_model().objects.get_or_create(username=name)
    user.set_password(password)
    user.save()
    Membership.objects.get_or_create(user=user, account=account, defaults={"role": Membership.Role.OWNER})
    return name, password


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["redis", "embedded"], default="redis")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rate", type=int, default=500, help="offered inbound webhooks (executions) per s")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--celery-concurrency", type=int, default=4)
    parser.add_argument("--quiet", type=float, default=5.0, help="drain ends after this long without events")
    parser.add_argument(
        "--browser",
        action="store_true",
        help="also watch from Chromium with a console session (the canvas's way)",
    )
    args = parser.parse_args()

    from bench.webhook_bench import ensure_database, reset, setup_flow, write_requests
    from tests.topology import processes
    from tests.topology.processes import production_topology

    # With LOG_LEVEL=WARNING (no per-task log lines) the worker never logs "ready.": wait for its
    # banner instead, then a few seconds (tasks queued meanwhile wait in Redis, nothing is lost).
    processes._wait_worker_ready = _wait_worker_banner
    processes._wait_healthy.__defaults__ = (180.0,)

    ensure_database(os.environ["DATABASE_URL"])
    account, flow = setup_flow()
    console = console_user(account) if args.browser else None
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        logs = Path(tmp) / "logs"
        topology = (
            production_topology(
                os.environ["DATABASE_URL"],
                os.environ["REDIS_URL"],
                logs,
                web_workers=args.web_workers,
                celery_concurrency=args.celery_concurrency,
                extra_env={"LOG_LEVEL": "WARNING"},
            )
            if args.mode == "redis"
            else embedded_topology(os.environ["DATABASE_URL"], logs)
        )
        with topology as topo:
            per_thread = max(2000, args.rate * args.seconds)  # unique contacts: no redeliveries
            for run in range(args.runs):
                reset(flow)
                prefix = Path(tmp) / f"hooks{run}"
                write_requests(topo.base_url, account, flow, prefix, 2, per_thread, run)
                row = {"mode": args.mode, "run": run}
                row.update(
                    asyncio.run(
                        run_once(topo, account, flow, prefix, args.seconds, args.rate, args.quiet, console)
                    )
                )
                results.append(row)
                print(json.dumps(row), flush=True)
    medians = {
        k: statistics.median(r[k] for r in results)
        for k in results[0]
        if k not in ("run", "mode") and all(isinstance(r[k], (int, float)) for r in results)
    }
    print("MEDIANS " + json.dumps({"mode": args.mode, **medians}, indent=2))


if __name__ == "__main__":
    main()
