"""`manage.py reliability_report` rewrites only its own part of docs/RELIABILITY.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from executions.management.commands.reliability_report import BEGIN, END


def test_it_rewrites_its_block_and_keeps_the_other_sections(tmp_path: Path) -> None:
    doc = tmp_path / "RELIABILITY.md"
    doc.write_text(
        f"# Reliability\n\nintro\n\n{BEGIN}\nstale figures\n{END}\n\n## Fuzzing and isolation\n\nkept\n"
    )

    call_command("reliability_report", "--no-run", "--output", str(doc), "--figures", str(tmp_path / "var"))

    text = doc.read_text()
    assert "stale figures" not in text
    assert text.startswith("# Reliability\n\nintro\n")
    assert text.rstrip().endswith("## Fuzzing and isolation\n\nkept")
    block = text.split(BEGIN, 1)[1].split(END, 1)[0]
    assert "## Limits and their answers" in block
    assert "| REST API requests per account | 2000/10s | 429, code 20429, `Retry-After` |" in block


def test_it_appends_its_block_to_a_document_without_one(tmp_path: Path) -> None:
    doc = tmp_path / "RELIABILITY.md"
    doc.write_text("# Reliability\n\n## Fuzzing and isolation\n\nkept\n")

    call_command("reliability_report", "--no-run", "--output", str(doc), "--figures", str(tmp_path / "var"))

    text = doc.read_text()
    assert "## Fuzzing and isolation\n\nkept" in text
    assert text.index("## Fuzzing and isolation") < text.index(BEGIN) < text.index(END)


def test_it_shows_the_capacity_probe_every_kind_and_the_memory_of_every_process() -> None:
    from executions.management.commands.reliability_report import render_load

    step = {
        "offered_slots_per_second": 15, "achieved_slots_per_second": 12.1, "seconds": 20.0, "answered": 300,
        "refused": 0, "p99_ms": 2500.0, "backlog_at_end": 3, "sustained": False, "why_not": ["p99 2500 ms"],
    }  # fmt: skip
    load = {
        "minutes": 10.0, "offered_slots_per_second": 8.0, "achieved_slots_per_second": 8.0, "requests_per_second": 9.3,
        "capacity": {"slots_per_second": 10.0, "fraction": 0.8, "steps": [step]},
        "requests": {"agent": {"201": 800}, "function": {"200": 800}},
        "latency_ms": {"agent": {"p50": 40.0, "p99": 300.0, "n": 800}, "function": {"p50": 20.0, "p99": 150.0, "n": 800}},
        "lost": {"agent": 0, "function": 0}, "doubled": {"agent": 0, "function": 0},
        "function": {"answered_hello_world": 900, "log_lines": 450},
        "memory": {"web child 1 (pid 7)": {"first_minute_mib": 120.0, "last_minute_mib": 121.5, "growth_mib": 1.5, "peak_mib": 122.0}},
        "memory_grew": [], "rss_sample_seconds": 5.0, "uptime_before": "up 1 h, load average: 3.0", "uptime_after": "x",
    }  # fmt: skip

    text = "\n".join(render_load(load))

    assert "the highest rate sustained was **10 slots/s**, held below at 80% of it" in text
    assert "| 1 | 15 | 12.1 | 300 | 0 | 2500 ms | 3 | no: p99 2500 ms |" in text
    assert "| agent | 201: 800 | 40.0 ms | 300.0 ms | 0 | 0 |" in text
    assert "| function | 200: 800 | 20.0 ms | 150.0 ms | 0 | 0 |" in text
    assert "- function: answered hello world 900, log lines 450" in text
    assert "| web child 1 (pid 7) | 120.0 MiB | 121.5 MiB | +1.5 MiB | 122.0 MiB |" in text
    assert "Grew (more than 8 MiB and 5%): none." in text
    assert "`uptime` before: up 1 h, load average: 3.0; after: x." in text


def test_sections_measured_elsewhere_keep_their_figures(tmp_path: Path) -> None:
    from executions.management.commands.reliability_report import keep_unmeasured, render
    from executions.management.reliability import Run

    doc = tmp_path / "RELIABILITY.md"
    run = Run(
        started="2026-12-08T01:00:00+00:00",
        suites={"Faults injected": {"passed": 9, "failed": 0, "skipped": 0}},
    )
    doc.write_text(render(run, {}, {}))
    doc.write_text(doc.read_text().replace("Not run yet.", "| redis restarted | 300 |", 1))

    block = keep_unmeasured(render(None, {}, {}), doc)

    assert "| Faults injected | 9 | 0 | 0 |" in block  # the suites' table kept
    assert "| redis restarted | 300 |" in block  # the faults kept
    assert block.count("Not run yet.") == 2  # fuzzing and load: nothing measured anywhere


def test_each_fault_says_whether_tasks_still_reached_agents() -> None:
    from executions.management.commands.reliability_report import render

    figures = {
        "sent": 150, "accepted": 150, "lost": 0, "doubled_executions": 0, "replies_sent_twice": 0,
        "executions_without_steps": 0, "events_left_pending": 0, "recovered_in_seconds": 6.7, "answered": {"200": 150},
    }  # fmt: skip
    faults = {"redis restarted": {**figures, "tasks_reached_agents": "1 of 1", "offered_in_seconds": 4.3}}
    faults["an old fault"] = figures

    text = render(None, faults, {})

    assert "| Back to normal | Tasks reached agents |" in text
    assert "| redis restarted | 150 | 150 | 0 | 0 | 0 | 0 | 0 | 6.7 s | 1 of 1 |" in text
    assert "| an old fault | 150 | 150 | 0 | 0 | 0 | 0 | 0 | 6.7 s | not checked |" in text
    assert "- redis restarted: answered 200: 150; {'offered_in_seconds': 4.3}" in text


JUNIT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" failures="1"
 skipped="1" tests="4" time="61.2" timestamp="2026-12-08T01:00:00.250000+00:00" hostname="ci">
<testcase classname="tests.hardening.test_fuzz_api" name="test_operation[GET /v2/Flows]" time="0.1"/>
<testcase classname="tests.faults.test_embedded_faults" name="test_make_run_killed_mid_burst" time="60"/>
<testcase classname="tests.faults.test_production_faults" name="test_redis_restarted" time="0">
<skipped message="full fault suite only"/></testcase>
<testcase classname="tests.studio.test_canvas.TestDraft" name="test_it_saves" time="0.1">
<failure message="boom">boom</failure></testcase>
</testsuite></testsuites>"""
FAULT = {
    "sent": 240, "accepted": 12, "lost": 0, "doubled_executions": 0, "replies_sent_twice": 0,
    "executions_without_steps": 0, "events_left_pending": 0, "recovered_in_seconds": 19.0, "answered": {"200": 12},
}  # fmt: skip
THIS_RUN, EARLIER = "2026-12-08T01:00:40+00:00", "2026-12-07T22:25:00+00:00"


def measured(tmp_path: Path, **files: object) -> Path:
    """A ``var/reliability`` as the tests of a run left it."""
    import json

    figures = tmp_path / "var" / "reliability"
    figures.mkdir(parents=True)
    (figures / "junit.xml").write_text(JUNIT)
    for name, data in files.items():
        (figures / f"{name}.json").write_text(json.dumps(data))
    return figures


def this_run(figures: Path, output: Path) -> str:
    call_command("reliability_report", "--this-run", "--figures", str(figures), "--output", str(output))
    return output.read_text()


def test_ci_renders_the_figures_its_own_run_measured_and_says_what_it_did_not(tmp_path: Path) -> None:
    figures = measured(
        tmp_path,
        faults={
            "embedded serve SIGKILL mid-burst": {**FAULT, "measured_at": THIS_RUN},
            "redis restarted during traffic": {**FAULT, "measured_at": EARLIER},
        },
        fuzz={"operations": 266, "cases": 1596, "server_errors_or_schema_breaks": 0, "cases_per_operation": 6, "measured_at": THIS_RUN},
        isolation={
            "cross_account": {"routes": 187, "tried": 1268, "problems": 0, "measured_at": THIS_RUN},
            "viewer_writes": {"tried": 107, "problems": 0, "measured_at": EARLIER},
        },
        load={"minutes": 10.0, "latency_ms": {}, "lost": {}, "doubled": {}},
    )  # fmt: skip

    text = this_run(figures, tmp_path / "out" / "RELIABILITY.md")

    assert "the run that started 2026-12-08 01:00 UTC" in text
    assert "| API fuzzing | 1 | 0 | 0 |" in text
    assert "| Faults injected | 1 | 0 | 1 |" in text
    assert "| **All tests of the run** | 2 | 1 | 1 |" in text
    assert (
        "| embedded serve SIGKILL mid-burst | 240 | 12 | 0 | 0 | 0 | 0 | 0 | 19.0 s | not checked |" in text
    )
    assert "| redis restarted during traffic |" not in text
    assert "Not measured in this run: redis restarted during traffic (measured by `make faults`" in text
    assert "| operations of `/api/schema/` fuzzed | 266 | 2026-12-08 01:00 UTC |" in text
    assert "| requests by another account (API credentials and console session) | 1,268 |" in text
    assert "| writes tried as a viewer |" not in text
    assert "Not measured in this run: isolation viewer_writes, isolation websockets (measured by" in text
    load = text.split("## Load held", 1)[1].split("##", 1)[0]
    assert "Not measured in this run (measured by `bench/load_mixed.py --minutes 10`" in load


def test_ci_fails_on_a_leak_a_lost_or_doubled_message_or_a_server_error_of_its_run(tmp_path: Path) -> None:
    figures = measured(
        tmp_path,
        faults={
            "embedded serve SIGKILL mid-burst": {**FAULT, "lost": 2, "measured_at": THIS_RUN},
            "web process SIGKILL": {**FAULT, "doubled_executions": 1, "tasks_reached_agents": "0 of 1", "measured_at": THIS_RUN},
            "an earlier run's fault": {**FAULT, "replies_sent_twice": 5, "measured_at": EARLIER},
        },
        fuzz={"operations": 266, "cases": 1596, "server_errors_or_schema_breaks": 3, "measured_at": THIS_RUN},
        isolation={"cross_account": {"routes": 187, "tried": 1268, "problems": 1, "measured_at": THIS_RUN}},
    )  # fmt: skip
    output = tmp_path / "RELIABILITY.md"

    with pytest.raises(CommandError) as failed:
        this_run(figures, output)

    said = str(failed.value)
    assert "fault 'embedded serve SIGKILL mid-burst': 2 accepted messages lost" in said
    assert "fault 'web process SIGKILL': 1 messages that ran twice" in said
    assert "fault 'web process SIGKILL': tasks reached agents 0 of 1" in said
    assert "fuzzing: 3 server errors or schema breaks" in said
    assert "isolation cross_account: 1 leaks or wrong answers" in said
    assert "earlier run" not in said  # not this run's: not this run's failure
    assert "| leaks or wrong answers to another account | 1 |" in output.read_text()  # written first


def test_a_fresh_clone_or_a_run_of_a_few_tests_renders_what_there_is(tmp_path: Path) -> None:
    nothing = tmp_path / "var" / "reliability"  # no var/ at all

    text = this_run(nothing, tmp_path / "RELIABILITY.md")

    assert nothing.is_dir()
    assert "## Suites\n\nNot measured in this run (measured by `make test`" in text
    for heading in ("Faults injected", "Fuzzing and isolation figures", "Load held"):
        assert text.split(f"## {heading}\n\n", 1)[1].startswith("Not measured in this run (measured by ")
    assert "| REST API requests per account |" in text  # the limits are the settings: always there
