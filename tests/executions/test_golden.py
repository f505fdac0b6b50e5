"""Golden flow scenarios (tests/executions/golden/*.test.json), replayed through the real entry points."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios.driver import run_file

GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.test.json"))

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_has_at_least_ten_scenarios() -> None:
    assert len(GOLDEN) >= 10


@pytest.mark.parametrize("path", GOLDEN, ids=[p.name.removesuffix(".test.json") for p in GOLDEN])
def test_it_replays_the_golden_scenario(path: Path) -> None:
    report = run_file(path)
    assert report.ok, "\n".join(report.failures)
