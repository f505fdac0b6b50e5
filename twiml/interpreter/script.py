"""What the simulated caller does, and what the network around the call does.

    CallScript(inputs=["1", {"speech": "sales"}, "silence", "hangup"],
               dial=["busy"], record=[{"duration": 7, "digits": "#"}], pay=["success"],
               enqueue=["bridged"], call={"From": "+15550001111"})

Each list is consumed in order by the verbs that need it; when a list runs out the defaults
apply: silence for Gather, a 5 s recording ended by silence for Record, ``completed`` for Dial,
``bridged`` for Enqueue, ``success`` for Pay.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# (method, url, params) -> (HTTP status, body). For GET the params belong in the query string.
Fetcher = Callable[[str, str, dict[str, str]], tuple[int, str]]

DIAL_STATUSES = ("completed", "answered", "busy", "no-answer", "failed", "canceled")
QUEUE_RESULTS = (
    "bridged",
    "bridging-in-progress",
    "queue-full",
    "redirected",
    "leave",
    "hangup",
    "error",
    "system-error",
)
PAY_RESULTS = (
    "success",
    "too-many-failed-attempts",
    "payment-connector-error",
    "caller-interrupted-with-star",
    "caller-hung-up",
    "validation-error",
    "input-timeout",
    "internal-error",
)


def sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


@dataclass
class CallerInput:
    kind: str  # "digits" | "speech" | "silence" | "hangup"
    digits: str = ""
    speech: str = ""
    confidence: float = 0.9

    @classmethod
    def of(cls, item: Any) -> CallerInput:
        if isinstance(item, CallerInput):
            return item
        if item is None or item == "silence" or item == "":
            return cls("silence")
        if item == "hangup":
            return cls("hangup")
        if isinstance(item, (int, str)):
            text = str(item)
            if all(c in "0123456789*#" for c in text):
                return cls("digits", digits=text)
            return cls("speech", speech=text)
        if isinstance(item, dict):
            if item.get("hangup"):
                return cls("hangup")
            if item.get("silence"):
                return cls("silence")
            if "digits" in item:
                return cls("digits", digits=str(item["digits"]))
            if "speech" in item:
                return cls(
                    "speech", speech=str(item["speech"]), confidence=float(item.get("confidence", 0.9))
                )
        raise ValueError(f"unknown caller input {item!r}")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"input": self.kind}
        if self.kind == "digits":
            d["digits"] = self.digits
        if self.kind == "speech":
            d["speech"], d["confidence"] = self.speech, self.confidence
        return d


@dataclass
class CallScript:
    inputs: list[Any] = field(default_factory=list)
    dial: list[Any] = field(default_factory=list)
    record: list[Any] = field(default_factory=list)
    pay: list[Any] = field(default_factory=list)
    enqueue: list[Any] = field(default_factory=list)
    # Webhook parameters of the call: From, To, CallSid, AccountSid, Direction, any extra.
    call: dict[str, str] = field(default_factory=dict)
    # Who holds a caller that <Enqueue workflowSid> puts in a queue once the scripted enqueue
    # outcomes run out: given {"workflow_sid", "task", "priority", "timeout", "call"}, it returns
    # when the call leaves the queue, with {"result", "queue_sid", "queue_time"} (the host's
    # TaskRouter: the caller waits for an agent). None: the outcome is "bridged" at once.
    hold: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # The hold music of a held caller when <Enqueue> names no waitUrl: an audio URL (the host's
    # own, e.g. a Functions asset), or None for Twilio's default.
    hold_music: Callable[[], str | None] | None = None

    def __post_init__(self) -> None:
        self._cursor = {"inputs": 0, "dial": 0, "record": 0, "pay": 0, "enqueue": 0}

    def _next(self, name: str) -> Any:
        items = getattr(self, name)
        i = self._cursor[name]
        if i >= len(items):
            return None
        self._cursor[name] = i + 1
        return items[i]

    def next_input(self) -> CallerInput:
        return CallerInput.of(self._next("inputs"))

    def next_dial(self) -> dict[str, Any]:
        item = self._next("dial")
        out = {"status": item} if isinstance(item, str) else dict(item or {"status": "completed"})
        out.setdefault("status", "completed")
        if out["status"] not in DIAL_STATUSES:
            raise ValueError(f"dial outcome must be one of {DIAL_STATUSES}")
        return out

    def next_record(self) -> dict[str, Any]:
        item = self._next("record")
        if item in ("empty", "silence"):
            return {"duration": 0}
        if item == "hangup":
            return {"duration": 5, "digits": "hangup"}
        out = dict(item or {})
        out.setdefault("duration", 5)
        return out

    def next_pay(self) -> dict[str, Any]:
        item = self._next("pay")
        out = {"result": item} if isinstance(item, str) else dict(item or {"result": "success"})
        out.setdefault("result", "success")
        return out

    def scripted_enqueue_left(self) -> bool:
        return self._cursor["enqueue"] < len(self.enqueue)

    def next_enqueue(self) -> dict[str, Any]:
        item = self._next("enqueue")
        out = {"result": item} if isinstance(item, str) else dict(item or {})
        return out
