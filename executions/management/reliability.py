"""The figures of the reliability report, as the tests left them in ``var/reliability/``.

- ``junit.xml``: pytest's record of a run (``make test`` and ``make reliability`` write it): the
  tests passed, failed and skipped, grouped into the report's suites, and when the run started;
- ``faults.json``, ``fuzz.json``, ``isolation.json``: what the fault suite, the API fuzzer and the
  isolation matrix measured, each entry stamped ``measured_at`` (UTC, ISO 8601);
- ``load.json``: the mixed-load bench (``bench/load_mixed.py``), never part of a test run.

Each file keeps the last measurement of each entry, whichever run made it; ``this_run`` keeps only
what the run of ``junit.xml`` measured, so that CI reports (and fails on) its own figures alone.
``problems`` lists the figures that show a leak, a lost or doubled message, or a server error.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Figures = dict[str, Any]

# (title, pytest paths): the suites the report counts; a test belongs to the first that names it.
SUITES: list[tuple[str, list[str]]] = [
    ("API fuzzing", ["tests/hardening/test_fuzz_api.py", "tests/hardening/test_fuzz_findings.py"]),
    ("Isolation matrix and inert user text", ["tests/hardening/test_isolation_matrix.py", "tests/hardening/test_isolation_websockets.py", "tests/e2e/test_user_text_inert.py"]),
    ("Property tests", ["tests/hardening/test_properties.py"]),
    ("No transaction open on the network", ["tests/executions/test_network_outside_transactions.py"]),
    ("Limits, guards and safe defaults", ["tests/hardening", "tests/ops/test_limits.py", "tests/ops/test_safe_defaults.py"]),
    ("Embedded mode under load (SQLite)", ["tests/ops/test_embedded_load.py", "tests/ops/test_embedded_rescue.py"]),
    ("Faults injected", ["tests/faults"]),
]  # fmt: skip
ALL = "All tests of the run"

# Fault figures that must be 0: a message lost or doubled, a run without its steps, a leftover.
MUST_BE_ZERO = {
    "lost": "accepted messages lost",
    "doubled_executions": "messages that ran twice",
    "replies_sent_twice": "replies sent twice",
    "executions_without_steps": "executions without steps",
    "events_left_pending": "inbound events left pending",
}


def now() -> str:
    """The stamp tests put on what they measure (``measured_at``)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def when(stamp: str | None) -> str:
    """A stamp as the report shows it (``2026-12-08 01:02 UTC``)."""
    if not stamp:
        return "date unknown"
    return dt.datetime.fromisoformat(stamp).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass
class Run:
    """One pytest run, from its junit XML."""

    started: str  # ISO 8601, the session's start
    suites: dict[str, dict[str, int]] = field(default_factory=dict)  # title (and ALL) → counts

    def measured(self, entry: Figures) -> bool:
        """Whether ``entry`` was measured during this run (stamps are to the second)."""
        stamp = entry.get("measured_at")
        if not isinstance(stamp, str):
            return False
        start = dt.datetime.fromisoformat(self.started).replace(microsecond=0)
        return dt.datetime.fromisoformat(stamp) >= start


def _module(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def read_junit(path: Path) -> Run | None:
    """The run's counts by suite (and in all), or None when there is no readable record."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    if not suites:
        return None
    run = Run(started=suites[0].get("timestamp") or now())
    for case in root.iter("testcase"):
        kinds = {child.tag for child in case}
        outcome = "failed" if kinds & {"failure", "error"} else "skipped" if "skipped" in kinds else "passed"
        module = case.get("classname", "")
        titles = [ALL]
        for title, paths in SUITES:
            if any(module == _module(p) or module.startswith(_module(p) + ".") for p in paths):
                titles.append(title)
                break
        for title in titles:
            counts = run.suites.setdefault(title, {"passed": 0, "failed": 0, "skipped": 0})
            counts[outcome] += 1
    return run


def read(path: Path) -> Figures:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def this_run(run: Run | None, entries: Figures) -> Figures:
    """The entries (name → figures) that ``run`` measured."""
    if run is None:
        return {}
    return {k: v for k, v in entries.items() if isinstance(v, dict) and run.measured(v)}


def problems(faults: Figures, fuzz: Figures, isolation: Figures, load: Figures) -> list[str]:
    """Every figure that shows a leak, a lost or doubled message, or a server error."""
    found: list[str] = []
    for name, f in sorted(faults.items()):
        for key, what in MUST_BE_ZERO.items():
            if f.get(key):
                found.append(f"fault {name!r}: {f[key]} {what}")
        reached = str(f.get("tasks_reached_agents", ""))
        if " of " in reached and reached.split(" of ")[0] != reached.split(" of ")[1]:
            found.append(f"fault {name!r}: tasks reached agents {reached}")
    if fuzz.get("server_errors_or_schema_breaks"):
        found.append(f"fuzzing: {fuzz['server_errors_or_schema_breaks']} server errors or schema breaks")
    for name, figures in sorted(isolation.items()):
        if isinstance(figures, dict) and figures.get("problems"):
            found.append(f"isolation {name}: {figures['problems']} leaks or wrong answers")
    for kind in ("lost", "doubled"):
        for what, n in sorted((load.get(kind) or {}).items()):
            if n:
                found.append(f"load: {n} {what} {kind}")
    return found


def render_suites(run: Run) -> list[str]:
    out = [
        f"Counted from pytest's record of the run that started {when(run.started)} "
        "(`var/reliability/junit.xml`).",
        "",
        "| Suite | Passed | Failed | Skipped |",
        "| --- | ---: | ---: | ---: |",
    ]
    for title in [t for t, _ in SUITES] + [ALL]:
        c = run.suites.get(title)
        if c:
            name = f"**{title}**" if title == ALL else title
            out.append(f"| {name} | {c['passed']} | {c['failed']} | {c['skipped']} |")
    return out


def render_fuzz_and_isolation(fuzz: Figures, isolation: Figures) -> list[str]:
    """The fuzzer's and the isolation matrix's figures (either may be missing)."""
    out = ["| Figure | Value | Measured |", "| --- | --- | --- |"]
    if fuzz:
        measured = when(fuzz.get("measured_at"))
        out += [
            f"| operations of `/api/schema/` fuzzed | {fuzz['operations']} | {measured} |",
            f"| cases (authenticated, derandomized) | {fuzz['cases']:,} "
            f"({fuzz.get('cases_per_operation', '?')} per operation) | {measured} |",
            f"| server errors or schema breaks | {fuzz['server_errors_or_schema_breaks']} | {measured} |",
        ]
    cross = isolation.get("cross_account")
    if isinstance(cross, dict):
        measured = when(cross.get("measured_at"))
        out += [
            f"| routes covered by the cross-account matrix | {cross['routes']} | {measured} |",
            f"| requests by another account (API credentials and console session) | {cross['tried']:,} "
            f"| {measured} |",
            f"| leaks or wrong answers to another account | {cross['problems']} | {measured} |",
        ]
    viewer = isolation.get("viewer_writes")
    if isinstance(viewer, dict):
        measured = when(viewer.get("measured_at"))
        out += [
            f"| writes tried as a viewer | {viewer['tried']} | {measured} |",
            f"| viewer writes not refused 403 | {viewer['problems']} | {measured} |",
        ]
    sockets = isolation.get("websockets")
    if isinstance(sockets, dict):
        measured = when(sockets.get("measured_at"))
        out += [
            f"| WebSocket connections tried by another account | {sockets['tried']} | {measured} |",
            f"| WebSocket connections another account got | {sockets['problems']} | {measured} |",
        ]
    return out
