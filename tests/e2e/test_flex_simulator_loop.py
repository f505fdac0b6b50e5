"""The simulator loop in Chromium: the canvas simulator chats with a flow that sends to Flex; the
agent console, open in another tab, gets the task, accepts it and replies; the reply appears in
the simulator's transcript, and the contact's next message reaches the agent's conversation."""

from __future__ import annotations

from typing import Any

import pytest

from flex.models import Workflow
from tests.e2e.conftest import shot
from tests.e2e.test_flex_console import texting_flow
from tests.e2e.test_simulator import send
from tests.flex.helpers import worker, workspace

pytestmark = pytest.mark.e2e


def test_a_simulator_chat_reaches_the_agent_whose_reply_comes_back(app: Any) -> None:
    ws = workspace(app.account)
    worker(ws, "Alice", available=False, contact_uri="client:alice")
    flow = texting_flow(app.account, Workflow.objects.get(workspace=ws, friendly_name="Assign to Anyone").sid)

    agent = app.context.new_page()
    agent.set_default_timeout(15_000)
    agent.goto(f"{app.base}/flex/agent")
    agent.locator("[data-activity=Available]").click()
    agent.wait_for_function("() => document.getElementById('activity').textContent === 'Available'")

    app.goto(f"{app.base}/flows/{flow.sid}")
    app.wait_for_selector("[data-widget-name=Trigger]")
    app.click("[data-testid=simulator-button]")
    app.wait_for_selector("[data-testid=simulator-panel]")
    send(app, "I need a person")

    offer = agent.locator("[data-reservation]")
    offer.wait_for()
    assert "I need a person" in offer.inner_text()
    offer.locator("[data-action=accept]").click()
    agent.locator("[data-message=inbound]").first.wait_for()
    agent.locator("[data-reply]").fill("Hi, Alice here. How can I help?")
    agent.locator("[data-action=send]").click()

    reply = app.locator(".sim-msg.outbound", has_text="Hi, Alice here. How can I help?")
    reply.wait_for(timeout=15_000)
    shot(app, "simulator-flex-reply")

    send(app, "My order is late")
    agent.locator("[data-message=inbound]", has_text="My order is late").wait_for(timeout=15_000)
    shot(agent, "flex-agent-simulator-loop")
