"""Golden voice scenarios: ``golden_voice/NAME.test.json`` replayed through the signed call webhook.

The format is the golden format (scenarios/spec.py, docs/golden-scenarios.md) with a ``call``
instead of a ``trigger`` (or a REST trigger plus ``outbound`` call outcomes) and call turns::

    "turns": [{"digits": "1"} | {"speech": "yes"} | {"redirect": true} | {"silence": true}
              | {"action": {"DialCallStatus": "completed"}} | {"hangup": true},
              … each with "expect_twiml" (or "expect_twiml": {"empty": true})]

``digits``/``speech`` answer the ``<Gather>``; ``redirect``/``silence`` follow the ``<Redirect>``
(a finished Say/Play, a Gather that got nothing); ``action`` requests the action URL of the
first verb that has one; ``hangup`` sends the status callback. Every answer is validated.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scenarios.driver import run_file

pytestmark = pytest.mark.django_db(transaction=True)

FOLDER = Path(__file__).parent / "golden_voice"
SCENARIOS = sorted(FOLDER.glob("*.test.json"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name.removesuffix(".test.json") for p in SCENARIOS])
def test_it_replays_the_golden_voice_scenario(path: Path) -> None:
    report = run_file(path)
    assert report.ok, "\n".join(report.failures)


def test_it_has_at_least_six_golden_voice_scenarios() -> None:
    flows = {json.loads(p.read_text())["flow"] for p in SCENARIOS}
    assert len(flows) >= 6, flows
