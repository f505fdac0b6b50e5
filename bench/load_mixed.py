"""Mixed traffic at 80% of the measured capacity, held for N minutes on the production topology,
then reconciled to zero loss, with every process's memory sampled.

Starts private instances (PostgreSQL, Redis: ``tests/faults/stack.py``; ``--pg-port`` and
``--redis-port`` choose their ports) and the production topology on them (`serve` with 2 web
processes, a Celery worker with 2 children, beat), deploys the corpus's hello-world Functions
service (``manage.py functions deploy``, one function added that logs its invocation), opens
Conversations with an SMS customer and an agent, then sends slots of six kinds in turn:

- ``sms`` (two slots in six): an inbound SMS that starts a conversation (send-and-wait-for-reply),
  or the reply that finishes one;
- ``voice``: a call reaching a flow (Gather), then the Gather's action with digits (two turns);
- ``rest``: a REST execution (``POST /v2/Flows/…/Executions``) that sends a message;
- ``function``: a deployed function invoked over ``/fn/{environment}/…`` (hello-world and the
  logging one in turn);
- ``agent``: an agent's reply on a conversation (``POST /v1/Conversations/{CH}/Messages`` with the
  agent as author), delivered to the customer as an SMS.

1. **Capacity probe** (unless ``--rate`` is given): the mix at a rising rate, ``--probe-seconds``
   per step (×1.5 while sustained, then one bisection step). A step is sustained when the
   schedule was kept (≥ 95% of the offered slots a second), ≤ 0.5% answered non-2xx, p99 ≤ 2 s and
   less than 2 s of work left queued behind the answers (pending inbound events + Celery queue).
   Capacity is the highest sustained rate.
2. **Held run**: ``--fraction`` (0.8) of it for ``--minutes``; RSS of every process (web master and
   workers, the Celery worker and its children, beat, PostgreSQL's processes: private memory)
   every ``--sample`` seconds; the first minute's median is compared with the last minute's.
3. **Reconciliation** over everything sent (probe included): every accepted SMS has its execution,
   steps and one reply; every answered call its second turn; every REST execution its message;
   every function invocation answered "Hello world!", counted in the metrics and (the logging
   function) one log line each; every agent message stored once and its SMS sent once.

Results go to stdout and ``var/reliability/load.json`` (``reliability_report`` reads it).

    .venv/bin/python bench/load_mixed.py --minutes 10            # probe, then 80% of capacity
    .venv/bin/python bench/load_mixed.py --minutes 1 --rate 20   # no probe: a fixed rate
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")  # this process only builds flow definitions

import django  # noqa: E402

django.setup()
logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request

import httpx  # noqa: E402
import psycopg  # noqa: E402
import redis  # noqa: E402

from bench.load_capacity import Step, capacity, grew, memory_trend, next_rate, percentile  # noqa: E402
from bench.load_memory import postmaster_pid, sample_rss  # noqa: E402
from bench.load_traffic import Mix, rest_flow, run_traffic, voice_flow  # noqa: E402
from tests.faults.stack import PrivatePostgres, PrivateRedis, Stack  # noqa: E402
from tests.faults.traffic import CHANNEL, conversation, reconcile  # noqa: E402

RESULTS = ROOT / "var" / "reliability" / "load.json"
# The bench's own private instances: not the fault suite's ports (tests/faults/stack.py: 5441, 6391).
PG_PORT, REDIS_PORT = 5440, 6390
CORPUS = ROOT / "tests" / "corpus" / "functions" / "hello-world"
LOGGING_FUNCTION = """exports.handler = function (context, event, callback) {
  console.log('load invocation ' + event.n);
  callback(null, 'Hello world!');
};
"""
AGENT_CONVERSATIONS = 40
METRIC_OK = '["studio_function_invocations_total",{"outcome":"ok"}]'
METRIC_ERROR = '["studio_function_invocations_total",{"outcome":"error"}]'

Query = Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]


# -- setup ------------------------------------------------------------------------------------------


def deploy_functions(stack: Stack, account_sid: str, mix: Mix) -> None:
    """The corpus's hello-world, plus one function that logs its invocation, deployed as the
    Toolkit would (``manage.py functions deploy``)."""
    project = stack.logs / "hello-world"
    shutil.copytree(CORPUS, project)
    (project / "functions" / "load-log.js").write_text(LOGGING_FUNCTION)
    deployed = json.loads(
        stack.manage("functions", "deploy", str(project), "--account", account_sid, "--json")
    )
    urls = {f["path"].lstrip("/"): f["url"] for f in deployed["functions"]}
    mix.functions = {name: urls[name] for name in ("hello-world", "load-log")}


def open_conversations(mix: Mix, count: int) -> None:
    """Conversations each with an SMS customer and an agent (chat identity), over the REST API."""
    base, auth = mix.stack.base_url, (mix.sid, mix.token)
    with httpx.Client(timeout=30, auth=auth) as client:
        for n in range(count):
            made = client.post(f"{base}/v1/Conversations", data={"FriendlyName": f"load {n}"})
            made.raise_for_status()
            sid = made.json()["sid"]
            participants = f"{base}/v1/Conversations/{sid}/Participants"
            customer = {"MessagingBinding.Address": f"+1777{n:07d}", "MessagingBinding.ProxyAddress": CHANNEL}
            client.post(participants, data=customer).raise_for_status()
            agent = f"agent-{n}"
            client.post(participants, data={"Identity": agent}).raise_for_status()
            mix.conversations.append((sid, agent))


# -- probe --------------------------------------------------------------------------------------------


def metric_totals(queue: redis.Redis) -> dict[str, float]:
    """The shared counters (``accounts.metrics``: one Redis hash the processes flush to)."""
    raw = cast(dict[bytes, bytes], queue.hgetall("studio:metrics"))
    return {k.decode(): float(v) for k, v in raw.items()}


def backlog(query: Query, queue: redis.Redis) -> int:
    pending = int(query("SELECT count(*) FROM executions_inboundevent WHERE status = 'pending'", ())[0][0])
    return pending + cast(int, queue.llen("celery"))


def wait_quiet(query: Query, queue: redis.Redis, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while (left := backlog(query, queue)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return left


def probe(mix: Mix, query: Query, queue: redis.Redis, args: argparse.Namespace) -> list[Step]:
    steps: list[Step] = []
    mix.phase = (
        "warm-up"  # cold starts (the functions' sandbox pool, each process's first requests) not judged
    )
    run_traffic(mix, args.probe_start / 2, args.warmup_seconds, args.threads)
    rate: float | None = args.probe_start
    while rate is not None and len(steps) < args.probe_steps:
        wait_quiet(query, queue)
        mix.phase = f"probe {len(steps) + 1}"
        done, elapsed = run_traffic(mix, rate, args.probe_seconds, args.threads)
        queued = backlog(query, queue)
        counts = [(s, c) for kinds in mix.status[mix.phase].values() for s, c in kinds.items()]
        latencies = [x for v in mix.latency[mix.phase].values() for x in v]
        step = Step(
            offered=rate,
            seconds=args.probe_seconds,
            slots_done=done,
            elapsed=elapsed,
            answered=sum(c for s, c in counts if 200 <= s < 300),
            refused=sum(c for s, c in counts if not 200 <= s < 300),
            p99_seconds=percentile(latencies, 99),
            backlog=queued,
            p99_ms_by_kind={k: round(percentile(v, 99) * 1000, 1) for k, v in mix.latency[mix.phase].items()},
        )
        step.judge()
        steps.append(step)
        print(json.dumps({"probe": step.as_json()}), flush=True)
        rate = next_rate(steps)
    mix.phase = "drain"
    wait_quiet(query, queue)
    return steps


# -- run ----------------------------------------------------------------------------------------------


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=1.0, help="the held run")
    parser.add_argument("--rate", type=float, default=0.0, help="slots a second; 0: probe, then --fraction")
    parser.add_argument("--fraction", type=float, default=0.8, help="of the measured capacity")
    parser.add_argument("--probe-start", type=float, default=10.0, help="slots a second")
    parser.add_argument("--probe-seconds", type=float, default=20.0)
    parser.add_argument("--probe-steps", type=int, default=8)
    parser.add_argument("--warmup-seconds", type=float, default=15.0, help="before the probe, not judged")
    parser.add_argument("--threads", type=int, default=48)
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between RSS samples")
    parser.add_argument("--pg-port", type=int, default=PG_PORT)
    parser.add_argument("--redis-port", type=int, default=REDIS_PORT)
    parser.add_argument("--database", default="h_load_mixed")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    before = uptime()
    pg, cache = PrivatePostgres(args.pg_port), PrivateRedis(args.redis_port)
    pg.start()
    cache.start()
    logs = Path(tempfile.mkdtemp(prefix="load-mixed-"))
    limits = {"STUDIO_API_RATE_LIMIT": "1000000/10s", "STUDIO_WEBHOOK_RATE_LIMIT": "1000000/10s"}
    stack = Stack(
        pg.createdb(args.database),
        cache.url,
        logs,
        extra_env={"SERVERLESS_ROOT": str(logs / "serverless"), **limits},
    )
    try:
        stack.manage("migrate", "--noinput", "-v", "0")
        account = stack.account("Load", {"chat": conversation(), "voice": voice_flow(), "rest": rest_flow()})
        mix = Mix(stack, account.sid, account.token, account.flows)
        stack.start()
        deploy_functions(stack, account.sid, mix)  # the build runs on the Celery worker
        open_conversations(mix, AGENT_CONVERSATIONS)
        queue = redis.Redis.from_url(cache.url)
        metrics_before = metric_totals(queue)

        def query(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
            with psycopg.connect(
                stack.database_url.replace("postgres://", "postgresql://"), autocommit=True
            ) as c:
                return list(c.execute(sql, params).fetchall())  # type: ignore[arg-type]

        steps: list[Step] = []
        if args.rate:
            rate = args.rate
        else:
            steps = probe(mix, query, queue, args)
            rate = round(args.fraction * capacity(steps), 1)
            if not rate:
                raise SystemExit("no probe step was sustained: no capacity to run at")
        rss: dict[str, list[tuple[float, int]]] = defaultdict(list)
        stop = threading.Event()
        sampler = threading.Thread(
            target=sample_rss, args=(stack, postmaster_pid(pg), args.sample, stop, rss), daemon=True
        )
        mix.phase = "held"
        sampler.start()
        done, elapsed = run_traffic(mix, rate, args.minutes * 60, args.threads)
        stop.set()
        sampler.join()
        mix.phase = "after"
        time.sleep(2.5)  # the metrics flushers (every second)
        figures = summarize(mix, query, queue, metrics_before, account.flows, rss, done, elapsed, rate, args)
        figures["capacity"] = {
            "slots_per_second": capacity(steps) if steps else None,
            "fraction": args.fraction if steps else None,
            "steps": [s.as_json() for s in steps],
        }
        figures["uptime_before"], figures["uptime_after"] = before, uptime()
    finally:
        stack.stop()
        cache.stop()
        pg.destroy()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))


def summarize(
    mix: Mix,
    query: Query,
    queue: redis.Redis,
    metrics_before: dict[str, float],
    flows: dict[str, str],
    rss: dict[str, list[tuple[float, int]]],
    done: int,
    elapsed: float,
    rate: float,
    args: argparse.Namespace,
) -> dict[str, Any]:
    sms = reconcile(query, flows["chat"], mix.sms.accepted()).figures()

    def count(sql: str, *params: Any) -> int:
        return int(query(sql, params)[0][0])

    flow = "(SELECT id FROM studio_flow WHERE sid = %s)"
    ended_replies = count(
        "SELECT count(*) FROM executions_message m JOIN executions_execution e ON e.id = m.execution_id "
        f"WHERE e.flow_id = {flow} AND m.widget = 'thanks'",
        flows["chat"],
    )
    voice_steps = count(
        f"SELECT count(*) FROM executions_step s JOIN executions_execution e ON e.id = s.execution_id "
        f"WHERE e.flow_id = {flow} AND s.transitioned_from = 'menu' AND s.transitioned_to = 'bye'",
        flows["voice"],
    )
    rest_executions = count(
        f"SELECT count(*) FROM executions_execution WHERE flow_id = {flow}", flows["rest"]
    )
    rest_sent = count(
        "SELECT count(DISTINCT e.id) FROM executions_message m JOIN executions_execution e ON e.id = m.execution_id "
        f"WHERE e.flow_id = {flow}",
        flows["rest"],
    )
    rest_messages = count(
        "SELECT count(*) FROM executions_message m JOIN executions_execution e ON e.id = m.execution_id "
        f"WHERE e.flow_id = {flow}",
        flows["rest"],
    )
    # Functions: every 200 "Hello world!" counted once by the metrics; the logging one logged once.
    metrics = metric_totals(queue)
    counted_ok = int(metrics.get(METRIC_OK, 0) - metrics_before.get(METRIC_OK, 0))
    counted_error = int(metrics.get(METRIC_ERROR, 0) - metrics_before.get(METRIC_ERROR, 0))
    log_rows = query("SELECT message FROM serverless_log WHERE message LIKE 'load invocation %%'", ())
    logged = [str(r[0]).rsplit(" ", 1)[-1] for r in log_rows]
    invoked = sum(len(v) for v in mix.invoked.values())
    logging_invoked = {str(n) for n in mix.invoked["load-log"]}
    # Agents: each accepted message stored once, its SMS to the customer accepted once and sent.
    stored = query(
        "SELECT body, count(*) FROM conversations_conversationmessage WHERE body LIKE 'agent reply %%' GROUP BY 1",
        (),
    )
    stored_bodies = {str(b): int(c) for b, c in stored}
    delivered_rows = query(
        "SELECT body, count(*), count(*) FILTER (WHERE status IN ('sent', 'delivered')) FROM executions_message "
        "WHERE body LIKE 'agent reply %%' GROUP BY 1",
        (),
    )
    sms_out = {str(b): (int(c), int(d)) for b, c, d in delivered_rows}
    accepted_agent = set(mix.agent_sent)

    held = "held"
    statuses = mix.status[held]
    total = sum(sum(v.values()) for v in statuses.values())
    trends = {label: memory_trend(samples) for label, samples in sorted(rss.items())}
    memory = {label: t for label, t in trends.items() if t}
    return {
        "minutes": round(elapsed / 60, 2),
        "offered_slots_per_second": rate,
        "achieved_slots_per_second": round(done / elapsed, 1),
        "requests_per_second": round(total / elapsed, 1),
        "requests": {k: dict(v) for k, v in statuses.items()},
        "latency_ms": {
            kind: {
                "p50": round(percentile(v, 50) * 1000, 1),
                "p99": round(percentile(v, 99) * 1000, 1),
                "n": len(v),
            }
            for kind, v in mix.latency[held].items()
        },
        "sms": {**sms, "replies_accepted": len(mix.replied), "replies_heard": ended_replies},
        "voice": {"calls_answered_both_turns": len(mix.calls), "second_turns_recorded": voice_steps},
        "rest": {
            "created": len(mix.rest),
            "executions": rest_executions,
            "executions_that_sent": rest_sent,
            "messages": rest_messages,
        },
        "function": {
            "answered_hello_world": invoked,
            "answered_otherwise_2xx": mix.function_other,
            "counted_ok_in_metrics": counted_ok,
            "counted_errors_in_metrics": counted_error,
            "logging_function_invoked": len(logging_invoked),
            "log_lines": len(logged),
            "log_lines_distinct": len(set(logged)),
            "invoked_without_log_line": len(logging_invoked - set(logged)),
        },
        "agent": {
            "accepted": len(accepted_agent),
            "stored": sum(stored_bodies.values()),
            "stored_twice": sum(1 for c in stored_bodies.values() if c > 1),
            "sms_to_customer": sum(c for c, _ in sms_out.values()),
            "sms_sent_or_delivered": sum(d for _, d in sms_out.values()),
            "sms_twice": sum(1 for c, _ in sms_out.values() if c > 1),
        },
        "lost": {
            "sms": sms["lost"] + max(0, len(mix.replied) - ended_replies),
            "voice": max(0, len(mix.calls) - voice_steps),
            "rest": max(0, len(mix.rest) - rest_sent),
            "function": max(0, invoked - counted_ok) + len(logging_invoked - set(logged)),
            "agent": len(accepted_agent - set(stored_bodies))
            + sum(1 for b in accepted_agent if sms_out.get(b, (0, 0))[1] < 1),
        },
        "doubled": {
            "sms": sms["doubled_executions"]
            + sms["replies_sent_twice"]
            + max(0, ended_replies - len(mix.replied)),
            "voice": max(0, voice_steps - len(mix.calls)),
            "rest": max(0, rest_executions - len(mix.rest)) + max(0, rest_messages - rest_sent),
            "function": max(0, counted_ok - invoked) + (len(logged) - len(set(logged))),
            "agent": sum(1 for c in stored_bodies.values() if c > 1)
            + sum(1 for c, _ in sms_out.values() if c > 1),
        },
        "memory": memory,
        "memory_grew": sorted(label for label, t in memory.items() if grew(t)),
        "processes_sampled": len(rss),
        "rss_sample_seconds": args.sample,
        "load_average_at_end": os.getloadavg(),
        "probe_and_setup_requests": {
            phase: {k: dict(v) for k, v in kinds.items()}
            for phase, kinds in mix.status.items()
            if phase != held
        },
    }


if __name__ == "__main__":
    main()
