"""`manage.py reliability_report` rewrites only its own part of docs/RELIABILITY.md."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command

from executions.management.commands.reliability_report import BEGIN, END


def test_it_rewrites_its_block_and_keeps_the_other_sections(tmp_path: Path) -> None:
    doc = tmp_path / "RELIABILITY.md"
    doc.write_text(
        f"# Reliability\n\nintro\n\n{BEGIN}\nstale figures\n{END}\n\n## Fuzzing and isolation\n\nkept\n"
    )

    call_command("reliability_report", "--no-run", "--output", str(doc))

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

    call_command("reliability_report", "--no-run", "--output", str(doc))

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

    doc = tmp_path / "RELIABILITY.md"
    doc.write_text(
        render(
            {"_mode": "full", "Faults injected": {"passed": 9, "failed": 0, "skipped": 0, "date": "d"}},
            {},
            {},
        )
    )
    doc.write_text(doc.read_text().replace("Not run yet.", "| redis restarted | 300 |", 1))

    block = keep_unmeasured(render({}, {}, {}), doc)

    assert "| Faults injected | 9 | 0 | 0 | d |" in block  # the suites' table kept
    assert "| redis restarted | 300 |" in block  # the faults kept
    assert block.count("Not run yet.") == 1  # the load section: nothing measured anywhere


def test_each_fault_says_whether_tasks_still_reached_agents() -> None:
    from executions.management.commands.reliability_report import render

    figures = {
        "sent": 150, "accepted": 150, "lost": 0, "doubled_executions": 0, "replies_sent_twice": 0,
        "executions_without_steps": 0, "events_left_pending": 0, "recovered_in_seconds": 6.7, "answered": {"200": 150},
    }  # fmt: skip
    faults = {"redis restarted": {**figures, "tasks_reached_agents": "1 of 1", "offered_in_seconds": 4.3}}
    faults["an old fault"] = figures

    text = render({}, faults, {})

    assert "| Back to normal | Tasks reached agents |" in text
    assert "| redis restarted | 150 | 150 | 0 | 0 | 0 | 0 | 0 | 6.7 s | 1 of 1 |" in text
    assert "| an old fault | 150 | 150 | 0 | 0 | 0 | 0 | 0 | 6.7 s | not checked |" in text
    assert "- redis restarted: answered 200: 150; {'offered_in_seconds': 4.3}" in text
