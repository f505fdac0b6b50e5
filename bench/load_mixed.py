"""Mixed traffic held for N minutes on the production topology, then reconciled to zero loss.

Starts private instances (PostgreSQL on 5440, Redis on 6390: ``tests/faults/stack.py``) and the
production topology on them (`serve` with 2 web processes, a Celery worker, beat), then sends at
``--rate`` requests a second, split between:

- ``sms``: an inbound SMS that starts a conversation (send-and-wait-for-reply), and later the
  reply that finishes it (two webhooks per conversation);
- ``voice``: a call reaching a flow (Gather), then the Gather's action with digits (two turns);
- ``rest``: a REST execution (``POST /v2/Flows/…/Executions``) that sends a message.

(Function invocations and agent messages are not part of the mix yet.)

Afterwards: every accepted request has its execution and steps, no reply was sent twice; the
RSS of every process is sampled every ``--sample`` seconds (first, peak, last); p50/p99 latency
per kind. Results go to stdout and ``var/reliability/load.json`` (``reliability_report`` reads it).

    .venv/bin/python bench/load_mixed.py --minutes 10 --rate 40
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import random
import re
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")  # this process only builds flow definitions

import django  # noqa: E402

django.setup()
logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request

import httpx  # noqa: E402
import psycopg  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from tests.executions.factories import definition, on, state  # noqa: E402
from tests.faults.stack import PrivatePostgres, PrivateRedis, Stack, rss_kib  # noqa: E402
from tests.faults.traffic import ADDRESSES, CHANNEL, Inbound, conversation, new_contact, reconcile  # noqa: E402

RESULTS = ROOT / "var" / "reliability" / "load.json"


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


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Mix:
    def __init__(self, stack: Stack, sid: str, token: str, flows: dict[str, str]) -> None:
        self.stack, self.sid, self.token, self.flows = stack, sid, token, flows
        self.validator = RequestValidator(token)
        self.sms = Inbound(stack.base_url, sid, token, flows["chat"])
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.waiting: list[str] = []  # contacts waiting for their reply
        self.replied: list[str] = []
        self.calls: list[str] = []
        self.rest: list[str] = []
        self.lock = threading.Lock()

    def _note(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.status[kind][status] += 1
            if 200 <= status < 300:
                self.latency[kind].append(seconds)

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
        with self.lock:
            self.calls.append(call_sid)
        action = html.unescape(match.group(1))
        status, body, seconds = self._signed_post(
            client, action, {**params, "CallStatus": "in-progress", "Digits": "7"}
        )
        self._note("voice", status, seconds)

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


def run_traffic(mix: Mix, rate: float, seconds: float, threads: int) -> None:
    kinds = [mix.sms_turn, mix.sms_turn, mix.voice_call, mix.rest_execution]  # voice: 2 turns
    start = time.monotonic()
    counter = iter(range(10**9))
    lock = threading.Lock()

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

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def sample_rss(stack: Stack, every: float, stop: threading.Event, out: dict[str, list[int]]) -> None:
    while not stop.wait(every):
        for name, pids in stack.pids().items():
            total = sum(rss_kib(pid) or 0 for pid in pids)
            out[name].append(total)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--rate", type=float, default=40.0, help="requests a second, all kinds together")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between RSS samples")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    pg, redis = PrivatePostgres(), PrivateRedis()
    pg.start()
    redis.start()
    stack = Stack(pg.createdb("load"), redis.url, Path(tempfile.mkdtemp(prefix="load-mixed-")))
    try:
        stack.manage("migrate", "--noinput", "-v", "0")
        account = stack.account("Load", {"chat": conversation(), "voice": voice_flow(), "rest": rest_flow()})
        stack.start()
        mix = Mix(stack, account.sid, account.token, account.flows)
        rss: dict[str, list[int]] = defaultdict(list)
        stop = threading.Event()
        sampler = threading.Thread(target=sample_rss, args=(stack, args.sample, stop, rss), daemon=True)
        sampler.start()
        started = time.monotonic()
        run_traffic(mix, args.rate, args.minutes * 60, args.threads)
        elapsed = time.monotonic() - started
        stop.set()

        def query(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
            with psycopg.connect(
                stack.database_url.replace("postgres://", "postgresql://"), autocommit=True
            ) as c:
                return list(c.execute(sql, params).fetchall())  # type: ignore[arg-type]

        sms = reconcile(query, account.flows["chat"], mix.sms.accepted())
        figures = summarize(mix, query, account.flows, sms.figures(), rss, elapsed, args)
    finally:
        stack.stop()
        redis.stop()
        pg.destroy()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))


def summarize(
    mix: Mix,
    query: Any,
    flows: dict[str, str],
    sms: dict[str, Any],
    rss: dict[str, list[int]],
    elapsed: float,
    args: argparse.Namespace,
) -> dict[str, Any]:
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
    rest_sent = count(
        "SELECT count(DISTINCT e.id) FROM executions_message m JOIN executions_execution e ON e.id = m.execution_id "
        f"WHERE e.flow_id = {flow}",
        flows["rest"],
    )
    return {
        "minutes": round(elapsed / 60, 2),
        "offered_rate_per_second": args.rate,  # slots: a voice slot is two turns
        "requests_per_second": round(sum(sum(v.values()) for v in mix.status.values()) / elapsed, 1),
        "requests": {k: dict(v) for k, v in mix.status.items()},
        "latency_ms": {
            kind: {
                "p50": round(percentile(v, 50) * 1000, 1),
                "p99": round(percentile(v, 99) * 1000, 1),
                "n": len(v),
            }
            for kind, v in mix.latency.items()
        },
        "sms": {**sms, "replies_accepted": len(mix.replied), "replies_heard": ended_replies},
        "voice": {"calls_answered": len(mix.calls), "second_turns_recorded": voice_steps},
        "rest": {"created": len(mix.rest), "executions_that_sent": rest_sent},
        "lost": {
            "sms": sms["lost"] + max(0, len(mix.replied) - ended_replies),
            "voice": max(0, len(mix.calls) - voice_steps),
            "rest": max(0, len(mix.rest) - rest_sent),
        },
        "rss_mib": {
            name: {
                "first": round(v[0] / 1024, 1),
                "peak": round(max(v) / 1024, 1),
                "last": round(v[-1] / 1024, 1),
                "samples": len(v),
            }
            for name, v in rss.items()
            if v
        },
        "load_average_at_end": os.getloadavg(),
    }


if __name__ == "__main__":
    main()
