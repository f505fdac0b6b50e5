"""Regenerate the figures of docs/RELIABILITY.md from what the tests measured.

    manage.py reliability_report                # bounded: runs the reliability suites (≈3 min)
    manage.py reliability_report --full         # + every fault on the production topology
    manage.py reliability_report --load-minutes 10  # + the mixed-load bench (probe, then 80%)
    manage.py reliability_report --no-run       # only render what var/reliability holds
    manage.py reliability_report --this-run --output var/reliability/RELIABILITY.md
                                                # `make test`: the figures of its own run only

Runs pytest once over the reliability suites (its junit XML: tests passed, failed and skipped),
reads the figures the tests leave in ``var/reliability/`` (faults.json, fuzz.json,
isolation.json; load.json from the load bench; ``executions.management.reliability``), and
rewrites only the part of the document between ``<!-- reliability:begin -->`` and
``<!-- reliability:end -->``. ``--this-run`` renders only what the run recorded in
``var/reliability/junit.xml`` measured, says what it did not, and reruns nothing. The command
fails (after writing) when a figure shows a leak, a lost or doubled message, or a server error.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from executions.management.reliability import (
    SUITES,
    Figures,
    Run,
    problems,
    read,
    read_junit,
    render_fuzz_and_isolation,
    render_suites,
    this_run,
    when,
)
from studio.conf import studio_settings

ROOT = Path(settings.BASE_DIR)
VAR = ROOT / "var" / "reliability"
DOC = ROOT / "docs" / "RELIABILITY.md"
BEGIN, END = "<!-- reliability:begin -->", "<!-- reliability:end -->"
NOT_RUN = "Not run yet."
ISOLATION = ("cross_account", "viewer_writes", "websockets")  # what the matrix tests record
# What measures each section, said when a run did not.
MEASURED_BY = {
    "Suites": "`make test`, which keeps pytest's record of its run in `var/reliability/junit.xml`",
    "Faults injected": "`make faults` for the production topology; `tests/faults` in `make test`",
    "Fuzzing and isolation figures": "`tests/hardening/test_fuzz_api.py` (all of it), "
    "`tests/hardening/test_isolation_matrix.py`, `tests/hardening/test_isolation_websockets.py`",
    "Load held": "`bench/load_mixed.py --minutes 10`, never part of `make test`",
}


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
    help = "Render the reliability figures the tests measured into docs/RELIABILITY.md."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--full", action="store_true", help="every fault (FAULTS_FULL=1), not the bounded form"
        )
        parser.add_argument(
            "--no-run", action="store_true", help="only rewrite the document from var/reliability"
        )
        parser.add_argument(
            "--this-run",
            action="store_true",
            help="only the figures of the run in var/reliability/junit.xml (implies --no-run)",
        )
        parser.add_argument("--load-minutes", type=float, default=0.0, help="also run bench/load_mixed.py")
        parser.add_argument(
            "--load-rate", type=float, default=0.0, help="slots/s; 0: probe the capacity, run at 80%% of it"
        )
        parser.add_argument("--output", type=Path, default=DOC)
        parser.add_argument("--figures", type=Path, default=VAR, help="where the tests left them")

    def handle(self, *args: Any, **opts: Any) -> None:
        figures: Path = opts["figures"]
        figures.mkdir(parents=True, exist_ok=True)
        if not (opts["no_run"] or opts["this_run"]):
            run_suites(figures / "junit.xml", full=opts["full"], stdout=self.stdout)
            if opts["load_minutes"]:
                bench = [sys.executable, "bench/load_mixed.py", "--minutes", str(opts["load_minutes"])]
                subprocess.run([*bench, "--rate", str(opts["load_rate"])], cwd=ROOT, check=True)
        run = read_junit(figures / "junit.xml")
        faults, fuzz = read(figures / "faults.json"), read(figures / "fuzz.json")
        isolation, load = read(figures / "isolation.json"), read(figures / "load.json")
        if opts["this_run"]:
            every = {"faults": faults, "fuzz": fuzz, "isolation": isolation}
            faults, isolation = this_run(run, faults), this_run(run, isolation)
            fuzz = fuzz if run is not None and run.measured(fuzz) else {}
            load = {}
            partly = {
                "Faults injected": sorted(set(every["faults"]) - set(faults)),
                "Fuzzing and isolation figures": [
                    *(["API fuzzing (all of `tests/hardening/test_fuzz_api.py`)"] if not fuzz else []),
                    *(
                        f"isolation {name}"
                        for name in sorted(set(ISOLATION) | set(every["isolation"]))
                        if name not in isolation
                    ),
                ],
            }
            document = said_unmeasured(render(run, faults, load, fuzz, isolation), partly)
        else:
            document = keep_unmeasured(render(run, faults, load, fuzz, isolation), opts["output"])
        opts["output"].parent.mkdir(parents=True, exist_ok=True)
        write(opts["output"], document)
        self.stdout.write(f"wrote {opts['output']}")
        found = problems(faults, fuzz, isolation, load)
        if found:
            raise CommandError("the figures show what must not happen:\n- " + "\n- ".join(found))


def run_suites(junit: Path, *, full: bool, stdout: Any) -> None:
    """One pytest run over every suite the report counts; its record is ``junit.xml``."""
    env = {**os.environ, "DJANGO_DEBUG": "true"}
    if full:
        env["FAULTS_FULL"] = "1"
    named = [p for _, ps in SUITES for p in ps]
    # a file under a directory also named would be collected twice
    paths = [p for p in named if not any(p != d and p.startswith(d + "/") for d in named)]
    stdout.write(f"running {' '.join(paths)}")
    junit.unlink(missing_ok=True)  # a run that dies before its record reports nothing of an older one
    command = [sys.executable, "-m", "pytest", *paths, "-q", "-p", "no:randomly"]
    subprocess.run([*command, f"--junitxml={junit}"], cwd=ROOT, env=env, check=False)


def render(
    run: Run | None,
    faults: Figures,
    load: Figures,
    fuzz: Figures | None = None,
    isolation: Figures | None = None,
) -> str:
    out = [BEGIN, "", "## Suites", ""]
    out += render_suites(run) if run is not None else [NOT_RUN]
    out += ["", "## Faults injected", ""]
    out += render_faults(faults) if faults else [NOT_RUN]
    out += ["", "## Fuzzing and isolation figures", ""]
    out += render_fuzz_and_isolation(fuzz or {}, isolation or {}) if fuzz or isolation else [NOT_RUN]
    out += ["", "## Load held", ""]
    out += render_load(load) if load else [NOT_RUN]
    out += ["", "## Limits and their answers", "", "| Limit | Value | Answer |", "| --- | --- | --- |"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in limits()]
    out += ["", END]
    return "\n".join(out)


def render_faults(faults: Figures) -> list[str]:
    out = [
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
        measured = f"; measured {when(f['measured_at'])}" if f.get("measured_at") else ""
        out.append(f"- {name}: answered {answered}" + (f"; {extra}" if extra else "") + measured)
    return out


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


def keep_unmeasured(block: str, path: Path) -> str:
    """A section whose figures are not in ``var/reliability`` here (another checkout measured
    them) keeps the document's text rather than becoming "Not run yet"."""
    old = sections(path.read_text()) if path.exists() and BEGIN in path.read_text() else {}
    for heading, body in sections(block).items():
        if body.strip() == NOT_RUN and heading in old:
            block = block.replace(f"## {heading}\n{body}", f"## {heading}\n{old[heading]}", 1)
    return block


def said_unmeasured(block: str, partly: dict[str, list[str]] | None = None) -> str:
    """``--this-run``: each section the run did not measure says so and how to measure it; a
    section measured in part lists what it left out (``partly``: heading → what)."""
    for heading, body in sections(block).items():
        if body.strip() == NOT_RUN:
            said = f"Not measured in this run (measured by {MEASURED_BY.get(heading, 'another run')})."
            block = block.replace(f"## {heading}\n{body}", f"## {heading}\n{body.replace(NOT_RUN, said)}", 1)
        elif (partly or {}).get(heading):
            left_out = (
                "Not measured in this run: "
                + ", ".join((partly or {})[heading])
                + f" (measured by {MEASURED_BY.get(heading, 'another run')})."
            )
            block = block.replace(
                f"## {heading}\n{body}", f"## {heading}\n{body.rstrip()}\n\n{left_out}\n", 1
            )
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
