"""The canvas's Flex templates read ``/api/console/flex/defaults``: the account's Assign to
Anyone workflow and its task channels, so a flow made from a template routes to Flex at once."""

from __future__ import annotations

from typing import Any

import pytest

from flex.flex_defaults import seed_account
from flex.models import TaskChannel, Workflow

pytestmark = pytest.mark.django_db


def test_the_defaults_name_the_assign_to_anyone_workflow_and_the_channels(console: Any, bob: Any) -> None:
    seed_account(bob)  # another account's workspace is not offered
    assert console.get("/api/console/flex/defaults").json() == {
        "workspace_sid": None,
        "workflow_sid": None,
        "channels": {},
    }
    ws = seed_account(console.account)
    answer = console.get("/api/console/flex/defaults").json()
    assert answer["workspace_sid"] == ws.sid
    assert answer["workflow_sid"] == Workflow.objects.get(workspace=ws, friendly_name="Assign to Anyone").sid
    assert answer["channels"] == {c.unique_name: c.sid for c in TaskChannel.objects.filter(workspace=ws)}
    assert set(answer["channels"]) >= {"default", "voice", "chat", "sms"}
