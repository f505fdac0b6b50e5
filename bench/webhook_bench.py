"""Inbound-message webhook benchmark against the production topology.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studio_bench REDIS_URL=redis://127.0.0.1:6379/1 \
        .venv/bin/python bench/webhook_bench.py [--runs 3] [--seconds 10] [--web-workers 2]

Starts `serve` + `celery worker` + `celery beat` (tests/topology/processes.py), then per run:
1. the floor: wrk at concurrency 32 against a trivial view answering ``<Response/>``;
2. the webhook: wrk at concurrency 32 posting signed inbound SMS (a new contact each) to a
   published flow that replies with send-message;
3. drain: waits until every accepted webhook's reply is stored, giving end-to-end executions/s
   and the webhook-to-reply-stored latency.
Prints JSON per run and the medians. Needs `wrk` (apt-get install wrk).

``--cpu`` adds where the CPU went during the webhook phase and the drain (CPU ms per accepted
execution for serve, worker, beat, postgres, redis, wrk, and everything else on the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/studio_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")

FLOW = {
    "description": "benchmark: reply to every inbound message",
    "initial_state": "Trigger",
    "flags": {"allow_concurrent_calls": True},
    "states": [
        {
            "name": "Trigger",
            "type": "trigger",
            "properties": {"offset": {"x": 0, "y": 0}},
            "transitions": [{"event": "incomingMessage", "next": "reply"}],
        },
        {
            "name": "reply",
            "type": "send-message",
            "properties": {
                "offset": {"x": 0, "y": 200},
                "body": "Thanks, {{trigger.message.Body}}!",
                "to": "{{contact.channel.address}}",
                "from": "{{flow.channel.address}}",
            },
            "transitions": [{"event": "sent"}, {"event": "failed"}],
        },
    ],
}


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_flow() -> tuple[Any, Any]:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from accounts.models import Account
    from executions.models import Execution, InboundEvent, Message
    from studio.models import Flow, FlowRevision

    Message.objects.all().delete()
    InboundEvent.objects.all().delete()
    Execution.objects.all().delete()
    account, _ = Account.objects.get_or_create(friendly_name="bench")
    Flow.objects.filter(account=account).delete()
    flow = Flow.objects.create(
        account=account, friendly_name="bench", status="published", revision=1, published_revision=1
    )
    FlowRevision.objects.create(
        flow=flow, revision=1, definition=FLOW, status="published", friendly_name="bench"
    )
    return account, flow


def write_requests(
    base_url: str, account: Any, flow: Any, prefix: Path, threads: int, per_thread: int, run: int
) -> None:
    from accounts.signing import twilio_signature

    path = f"/v1/Accounts/{account.sid}/Flows/{flow.sid}"
    for t in range(threads):
        with open(f"{prefix}.{t}", "w") as out:
            for i in range(per_thread):
                n = (run * threads + t) * per_thread + i
                params = {
                    "MessageSid": f"SM{n:032x}",
                    "AccountSid": account.sid,
                    "From": f"+1555{n:08d}",
                    "To": "+15005550006",
                    "Body": f"hello {n}",
                    "NumMedia": "0",
                    "SmsStatus": "received",
                }
                signature = twilio_signature(account.auth_token, base_url + path, params)
                out.write(f"{path}\t{signature}\t{urlencode(params)}\n")


def run_wrk(
    url: str, seconds: int, script: Path, arg: str, threads: int = 2, pause_ms: int = 0
) -> dict[str, Any]:
    cmd = [
        "wrk",
        f"-t{threads}",
        "-c32",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
        "--",
        arg,
        str(pause_ms),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT (\{.*\})", out)
    if not match:
        raise RuntimeError(out)
    result: dict[str, Any] = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def drain(flow: Any, timeout: float = 300.0) -> dict[str, Any]:
    from django.db import close_old_connections
    from django.db.models import Max, Min

    from executions.models import InboundEvent, Message

    close_old_connections()
    replies = Message.objects.filter(account=flow.account).exclude(direction="inbound")
    time.sleep(0.5)  # requests wrk had in flight when it stopped are recorded by now
    accepted = InboundEvent.objects.filter(flow=flow).count()
    pending = InboundEvent.objects.filter(flow=flow, status=InboundEvent.Status.PENDING)
    deadline = time.monotonic() + timeout
    # Cheap polls (the partial index on pending events) while the workers drain, so that the
    # benchmark's own queries cost PostgreSQL next to nothing.
    while time.monotonic() < deadline and pending.exists():
        time.sleep(0.1)
    while time.monotonic() < deadline and replies.count() < accepted:
        time.sleep(0.1)
    sent = replies.count()
    first_in = InboundEvent.objects.filter(flow=flow).aggregate(t=Min("date_created"))["t"]
    last_out = replies.aggregate(t=Max("date_created"))["t"]
    inbound_at = dict(
        InboundEvent.objects.filter(flow=flow).values_list("contact_channel_address", "date_created")
    )
    latencies = sorted(
        (created - inbound_at[to]).total_seconds() * 1000
        for to, created in replies.values_list("to_address", "date_created")
        if to in inbound_at
    )
    span = (last_out - first_in).total_seconds() if first_in and last_out else float("nan")
    return {
        "accepted": accepted,
        "replies": sent,
        "executions_per_s_end_to_end": accepted / span if span else float("nan"),
        "reply_p50_ms": latencies[len(latencies) // 2] if latencies else None,
        "reply_p99_ms": latencies[int(len(latencies) * 0.99) - 1] if latencies else None,
    }


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_snapshot(topo: Any) -> dict[str, float]:
    """CPU seconds so far per process group: the topology's processes by session, the rest by name."""
    import resource

    sessions = {proc.pid: name for name, proc in topo.procs.items()}
    out: dict[str, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        # utime + stime, plus cutime + cstime: the CPU of children already reaped (a PostgreSQL
        # backend that exits mid-run is counted in the postmaster's, not lost).
        session = int(fields[3])
        ticks = int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        if session in sessions:
            group = sessions[session]
        elif comm.startswith("postgres"):
            group = "postgres"
        elif comm.startswith("redis"):
            group = "redis"
        elif int(entry) == os.getpid():
            group = "bench"
        else:
            group = "other"
        out[group] = out.get(group, 0.0) + ticks / CLOCK_TICKS
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["wrk"] = children.ru_utime + children.ru_stime
    return out


def cpu_per_execution(before: dict[str, float], after: dict[str, float], executions: int) -> dict[str, float]:
    used = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after}
    return {f"cpu_ms_{k}": round(v * 1000 / max(executions, 1), 2) for k, v in sorted(used.items())}


def reset(flow: Any) -> None:
    from executions.models import Execution, InboundEvent, Message

    Message.objects.filter(account=flow.account).delete()
    InboundEvent.objects.filter(flow=flow).delete()
    Execution.objects.filter(flow=flow).delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=None, help="serve --threads (default: its own)")
    parser.add_argument("--celery-concurrency", type=int, default=4)
    parser.add_argument("--celery-pool", default="prefork")
    parser.add_argument("--cpu", action="store_true", help="report CPU ms per execution per process")
    parser.add_argument("--logs", type=Path, default=None, help="keep the processes' logs here")
    parser.add_argument(
        "--rate",
        type=int,
        default=0,
        help="offer about this many webhooks/s (each of the 32 connections pauses between "
        "requests) instead of as many as the server takes: latency under a sustained load",
    )
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    account, flow = setup_flow()
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
            web_threads=args.web_threads,
            celery_concurrency=args.celery_concurrency,
            celery_pool=args.celery_pool,
            extra_env={"STUDIO_BENCH_FLOOR": "1", "LOG_LEVEL": "WARNING"},
        ) as topo,
    ):
        floor_file = Path(tmp) / "floor"
        for t in range(2):
            Path(f"{floor_file}.{t}").write_text("/bench/floor\t\tx=1\n")
        per_thread = 1500 * args.seconds  # more unique requests than a run can send: no redeliveries
        for run in range(args.runs):
            reset(flow)
            floor = run_wrk(topo.base_url, args.seconds, script, str(floor_file))
            prefix = Path(tmp) / f"hooks{run}"
            write_requests(topo.base_url, account, flow, prefix, 2, per_thread, run)
            before = cpu_snapshot(topo)
            pause = round(32 * 1000 / args.rate) if args.rate else 0
            hook = run_wrk(topo.base_url, args.seconds, script, str(prefix), pause_ms=pause)
            end_to_end = drain(flow)
            cpu = cpu_per_execution(before, cpu_snapshot(topo), end_to_end["accepted"]) if args.cpu else {}
            row = {
                "run": run,
                "floor_rps": round(floor["rps"], 1),
                "floor_p50_ms": floor["p50_ms"],
                "floor_p99_ms": floor["p99_ms"],
                "webhook_rps": round(hook["rps"], 1),
                "webhook_p50_ms": hook["p50_ms"],
                "webhook_p99_ms": hook["p99_ms"],
                "webhook_non_2xx": hook["non_2xx"],
                "webhook_socket_errors": hook["socket_errors"],
                "ratio_to_floor": round(hook["rps"] / floor["rps"], 3),
                **{k: (round(v, 1) if isinstance(v, float) else v) for k, v in end_to_end.items()},
                **cpu,
            }
            results.append(row)
            print(json.dumps(row), flush=True)
    medians = {
        k: statistics.median(r[k] for r in results)
        for k in results[0]
        if k != "run" and all(isinstance(r[k], (int, float)) for r in results)
    }
    print("MEDIANS " + json.dumps(medians, indent=2))


if __name__ == "__main__":
    main()
