"""Flex's three default flows, as a new account's owner finds them in Chromium: listed and
published, each opening on the canvas without a validation problem, ending in Send to Flex on the
"Assign to Anyone" workflow, their webhook URLs shown in Settings."""

from __future__ import annotations

from typing import Any

import pytest

from flex.flex_defaults import seed_account
from flex.models import Workflow
from studio.models import Flow
from studio.serializers import webhook_url
from tests.e2e.conftest import shot
from tests.e2e.helpers import api_json, select

pytestmark = pytest.mark.e2e
NAMES = ["Messaging Flow", "Voice IVR", "WebChat Flow"]


def test_the_seeded_default_flows_are_published_valid_and_send_to_flex(app: Any) -> None:
    ws = seed_account(app.account)
    assign_to_anyone = Workflow.objects.get(workspace=ws, friendly_name="Assign to Anyone").sid
    flows = {f.friendly_name: f for f in Flow.objects.filter(account=app.account)}
    assert sorted(flows) == NAMES

    app.goto(f"{app.base}/")
    for name, flow in flows.items():
        row = app.locator(f"[data-testid=flow-row-{flow.sid}]")
        row.wait_for()
        assert name in row.inner_text() and "published" in row.inner_text()
    shot(app, "flex-default-flows")

    for name, flow in flows.items():
        app.goto(f"{app.base}/flows/{flow.sid}")
        detail = api_json(app, "GET", f"/api/console/flows/{flow.sid}")["body"]
        assert detail["valid"] is True, (name, detail.get("errors"))
        (to_flex,) = [s for s in detail["definition"]["states"] if s["type"] == "send-to-flex"]
        assert to_flex["properties"]["workflow"] == assign_to_anyone
        app.wait_for_selector(f"[data-widget-name={to_flex['name']}]", state="attached")
        assert app.locator("[data-testid=widget-error-badge]").count() == 0, name
        assert app.locator("[data-testid=problem-error]").count() == 0, name
        select(app, "Trigger")
        assert app.locator("[data-testid=webhook-url]").input_value() == webhook_url(flow)

    app.goto(f"{app.base}/settings")
    listed = app.locator("[data-testid=webhook-flow]")
    listed.first.wait_for()
    shown = {text.splitlines()[0].strip(): text for text in listed.all_inner_texts()}
    assert sorted(shown) == NAMES  # no "draft only" badge: each is published
    for name, flow in flows.items():
        assert webhook_url(flow) in shown[name]
