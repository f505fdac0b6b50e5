"""New flow → "Messaging Flow (Flex)": the flow is created with Send to Flex on the account's
Assign to Anyone workflow and SMS channel, valid, ready to publish."""

from __future__ import annotations

from typing import Any

import pytest

from flex.flex_defaults import seed_account
from flex.models import TaskChannel, Workflow
from tests.e2e.helpers import api_json, create_flow

pytestmark = pytest.mark.e2e


def test_a_flow_from_the_messaging_template_sends_to_the_default_workflow(app: Any) -> None:
    ws = seed_account(app.account)
    sid = create_flow(app, "Support texts", template="messaging-flow")
    app.wait_for_selector("[data-widget-name=SendMessageToAgent]")
    detail = api_json(app, "GET", f"/api/console/flows/{sid}")["body"]
    (send,) = [s for s in detail["definition"]["states"] if s["type"] == "send-to-flex"]
    assert (
        send["properties"]["workflow"]
        == Workflow.objects.get(workspace=ws, friendly_name="Assign to Anyone").sid
    )
    assert send["properties"]["channel"] == TaskChannel.objects.get(workspace=ws, unique_name="sms").sid
    assert detail["valid"] is True
