"""Traffic for the fault suite and the load bench: signed inbound SMS sent at a rate, and the
reconciliation that says what was accepted and lost or doubled afterwards."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
from twilio.request_validator import RequestValidator

from tests.executions.factories import definition, on, state

CHANNEL = "+15550000000"
_numbers = itertools.count(1)


ADDRESSES = {"from": "{{flow.channel.address}}", "to": "{{contact.channel.address}}"}


def conversation(timeout: str = "3600") -> dict[str, Any]:
    """Ask (send-and-wait-for-reply), then thank on a reply or say "late" on the timeout."""
    return definition(
        state(
            "ask",
            "send-and-wait-for-reply",
            [on("incomingMessage", "thanks"), on("timeout", "late"), on("deliveryFailure")],
            body="Hi {{trigger.message.Body}}, your name?",
            timeout=timeout,
            **{"from": "{{flow.channel.address}}"},
        ),
        state(
            "thanks",
            "send-message",
            [on("sent"), on("failed")],
            body="Thanks {{widgets.ask.inbound.Body}}",
            **ADDRESSES,
        ),
        state("late", "send-message", [on("sent"), on("failed")], body="Too late", **ADDRESSES),
        trigger=[on("incomingMessage", "ask"), on("incomingRequest", "ask")],
    )


def new_contact(prefix: str = "+1666") -> str:
    return f"{prefix}{next(_numbers):07d}"


@dataclass
class Sent:
    sid: str
    contact: str
    status: int  # 0: no answer (connection refused or reset)
    seconds: float


@dataclass
class Inbound:
    """Signs and sends inbound SMS to one flow's webhook."""

    base_url: str
    account_sid: str
    auth_token: str
    flow_sid: str
    sent: list[Sent] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def path(self) -> str:
        return f"/v1/Accounts/{self.account_sid}/Flows/{self.flow_sid}"

    def send(self, client: httpx.Client, contact: str, body: str = "hi") -> Sent:
        sid = f"SM{time.time_ns():020x}{next(_numbers):012x}"
        params = {
            "MessageSid": sid,
            "AccountSid": self.account_sid,
            "From": contact,
            "To": CHANNEL,
            "Body": body,
        }
        url = self.base_url + self.path
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        started = time.monotonic()
        try:
            status = client.post(url, data=params, headers={"X-Twilio-Signature": signature}).status_code
        except httpx.HTTPError:
            status = 0
        record = Sent(sid, contact, status, time.monotonic() - started)
        with self._lock:
            self.sent.append(record)
        return record

    def accepted(self) -> list[Sent]:
        return [s for s in self.sent if 200 <= s.status < 300]

    def statuses(self) -> Counter[int]:
        return Counter(s.status for s in self.sent)


def at_rate(rate: float, seconds: float, one: Callable[[httpx.Client], object], threads: int = 8) -> None:
    """Call ``one(client)`` ``rate`` times a second for ``seconds`` (from ``threads`` threads)."""
    total = int(rate * seconds)
    start = time.monotonic()
    local = threading.local()

    def job(n: int) -> None:
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(timeout=30)
        one(client)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(job, range(total)))


def in_background(target: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


@dataclass
class Reconciled:
    accepted: int
    lost: list[str]  # accepted contacts without an execution
    doubled_executions: list[str]  # contacts with more than one execution
    without_steps: int
    replies_doubled: int  # (execution, widget) pairs that sent more than one message
    without_reply: int  # executions that never sent their first message
    pending_left: int

    @property
    def clean(self) -> bool:
        return not (
            self.lost
            or self.doubled_executions
            or self.without_steps
            or self.replies_doubled
            or self.without_reply
            or self.pending_left
        )

    def figures(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "lost": len(self.lost),
            "doubled_executions": len(self.doubled_executions),
            "executions_without_steps": self.without_steps,
            "replies_sent_twice": self.replies_doubled,
            "executions_without_reply": self.without_reply,
            "events_left_pending": self.pending_left,
        }


Query = Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]


def wait_drained(query: Query, timeout: float = 90) -> int:
    """Wait until no inbound event is pending (beat's rescue included); returns how many are left."""
    deadline = time.monotonic() + timeout
    while True:
        left = int(query("SELECT count(*) FROM executions_inboundevent WHERE status = 'pending'", ())[0][0])
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.5)


def reconcile(query: Query, flow_sid: str, accepted: list[Sent], timeout: float = 90) -> Reconciled:
    """Every accepted first message has its execution, steps and one reply; nothing twice."""
    pending = wait_drained(query, timeout)
    flow = "(SELECT id FROM studio_flow WHERE sid = %s)"
    contacts = {s.contact for s in accepted}
    deadline = time.monotonic() + 30
    while True:  # the last runs and dispatches may trail the drain by a moment
        rows = query(
            f"SELECT contact_channel_address, count(*) FROM executions_execution WHERE flow_id = {flow} GROUP BY 1",
            (flow_sid,),
        )
        counts = {str(r[0]): int(r[1]) for r in rows}
        without_reply = int(
            query(
                f"SELECT count(*) FROM executions_execution e WHERE e.flow_id = {flow} AND NOT EXISTS "
                "(SELECT 1 FROM executions_message m WHERE m.execution_id = e.id AND m.direction <> 'inbound')",
                (flow_sid,),
            )[0][0]
        )
        lost = sorted(c for c in contacts if c not in counts)
        if (not lost and not without_reply) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    without_steps = int(
        query(
            f"SELECT count(*) FROM executions_execution e WHERE e.flow_id = {flow} AND NOT EXISTS "
            "(SELECT 1 FROM executions_step s WHERE s.execution_id = e.id)",
            (flow_sid,),
        )[0][0]
    )
    doubled = len(
        query(
            "SELECT m.execution_id, m.widget FROM executions_message m JOIN executions_execution e "
            f"ON e.id = m.execution_id WHERE e.flow_id = {flow} AND m.direction <> 'inbound' "
            "GROUP BY 1, 2 HAVING count(*) > 1",
            (flow_sid,),
        )
    )
    return Reconciled(
        accepted=len(accepted),
        lost=lost,
        doubled_executions=sorted(c for c in contacts if counts.get(c, 0) > 1),
        without_steps=without_steps,
        replies_doubled=doubled,
        without_reply=without_reply,
        pending_left=pending,
    )
