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
