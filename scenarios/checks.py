"""What a scenario expects, compared with what happened: each check returns its differences.

An empty list means the check holds. Messages and requests are compared in order with those
made since the previous turn (``expect_messages``, ``expect_requests``), the TwiML with
``expect_twiml``, the execution at the end with ``expect``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from executions.models import Execution, Message
from scenarios.stubs import normalize_url


@dataclass
class Report:
    name: str
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def subset_mismatches(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where ``actual`` lacks or differs from ``expected`` (objects compared as subsets)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path or '.'}: expected an object, got {actual!r}"]
        out: list[str] = []
        for key, value in expected.items():
            if key not in actual:
                out.append(f"{path}.{key}: missing")
            else:
                out.extend(subset_mismatches(value, actual[key], f"{path}.{key}"))
        return out
    if expected != actual:
        return [f"{path or '.'}: expected {expected!r}, got {actual!r}"]
    return []


def message_mismatches(label: str, expected: list[dict[str, Any]], sent: list[Message]) -> list[str]:
    """``expect_messages`` against the messages sent during the step."""
    if len(sent) != len(expected):
        got = [m.body[:60] for m in sent]
        return [f"{label}: expected {len(expected)} message(s), got {len(sent)}: {got}"]
    out: list[str] = []
    for i, (want, msg) in enumerate(zip(expected, sent, strict=True)):
        actual = {"to": msg.to_address, "from": msg.from_address, "body": msg.body, "status": msg.status}
        for key in ("to", "from", "body", "status"):
            if key in want and want[key] != actual[key]:
                out.append(f"{label} message {i}: {key} expected {want[key]!r}, got {actual[key]!r}")
        if "body_contains" in want and str(want["body_contains"]) not in msg.body:
            out.append(f"{label} message {i}: body {msg.body[:80]!r} lacks {want['body_contains']!r}")
    return out


def request_mismatches(want: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """How a recorded request differs from an ``expect_requests`` entry."""
    out: list[str] = []
    if "method" in want and str(want["method"]).upper() != got["method"]:
        out.append(f"method expected {want['method']!r}, got {got['method']!r}")
    if "url" in want and normalize_url(want["url"]) != got["url"]:
        out.append(f"url expected {want['url']!r}, got {got['url']!r}")
    if "url_prefix" in want and not got["url"].startswith(normalize_url(want["url_prefix"])):
        out.append(f"url {got['url']!r} does not start with {want['url_prefix']!r}")
    if "body" in want and want["body"] != got["body"]:
        out.append(f"body expected {want['body']!r}, got {got['body']!r}")
    if "body_contains" in want and str(want["body_contains"]) not in got["body"]:
        out.append(f"body {got['body'][:80]!r} lacks {want['body_contains']!r}")
    for key in ("query", "form", "json"):
        if key in want:
            out.extend(subset_mismatches(want[key], got.get(key), key))
    if "headers" in want:
        lowered = {str(k).lower(): v for k, v in want["headers"].items()}
        out.extend(subset_mismatches(lowered, got["headers"], "headers"))
    return out


def requests_mismatches(
    label: str, expected: list[dict[str, Any]] | None, made: list[dict[str, Any]]
) -> list[str]:
    """The requests made during the step: none unstubbed, and as ``expect_requests`` says."""
    out = [
        f"{label}: unexpected request {req['method']} {req['url']} (no http stub matches)"
        for req in made
        if not req.get("matched")
    ]
    if expected is None:
        return out
    if len(made) != len(expected):
        got = [f"{r['method']} {r['url']}" for r in made]
        return [*out, f"{label}: expected {len(expected)} request(s), got {len(made)}: {got}"]
    for i, (want, got_req) in enumerate(zip(expected, made, strict=True)):
        out.extend(f"{label} request {i}: {problem}" for problem in request_mismatches(want, got_req))
    return out


def twiml_mismatches(root: Any, expect: dict[str, Any] | None) -> list[str]:
    """``expect_twiml`` against the parsed answer: ``verbs`` in order, ``contains``, ``empty``."""
    if expect is None:
        return []
    text = etree.tostring(root, encoding="unicode")
    if expect.get("empty"):
        return [] if len(root) == 0 else [f"expected <Response/>, got {text}"]
    out: list[str] = []
    verbs = [el.tag for el in root if isinstance(el.tag, str)]
    if "verbs" in expect and verbs != expect["verbs"]:
        out.append(f"verbs expected {expect['verbs']}, got {verbs}: {text}")
    for fragment in expect.get("contains", []):
        if fragment not in text:
            out.append(f"{fragment!r} not in {text}")
    return out


def final_mismatches(expect: dict[str, Any], execution: Execution, transcripts: Iterable[Any]) -> list[str]:
    """``expect`` against the execution at the end (and the transcripts of the account's calls)."""
    out: list[str] = []
    if "status" in expect and execution.status != expect["status"]:
        out.append(
            f"status: expected {expect['status']!r}, got {execution.status!r}; log={execution.log[-3:]}"
        )
    if "widget" in expect and execution.current_widget != expect["widget"]:
        out.append(f"widget: expected {expect['widget']!r}, got {execution.current_widget!r}")
    if "steps" in expect:
        steps = [
            f"{s.transitioned_from}-{s.name}->{s.transitioned_to}" for s in execution.steps.order_by("id")
        ]
        if steps != expect["steps"]:
            diff = difflib.unified_diff(expect["steps"], steps, "expected", "got", lineterm="", n=1)
            out.append(f"steps: expected {expect['steps']}, got {steps}\n" + "\n".join(list(diff)[2:]))
    if "context" in expect:
        out.extend(subset_mismatches(expect["context"], execution.context, "context"))
    if "log_codes" in expect:
        codes = sorted({e.get("code") for e in execution.log if e.get("code")})
        if codes != expect["log_codes"]:
            out.append(f"log_codes: expected {expect['log_codes']}, got {codes}")
    if "transcript_contains" in expect:
        said = json.dumps(list(transcripts), ensure_ascii=False)
        for fragment in expect["transcript_contains"]:
            if fragment not in said:
                out.append(f"transcript: {fragment!r} not in the call transcript")
    return out
