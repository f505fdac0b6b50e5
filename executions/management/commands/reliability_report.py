"""Regenerate the figures of docs/RELIABILITY.md from the suites that measure them.

    manage.py reliability_report                # bounded: the suites CI runs (≈2 min)
    manage.py reliability_report --full         # + every fault on the production topology
    manage.py reliability_report --load-minutes 10  # + the mixed-load bench (probe, then 80%)

Runs pytest over each suite (junit XML: tests passed/failed), reads the figures the fault suite
and the load bench leave in ``var/reliability/`` (faults.json, load.json), and rewrites only the
part of docs/RELIABILITY.md between ``<!-- reliability:begin -->`` and ``<!-- reliability:end -->``
(other sections, e.g. "Fuzzing and isolation", are left as they are). ``--no-run`` only rewrites
the document from the figures already there.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from studio.conf import studio_settings

ROOT = Path(settings.BASE_DIR)
VAR = ROOT / "var" / "reliability"
DOC = ROOT / "docs" / "RELIABILITY.md"
BEGIN, END = "<!-- reliability:begin -->", "<!-- reliability:end -->"

# (title, pytest arguments): what is counted. The fault suite is last (it writes faults.json).
SUITES: list[tuple[str, list[str]]] = [
    ("No transaction open on the network", ["tests/executions/test_network_outside_transactions.py"]),
    ("Limits, guards and safe defaults", ["tests/hardening", "tests/ops/test_limits.py", "tests/ops/test_safe_defaults.py"]),
    ("Embedded mode under load (SQLite)", ["tests/ops/test_embedded_load.py", "tests/ops/test_embedded_rescue.py"]),
    ("Faults injected", ["tests/faults"]),
]  # fmt: skip


def limits() -> list[tuple[str, str, str]]:
    """(limit, value, answer) — each answer is asserted by a test under tests/hardening or tests/ops."""
    s = studio_settings
    return [
        ("REST API requests per account", s.API_RATE_LIMIT, "429, code 20429, `Retry-After`"),
        ("Inbound webhooks per account and web process", s.WEBHOOK_RATE_LIMIT, "429, code 20429, `Retry-After`"),
        ("Failed console sign-ins per user / per address", f"{s.LOGIN_FAILURES_PER_USER} / {s.LOGIN_FAILURES_PER_ADDRESS}", "429, a clear message"),
        ("Failed API authentications per address", s.API_AUTH_FAILURES_PER_ADDRESS, "429, code 20429"),
        ("Request body", f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes", "413 in Twilio's error shape"),
        ("JSON nesting (definitions, bodies, Parameters)", "bounded depth", "400, code 20001"),
        ("Flow size", "1,000 states, 1 MiB", "400, code 81022"),
        ("Steps per execution / same widget in a row", f"{s.MAX_STEPS} / {s.MAX_SAME_WIDGET_REPEATS}", "execution ends, 81000 / 81001"),
        ("Liquid output / any value built / loop", f"{s.LIQUID_OUTPUT_LIMIT:,} B / {s.LIQUID_VALUE_LIMIT:,} B / {s.LIQUID_LOOP_LIMIT}", "81018"),
        ("Split regex on stranger text", f"{s.REGEX_TIMEOUT_SECONDS} s", "no match"),
        ("Widget HTTP: time / body", f"{s.HTTP_TIMEOUT_SECONDS:g} s / {s.HTTP_MAX_BODY_BYTES:,} B", "`failed`, 81016; blocked address 81014"),
        ("A widget parked on the network", f"safety timer {float(s.HTTP_TIMEOUT_SECONDS) * 3 + 30:g} s", "`failed` (timeout), never sent twice"),
    ]  # fmt: skip


class Command(BaseCommand):
    help = "Run the reliability suites and rewrite the figures in docs/RELIABILITY.md."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--full", action="store_true", help="every fault (FAULTS_FULL=1), not the bounded form"
        )
        parser.add_argument(
            "--no-run", action="store_true", help="only rewrite the document from var/reliability"
        )
        parser.add_argument("--load-minutes", type=float, default=0.0, help="also run bench/load_mixed.py")
        parser.add_argument(
            "--load-rate", type=float, default=0.0, help="slots/s; 0: probe the capacity, run at 80%% of it"
        )
        parser.add_argument("--output", type=Path, default=DOC)

    def handle(self, *args: Any, **opts: Any) -> None:
        VAR.mkdir(parents=True, exist_ok=True)
        suites = json.loads((VAR / "suites.json").read_text()) if (VAR / "suites.json").exists() else {}
        if not opts["no_run"]:
            env = {**os.environ, "DJANGO_DEBUG": "true"}
            if opts["full"]:
                env["FAULTS_FULL"] = "1"
            for title, paths in SUITES:
                self.stdout.write(f"running {title}: {' '.join(paths)}")
                suites[title] = run_suite(paths, env)
            suites["_mode"] = "full" if opts["full"] else "bounded"
            (VAR / "suites.json").write_text(json.dumps(suites, indent=2))
            if opts["load_minutes"]:
                bench = [sys.executable, "bench/load_mixed.py", "--minutes", str(opts["load_minutes"])]
                subprocess.run([*bench, "--rate", str(opts["load_rate"])], cwd=ROOT, check=True)
        document = render(suites, read(VAR / "faults.json"), read(VAR / "load.json"))
        write(opts["output"], keep_unmeasured(document, opts["output"]))
        self.stdout.write(f"wrote {opts['output']}")


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {}


def run_suite(paths: list[str], env: dict[str, str]) -> dict[str, Any]:
    xml = VAR / "junit.xml"
    command = [sys.executable, "-m", "pytest", *paths, "-q", "-p", "no:randomly", f"--junitxml={xml}"]
    subprocess.run(command, cwd=ROOT, env=env, check=False)
    counts: dict[str, Any] = {"passed": 0, "failed": 0, "skipped": 0}
    if xml.exists():
        for suite in ET.parse(xml).getroot().iter("testsuite"):
            tests, failures = (
                int(suite.get("tests", 0)),
                int(suite.get("failures", 0)) + int(suite.get("errors", 0)),
            )
            skipped = int(suite.get("skipped", 0))
            counts["failed"] += failures
            counts["skipped"] += skipped
            counts["passed"] += tests - failures - skipped
        xml.unlink()
    counts["date"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return counts


def render(suites: dict[str, Any], faults: dict[str, Any], load: dict[str, Any]) -> str:
    out = [BEGIN, "", "## Suites", ""]
    mode = suites.get("_mode", "?")
    out += [
        f"Last run: {mode} form (`manage.py reliability_report{' --full' if mode == 'full' else ''}`).",
        "",
    ]
    out += ["| Suite | Passed | Failed | Skipped | When |", "| --- | ---: | ---: | ---: | --- |"]
    for title, _ in SUITES:
        c = suites.get(title)
        if c:
            out.append(f"| {title} | {c['passed']} | {c['failed']} | {c['skipped']} | {c['date']} |")
    out += ["", "## Faults injected", ""]
    if faults:
        out += [
            "| Fault (during traffic) | Sent | Accepted (2xx) | Lost | Ran twice | Replies sent twice | "
            "Without steps | Left pending | Back to normal | Tasks reached agents |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, f in sorted(faults.items()):
            out.append(
                f"| {name} | {f.get('sent', 0)} | {f['accepted']} | {f['lost']} | {f['doubled_executions']} | "
                f"{f['replies_sent_twice']} | {f['executions_without_steps']} | {f['events_left_pending']} | "
                f"{f.get('recovered_in_seconds', '?')} s | {f.get('tasks_reached_agents', 'not checked')} |"
            )
        out += [
            "",
            "Requests not answered 2xx were refused or cut while the fault lasted (Twilio retries those).",
        ]
        for name, f in sorted(faults.items()):
            answered = ", ".join(f"{k or 'no answer'}: {v}" for k, v in f.get("answered", {}).items())
            extra = {
                k: v
                for k, v in f.items()
                if k in ("timeouts_fired", "replies_heard", "downtime_seconds", "offered_in_seconds")
            }
            out.append(f"- {name}: answered {answered}" + (f"; {extra}" if extra else ""))
    else:
        out.append("Not run yet.")
    out += ["", "## Load held", ""]
    out += render_load(load) if load else ["Not run yet."]
    out += ["", "## Limits and their answers", "", "| Limit | Value | Answer |", "| --- | --- | --- |"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in limits()]
    out += ["", END]
    return "\n".join(out)


def render_load(load: dict[str, Any]) -> list[str]:
    """The mixed-load bench's figures (``var/reliability/load.json``)."""
    out: list[str] = []
    cap = load.get("capacity") or {}
    if cap.get("slots_per_second"):
        out += [
            f"Capacity probe (same run, same stack): the mix at a rising rate; the highest rate sustained "
            f"was **{cap['slots_per_second']:g} slots/s**, held below at {cap['fraction']:.0%} of it.",
            "",
            "| Step | Offered slots/s | Achieved | Answered | Not 2xx | p99 | Queued at end | Sustained |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for n, st in enumerate(cap.get("steps", []), 1):
            verdict = "yes" if st["sustained"] else "no: " + "; ".join(st["why_not"])
            out.append(
                f"| {n} | {st['offered_slots_per_second']:g} | {st['achieved_slots_per_second']:g} | "
                f"{st['answered']:,} | {st['refused']:,} | {st['p99_ms']:g} ms | {st['backlog_at_end']} | {verdict} |"
            )
        out.append("")
    else:
        out += ["No capacity probe in this run (a fixed rate was given).", ""]
    out += [
        f"Held: {load['minutes']} minutes at {load.get('offered_slots_per_second', '?')} slots/s "
        f"(achieved {load.get('achieved_slots_per_second', '?')}; {load.get('requests_per_second', '?')} "
        "requests/s: a voice slot is two turns) with `bench/load_mixed.py`, production topology "
        "(`serve` with 2 web processes, Celery worker with 2 children, beat) on private PostgreSQL and Redis.",
        "",
        "| Kind | Requests answered (status: count) | p50 | p99 | Lost | Doubled |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, lat in sorted(load.get("latency_ms", {}).items()):
        answered = ", ".join(f"{k}: {v:,}" for k, v in sorted(load["requests"].get(kind, {}).items()))
        lost = load.get("lost", {}).get(kind, "?")
        doubled = load.get("doubled", {}).get(kind, "?")
        out.append(f"| {kind} | {answered} | {lat['p50']} ms | {lat['p99']} ms | {lost} | {doubled} |")
    out += ["", "Reconciled over everything sent in the run (probe included):", ""]
    for kind in ("sms", "voice", "rest", "function", "agent"):
        if kind in load:
            out.append(
                f"- {kind}: " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in load[kind].items())
            )
    memory = load.get("memory") or {}
    if memory:
        out += [
            "",
            f"Memory (RSS; PostgreSQL's processes: private memory), sampled every {load.get('rss_sample_seconds', '?')} s: "
            "median of the held run's first minute against its last.",
            "",
            "| Process | First minute | Last minute | Growth | Peak |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for name, m in memory.items():
            out.append(
                f"| {name} | {m['first_minute_mib']} MiB | {m['last_minute_mib']} MiB | "
                f"{m['growth_mib']:+} MiB | {m['peak_mib']} MiB |"
            )
        grew = load.get("memory_grew") or []
        out += ["", "Grew (more than 8 MiB and 5%): " + (", ".join(grew) if grew else "none") + "."]
    elif load.get("rss_mib"):
        out += ["", "| Process | RSS first | RSS peak | RSS last |", "| --- | ---: | ---: | ---: |"]
        for name, r in sorted(load["rss_mib"].items()):
            out.append(f"| {name} | {r['first']} MiB | {r['peak']} MiB | {r['last']} MiB |")
    if load.get("uptime_before"):
        out += ["", f"`uptime` before: {load['uptime_before']}; after: {load['uptime_after']}."]
    else:
        average = ", ".join(f"{x:.1f}" for x in load.get("load_average_at_end") or [])
        out += ["", f"Load average (1, 5, 15 min) at the end: {average}."]
    if load.get("note"):
        out += ["", str(load["note"])]
    return out


def sections(block: str) -> dict[str, str]:
    """``## Heading`` → its text (up to the next heading or the end marker)."""
    found: dict[str, str] = {}
    parts = block.split(END, 1)[0].split("\n## ")
    for part in parts[1:]:
        heading, _, body = part.partition("\n")
        found[heading.strip()] = body
    return found


UNMEASURED = {"Suites": "| Suite |", "Faults injected": "Not run yet.", "Load held": "Not run yet."}


def keep_unmeasured(block: str, path: Path) -> str:
    """A section whose figures are not in ``var/reliability`` here (another checkout measured
    them) keeps the document's text rather than becoming "Not run yet"."""
    old = sections(path.read_text()) if path.exists() and BEGIN in path.read_text() else {}
    new = sections(block)
    for heading, empty in UNMEASURED.items():
        body = new.get(heading, "")
        rows = [line for line in body.splitlines() if line.startswith("| ") and not line.startswith(empty)]
        unmeasured = body.strip() == empty or (empty.startswith("|") and len(rows) <= 1)
        if unmeasured and heading in old:
            block = block.replace(f"## {heading}\n{body}", f"## {heading}\n{old[heading]}", 1)
    return block


def write(path: Path, block: str) -> None:
    text = path.read_text() if path.exists() else HEADER
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


HEADER = """# Reliability

What a stranger with another account, a flood, a malformed payload or a pulled plug costs: the
figures below come from tests anyone can rerun. The part between the `reliability` markers is
written by `manage.py reliability_report` (`make reliability`); edit the text around it.
"""
