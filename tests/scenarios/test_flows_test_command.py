"""``manage.py flows test`` replays golden scenarios and fails when one does."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Account

GOLDEN = Path(__file__).parent.parent / "executions" / "golden"
pytestmark = pytest.mark.django_db(transaction=True)


def test_it_passes_the_shipped_scenarios_and_cleans_up() -> None:
    out = StringIO()
    call_command(
        "flows",
        "test",
        str(GOLDEN / "ivr-builder-sms-reply.test.json"),
        str(GOLDEN / "hls-research-ineligible.test.json"),
        stdout=out,
    )
    assert "PASS ivr-builder-sms-reply" in out.getvalue() and "2 passed, 0 failed" in out.getvalue()
    assert Account.objects.count() == 0


def test_it_reports_a_failing_scenario(tmp_path: Path) -> None:
    spec = json.loads((GOLDEN / "ivr-builder-sms-reply.test.json").read_text())
    spec["expect_messages"] = [{"body": "something else"}]
    path = tmp_path / "broken.test.json"
    path.write_text(json.dumps(spec))
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("flows", "test", str(path), stdout=out)
    assert "FAIL broken" in out.getvalue() and "something else" in out.getvalue()
