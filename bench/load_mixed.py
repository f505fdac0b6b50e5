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
import html
import itertools
import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
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
from twilio.request_validator import RequestValidator  # noqa: E402

from bench.load_capacity import Step, capacity, grew, memory_trend, next_rate, percentile  # noqa: E402
from tests.executions.factories import definition, on, state  # noqa: E402
from tests.faults.stack import PG_PORT, REDIS_PORT, PrivatePostgres, PrivateRedis, Stack  # noqa: E402
from tests.faults.traffic import ADDRESSES, CHANNEL, Inbound, conversation, new_contact, reconcile  # noqa: E402

RESULTS = ROOT / "var" / "reliability" / "load.json"
CORPUS = ROOT / "tests" / "corpus" / "functions" / "hello-world"
LOGGING_FUNCTION = """exports.handler = function (context, event, callback) {
  console.log('load invocation ' + event.n);
  callback(null, 'Hello world!');
};
"""
AGENT_CONVERSATIONS = 40
METRIC_OK = '["studio_function_invocations_total",{"outcome":"ok"}]'
METRIC_ERROR = '["studio_function_invocations_total",{"outcome":"error"}]'
KINDS = ("sms", "voice", "rest", "function", "agent")
REQUESTS_PER_SLOT = 7 / 6  # six slots: sms, sms, voice (two turns), rest, function, agent

Query = Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]


def voice_flow() -> dict[str, Any]:
    return definition(
        state(
            "menu",
            "gather-input-on-call",
            [on("keypress", "bye"), on("speech"), on("timeout")],
            say="Press a key",
        ),
        state("bye", "say-play", [on("audioComplete")], say="You pressed {{widgets.menu.Digits}}"),
        trigger=[on("incomingCall", "menu")],
    )


def rest_flow() -> dict[str, Any]:
    return definition(
        state(
            "note",
            "send-message",
            [on("sent"), on("failed")],
            body="Order {{flow.data.n}} shipped",
            **ADDRESSES,
        ),
        trigger=[on("incomingRequest", "note")],
    )


class Mix:
    def __init__(self, stack: Stack, sid: str, token: str, flows: dict[str, str]) -> None:
        self.stack, self.sid, self.token, self.flows = stack, sid, token, flows
        self.validator = RequestValidator(token)
        self.sms = Inbound(stack.base_url, sid, token, flows["chat"])
        self.phase = "setup"
        self.latency: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        self.status: dict[str, dict[str, dict[int, int]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(int))
        )
        self.waiting: list[str] = []  # contacts waiting for their reply
        self.replied: list[str] = []
        self.calls: list[str] = []
        self.rest: list[str] = []
        self.functions: dict[str, str] = {}  # name → url
        self.invoked: dict[str, list[int]] = defaultdict(list)  # function → n answered "Hello world!"
        self.function_other = 0  # 2xx with another body
        self.conversations: list[tuple[str, str]] = []  # (CH…, agent identity)
        self.agent_sent: list[str] = []  # bodies accepted (201)
        self.lock = threading.Lock()
        self.counters: dict[str, Iterator[int]] = defaultdict(itertools.count)

    def _note(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.status[self.phase][kind][status] += 1
            if 200 <= status < 300:
                self.latency[self.phase][kind].append(seconds)

    def _next(self, kind: str) -> int:
        with self.lock:
            return next(self.counters[kind])

    def sms_turn(self, client: httpx.Client) -> None:
        with self.lock:
            contact = self.waiting.pop(0) if self.waiting and random.random() < 0.5 else None
        if contact is None:
            sent = self.sms.send(client, new_contact("+1666"))
            if 200 <= sent.status < 300:
                with self.lock:
                    self.waiting.append(sent.contact)
        else:
            sent = self.sms.send(client, contact, "Ada")
            if 200 <= sent.status < 300:
                with self.lock:
                    self.replied.append(contact)
        self._note("sms", sent.status, sent.seconds)

    def _signed_post(self, client: httpx.Client, url: str, params: dict[str, str]) -> tuple[int, str, float]:
        signature = self.validator.compute_signature(url, params)
        started = time.monotonic()
        try:
            response = client.post(url, data=params, headers={"X-Twilio-Signature": signature})
            return response.status_code, response.text, time.monotonic() - started
        except httpx.HTTPError:
            return 0, "", time.monotonic() - started

    def voice_call(self, client: httpx.Client) -> None:
        call_sid = f"CA{time.time_ns():020x}{random.getrandbits(48):012x}"
        caller = new_contact("+1888")
        params = {
            "CallSid": call_sid, "AccountSid": self.sid, "From": caller, "To": CHANNEL, "Caller": caller,
            "Called": CHANNEL, "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01",
        }  # fmt: skip
        url = f"{self.stack.base_url}/v1/Accounts/{self.sid}/Flows/{self.flows['voice']}"
        status, body, seconds = self._signed_post(client, url, params)
        self._note("voice", status, seconds)
        match = re.search(r'action="([^"]+)"', body)
        if status != 200 or match is None:
            return
        action = html.unescape(match.group(1))
        status, body, seconds = self._signed_post(
            client, action, {**params, "CallStatus": "in-progress", "Digits": "7"}
        )
        self._note("voice", status, seconds)
        if status == 200:
            with self.lock:
                self.calls.append(call_sid)

    def rest_execution(self, client: httpx.Client) -> None:
        to = new_contact("+1999")
        url = f"{self.stack.base_url}/v2/Flows/{self.flows['rest']}/Executions"
        started = time.monotonic()
        try:
            status = client.post(
                url,
                data={"To": to, "From": CHANNEL, "Parameters": json.dumps({"n": 1})},
                auth=(self.sid, self.token),
            ).status_code
        except httpx.HTTPError:
            status = 0
        self._note("rest", status, time.monotonic() - started)
        if status == 201:
            with self.lock:
                self.rest.append(to)

    def function_call(self, client: httpx.Client) -> None:
        n = self._next("function")
        name = ("hello-world", "load-log")[n % 2]
        started = time.monotonic()
        try:
            response = client.get(self.functions[name], params={"n": str(n)})
            status, body = response.status_code, response.text
        except httpx.HTTPError:
            status, body = 0, ""
        self._note("function", status, time.monotonic() - started)
        with self.lock:
            if status == 200 and body == "Hello world!":
                self.invoked[name].append(n)
            elif 200 <= status < 300:
                self.function_other += 1

    def agent_message(self, client: httpx.Client) -> None:
        n = self._next("agent")
        conversation, agent = self.conversations[n % len(self.conversations)]
        body = f"agent reply {n}"
        url = f"{self.stack.base_url}/v1/Conversations/{conversation}/Messages"
        started = time.monotonic()
        try:
            status = client.post(
                url, data={"Author": agent, "Body": body}, auth=(self.sid, self.token)
            ).status_code
        except httpx.HTTPError:
            status = 0
        self._note("agent", status, time.monotonic() - started)
        if status == 201:
            with self.lock:
                self.agent_sent.append(body)

    def slots(self) -> list[Callable[[httpx.Client], None]]:
        return [
            self.sms_turn,
            self.voice_call,
            self.rest_execution,
            self.sms_turn,
            self.function_call,
            self.agent_message,
        ]


def run_traffic(mix: Mix, rate: float, seconds: float, threads: int) -> tuple[int, float]:
    """Slots at ``rate`` a second for ``seconds`` (open loop: each slot is due at its time; a
    thread late on its schedule sends at once). Returns (slots sent, seconds it took)."""
    kinds = mix.slots()
    start = time.monotonic()
    counter = iter(range(10**9))
    lock = threading.Lock()
    done = [0]

    def worker() -> None:
        with httpx.Client(timeout=30) as client:
            while True:
                with lock:
                    n = next(counter)
                due = start + n / rate
                if due - start >= seconds:
                    return
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                kinds[n % len(kinds)](client)
                with lock:
                    done[0] += 1

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return done[0], time.monotonic() - start


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
        )
        step.judge()
        steps.append(step)
        print(json.dumps({"probe": step.as_json()}), flush=True)
        rate = next_rate(steps)
    mix.phase = "drain"
    wait_quiet(query, queue)
    return steps


# -- memory -------------------------------------------------------------------------------------------


def _status_kib(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _postgres_role(pid: int) -> str:
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "gone"
    title = title.removeprefix("postgres: ").strip()
    return "backend" if "127.0.0.1" in title or "[local]" in title else title.split("  ")[0] or "postmaster"


def processes(stack: Stack, postmaster: int | None) -> dict[str, tuple[int, str]]:
    """label → (pid, /proc/…/status field to read). Python processes: VmRSS; PostgreSQL's:
    RssAnon (their private memory: VmRSS also counts the shared buffers a backend has touched)."""
    found: dict[str, tuple[int, str]] = {}
    for name, proc in stack.procs.items():
        found[f"{name} (main)"] = (proc.pid, "VmRSS")
        for n, child in enumerate(c for c in _children(proc.pid) if _status_kib(c, "VmRSS")):
            found[f"{name} child {n + 1} (pid {child})"] = (child, "VmRSS")
    if postmaster:
        found["postgres postmaster"] = (postmaster, "RssAnon")
        for child in _children(postmaster):
            role = _postgres_role(child)
            found[f"postgres {role} (pid {child})"] = (child, "RssAnon")
    return found


def sample_rss(
    stack: Stack,
    postmaster: int | None,
    every: float,
    stop: threading.Event,
    out: dict[str, list[tuple[float, int]]],
) -> None:
    start = time.monotonic()
    while True:
        now = time.monotonic() - start
        backends = 0
        for label, (pid, field) in processes(stack, postmaster).items():
            kib = _status_kib(pid, field)
            if kib is None:
                continue
            if label.startswith("postgres backend"):
                backends += kib
            out[label].append((now, kib))
        out["postgres backends (all, summed)"].append((now, backends))
        if stop.wait(every):
            return


def postmaster_pid(pg: PrivatePostgres) -> int | None:
    try:
        return int((pg.data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


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
