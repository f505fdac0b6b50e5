"""Voice benchmark against the production topology: incoming calls and whole scripted calls.

    .venv/bin/python bench/voice_bench.py [--runs 3] [--seconds 10] [--calls-concurrency 8] [--cpu]

Uses its own database (``studio_voice_bench``) and Redis db 2 unless DATABASE_URL / REDIS_URL
say otherwise. Starts `serve` (2 workers) + `celery worker` + `celery beat`
(tests/topology/processes.py), publishes an IVR (Trigger → Gather Input On Call with a Say →
Split on the digits → Say → Say goodbye), then per run:

1. **floor**: wrk at concurrency 32 against a trivial view answering ``<Response/>``;
2. **incoming**: wrk at concurrency 32 posting signed incoming-call webhooks (a new CallSid
   each, pre-signed: a signature depends on the body), unpaced, then paced at ``--rates``
   (``q`` = a quarter of this run's floor, i.e. half the issue's throughput target);
3. **whole calls**: a Python client plays calls as Twilio does at ``--calls-concurrency``:
   incoming → gather action with Digits → split → say (Redirect) → say goodbye (Redirect) →
   hang up → ``completed`` status callback; p50/p99 per turn and CPU per call.

Prints JSON per run and the medians. Needs `wrk` (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import logging
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Set before webhook_bench is imported (it sets its own defaults): a private database and
# Redis db, so the voice benchmark never collides with the messaging one.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/studio_voice_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/2")

from bench.webhook_bench import (  # noqa: E402 - after the environment defaults above
    cpu_per_execution,
    cpu_snapshot,
    ensure_database,
    run_wrk,
)


def _on(event: str, nxt: str = "", **extra: Any) -> dict[str, Any]:
    return {"event": event, **({"next": nxt} if nxt else {}), **extra}


FLOW: dict[str, Any] = {
    "description": "benchmark: an IVR menu",
    "initial_state": "Trigger",
    "flags": {"allow_concurrent_calls": True},
    "states": [
        {
            "name": "Trigger",
            "type": "trigger",
            "properties": {"offset": {"x": 0, "y": 0}},
            "transitions": [_on("incomingCall", "menu")],
        },
        {
            "name": "menu",
            "type": "gather-input-on-call",
            "properties": {
                "offset": {"x": 0, "y": 200},
                "say": "Hello {{trigger.call.From}}, press 1 for sales, 2 for support.",
                "number_of_digits": 1,
                "timeout": 5,
            },
            "transitions": [_on("keypress", "check"), _on("speech"), _on("timeout")],
        },
        {
            "name": "check",
            "type": "split-based-on",
            "properties": {"offset": {"x": 0, "y": 400}, "input": "{{widgets.menu.Digits}}"},
            "transitions": [
                _on("noMatch", "other"),
                _on(
                    "match",
                    "sales",
                    conditions=[
                        {
                            "friendly_name": "1",
                            "arguments": ["{{widgets.menu.Digits}}"],
                            "type": "equal_to",
                            "value": "1",
                        }
                    ],
                ),
            ],
        },
        {
            "name": "sales",
            "type": "say-play",
            "properties": {"offset": {"x": 0, "y": 600}, "say": "Connecting you to sales."},
            "transitions": [_on("audioComplete", "bye")],
        },
        {
            "name": "other",
            "type": "say-play",
            "properties": {"offset": {"x": 300, "y": 600}, "say": "Connecting you to support."},
            "transitions": [_on("audioComplete", "bye")],
        },
        {
            "name": "bye",
            "type": "say-play",
            "properties": {"offset": {"x": 0, "y": 800}, "say": "Goodbye {{trigger.call.From}}."},
            "transitions": [_on("audioComplete")],
        },
    ],
}

NUMBER = "+15005550006"


# Every run of the benchmark gives its calls new CallSids (Twilio never gives one twice): a
# CallSid seen before is a repeated request to the server (its hot state lives in Redis).
SESSION = f"{secrets.randbelow(16**6):06x}"


def call_params(account_sid: str, call_sid: str, caller: str, status: str) -> dict[str, str]:
    return {
        "CallSid": call_sid,
        "AccountSid": account_sid,
        "From": caller,
        "To": NUMBER,
        "Caller": caller,
        "Called": NUMBER,
        "CallStatus": status,
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }


def setup_flow() -> tuple[Any, Any]:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from accounts.models import Account
    from executions.models import Execution
    from studio.models import Flow, FlowRevision

    Execution.objects.all().delete()
    account, _ = Account.objects.get_or_create(friendly_name="voice-bench")
    Flow.objects.filter(account=account).delete()
    flow = Flow.objects.create(
        account=account, friendly_name="ivr", status="published", revision=1, published_revision=1
    )
    FlowRevision.objects.create(
        flow=flow, revision=1, definition=FLOW, status="published", friendly_name="ivr"
    )
    return account, flow


def reset(flow: Any) -> None:
    from django.db import close_old_connections

    from executions.models import Execution

    close_old_connections()
    Execution.objects.filter(flow=flow).delete()


def write_calls(base_url: str, account: Any, flow: Any, prefix: Path, per_thread: int, tag: str) -> None:
    """Pre-signed incoming-call webhooks for wrk, a new CallSid and caller each."""
    from accounts.signing import twilio_signature

    path = f"/v1/Accounts/{account.sid}/Flows/{flow.sid}"
    for t in range(2):
        with open(f"{prefix}.{t}", "w") as out:
            for i in range(per_thread):
                n = (t * per_thread + i) % 10**8
                params = call_params(account.sid, f"CA{tag}{t}{n:023x}", f"+1555{n:08d}", "ringing")
                signature = twilio_signature(account.auth_token, base_url + path, params)
                out.write(f"{path}\t{signature}\t{urlencode(params)}\n")


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 1)


_ACTION = re.compile(r'<Gather[^>]* action="([^"]+)"')
_REDIRECT = re.compile(r"<Redirect[^>]*>([^<]+)</Redirect>")


class CallPlayer:
    """Plays whole calls the way Twilio does, signing every request."""

    def __init__(self, base_url: str, account: Any, flow: Any) -> None:
        self.base_url = base_url
        self.account = account
        self.path = f"/v1/Accounts/{account.sid}/Flows/{flow.sid}"
        self.latencies: dict[str, list[float]] = {}
        self.errors = 0
        self.calls = 0

    async def _post(self, client: Any, kind: str, url_or_path: str, params: dict[str, str]) -> str:
        from accounts.signing import twilio_signature

        url = url_or_path if url_or_path.startswith("http") else self.base_url + url_or_path
        parts = urlsplit(url)
        path_qs = parts.path + (f"?{parts.query}" if parts.query else "")
        signature = twilio_signature(self.account.auth_token, url, params)
        started = time.perf_counter()
        response = await client.post(
            path_qs,
            content=urlencode(params),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
            },
        )
        self.latencies.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{kind}: {response.status_code} {response.text[:200]}")
        return str(response.text)

    async def play(self, client: Any, n: int, digit: str) -> None:
        sid = f"CA{SESSION}{n:026x}"
        caller = f"+1666{n % 10**8:08d}"
        base = call_params(self.account.sid, sid, caller, "ringing")
        answer = await self._post(client, "incoming", self.path, base)
        action = _ACTION.search(answer)
        if action is None:
            raise RuntimeError(f"no Gather: {answer[:200]}")
        live = {**base, "CallStatus": "in-progress"}
        answer = await self._post(
            client, "digits", html.unescape(action.group(1)), {**live, "Digits": digit, "FinishedOnKey": ""}
        )
        for kind in ("say_done", "bye_done"):
            redirect = _REDIRECT.search(answer)
            if redirect is None:
                raise RuntimeError(f"{kind}: no Redirect: {answer[:200]}")
            answer = await self._post(client, kind, html.unescape(redirect.group(1)), live)
        if "<Gather" in answer or "<Say" in answer:
            raise RuntimeError(f"the call did not end: {answer[:200]}")
        done = {**base, "CallStatus": "completed", "CallDuration": "7"}
        await self._post(client, "status_callback", self.path, done)

    async def run(self, seconds: float, concurrency: int, first: int) -> None:
        import httpx

        deadline = time.monotonic() + seconds
        counter = iter(range(first, first + 10**7))

        async def worker() -> None:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=30.0) as client:
                while time.monotonic() < deadline:
                    n = next(counter)
                    try:
                        await self.play(client, n, "1" if n % 2 else "2")
                        self.calls += 1
                    except (RuntimeError, httpx.HTTPError):
                        self.errors += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))

    def summary(self, seconds: float) -> dict[str, Any]:
        turns = [v for kind, values in self.latencies.items() for v in values if kind != "status_callback"]
        out: dict[str, Any] = {
            "calls": self.calls,
            "call_errors": self.errors,
            "calls_per_s": round(self.calls / seconds, 1),
            "call_turn_p50_ms": _percentile(turns, 0.5),
            "call_turn_p99_ms": _percentile(turns, 0.99),
        }
        for kind, values in self.latencies.items():  # "call_" apart from the wrk phases' keys
            out[f"call_{kind}_p50_ms"] = _percentile(values, 0.5)
            out[f"call_{kind}_p99_ms"] = _percentile(values, 0.99)
        return out


def _rates(spec: str, floor_rps: float) -> list[tuple[str, int]]:
    out = []
    for item in filter(None, spec.split(",")):
        rate = round(floor_rps / 4) if item == "q" else int(item)
        out.append((item, max(rate, 1)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--celery-concurrency", type=int, default=4)
    parser.add_argument("--calls-concurrency", type=int, default=8)
    parser.add_argument(
        "--rates",
        default="28,q",
        help="paced incoming-call phases: calls/s each, 'q' = a quarter of the run's floor req/s",
    )
    parser.add_argument("--cpu", action="store_true", help="CPU ms per turn / per call per process")
    parser.add_argument("--logs", type=Path, default=None, help="keep the processes' logs here")
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    account, flow = setup_flow()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    from tests.topology.processes import production_topology

    script = ROOT / "bench" / "webhook.lua"
    results: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        production_topology(
            os.environ["DATABASE_URL"],
            os.environ["REDIS_URL"],
            args.logs or Path(tmp) / "logs",
            web_workers=args.web_workers,
            celery_concurrency=args.celery_concurrency,
            extra_env={"STUDIO_BENCH_FLOOR": "1", "LOG_LEVEL": "WARNING"},
        ) as topo,
    ):
        floor_file = Path(tmp) / "floor"
        for t in range(2):
            Path(f"{floor_file}.{t}").write_text("/bench/floor\t\tx=1\n")
        per_thread = 1200 * args.seconds  # more unique calls than a phase can send
        for run in range(args.runs):
            row: dict[str, Any] = {"run": run}
            reset(flow)
            floor = run_wrk(topo.base_url, args.seconds, script, str(floor_file))
            row.update(
                floor_rps=round(floor["rps"], 1), floor_p50_ms=floor["p50_ms"], floor_p99_ms=floor["p99_ms"]
            )
            phases = [("unpaced", 0), *_rates(args.rates, floor["rps"])]
            for index, (label, rate) in enumerate(phases):
                prefix = Path(tmp) / f"calls{run}_{index}"
                write_calls(topo.base_url, account, flow, prefix, per_thread, f"{SESSION}{run:x}{index:x}")
                reset(flow)
                before = cpu_snapshot(topo)
                pause = round(32 * 1000 / rate) if rate else 0
                hook = run_wrk(topo.base_url, args.seconds, script, str(prefix), pause_ms=pause)
                key = "incoming" if not rate else f"incoming_paced_{label}"
                row.update(
                    {
                        f"{key}_rps": round(hook["rps"], 1),
                        f"{key}_p50_ms": hook["p50_ms"],
                        f"{key}_p99_ms": hook["p99_ms"],
                        f"{key}_errors": hook["non_2xx"] + hook["socket_errors"],
                    }
                )
                if not rate:
                    row["incoming_ratio_to_floor"] = round(hook["rps"] / floor["rps"], 3)
                    if args.cpu:
                        turns = hook["requests"]
                        cpu = cpu_per_execution(before, cpu_snapshot(topo), turns)
                        row.update({f"incoming_{k}": v for k, v in cpu.items() if k != "cpu_ms_bench"})
            reset(flow)
            player = CallPlayer(topo.base_url, account, flow)
            before = cpu_snapshot(topo)
            started = time.monotonic()
            asyncio.run(player.run(args.seconds, args.calls_concurrency, first=(run + 1) * 10**7))
            elapsed = time.monotonic() - started
            row.update(player.summary(elapsed))
            if args.cpu:
                cpu = cpu_per_execution(before, cpu_snapshot(topo), player.calls)
                row.update({f"call_{k}": v for k, v in cpu.items() if k != "cpu_ms_wrk"})
            results.append(row)
            print(json.dumps(row), flush=True)
    medians = {
        k: statistics.median(r[k] for r in results)
        for k in results[0]
        if k != "run" and all(isinstance(r.get(k), (int, float)) for r in results)
    }
    print("MEDIANS " + json.dumps(medians, indent=2))


if __name__ == "__main__":
    main()
