"""The traffic of ``bench/load_mixed.py``: its flows, and the ``Mix`` that sends one slot of a kind
(inbound SMS, voice turns, REST executions, function invocations, agent messages) and keeps what
was answered, per phase (probe steps, the held run)."""

from __future__ import annotations

import html
import itertools
import json
import random
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from twilio.request_validator import RequestValidator

from tests.executions.factories import definition, on, state
from tests.faults.stack import Stack
from tests.faults.traffic import ADDRESSES, CHANNEL, Inbound, new_contact


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
    thread late on its schedule sends at once, and all threads busy make the slots late). Returns
    (slots sent, seconds the sending took: ``seconds`` when every slot went out on time; the
    answers to the last slots are waited for but not counted in it)."""
    kinds = mix.slots()
    start = time.monotonic()
    counter = iter(range(10**9))
    lock = threading.Lock()
    done = [0]
    last_sent = [start]

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
                with lock:
                    last_sent[0] = max(last_sent[0], time.monotonic())
                kinds[n % len(kinds)](client)
                with lock:
                    done[0] += 1

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return done[0], max(seconds, last_sent[0] - start + 1 / rate)
