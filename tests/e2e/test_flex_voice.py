"""A voice caller held then connected, in Chromium: the canvas simulator calls a flow whose Send
to Flex enqueues the call on the Assign to Anyone workflow; the agent console (another tab) shows
the held call, accepts it ("connected"), wraps up; the simulator's transcript then shows the
wait, the agent, and the flow's callComplete."""

from __future__ import annotations

from typing import Any

import pytest

from flex.models import Workflow
from tests.e2e.conftest import shot
from tests.e2e.test_simulator import open_flow
from tests.executions.factories import definition, on, state
from tests.flex.helpers import worker, workspace

pytestmark = pytest.mark.e2e


def voice_flex_flow(workflow_sid: str) -> dict[str, Any]:
    return definition(
        state(
            "to_agent",
            "send-to-flex",
            [on("callComplete", "bye"), on("failedToEnqueue"), on("callFailure")],
            workflow=workflow_sid,
            channel="voice",
            attributes='{"name": "{{trigger.call.From}}"}',
        ),
        state("bye", "say-play", [on("audioComplete")], say="Thanks for calling"),
        trigger=[on("incomingCall", "to_agent")],
    )


def test_a_voice_caller_is_held_then_connected_to_the_agent(app: Any) -> None:
    ws = workspace(app.account)
    worker(ws, "Alice", available=False, contact_uri="client:alice")
    flow_sid = Workflow.objects.get(workspace=ws, friendly_name="Assign to Anyone").sid

    agent = app.context.new_page()
    agent.set_default_timeout(15_000)
    agent.goto(f"{app.base}/flex/agent")
    agent.locator("[data-activity=Available]").click()
    agent.wait_for_function("() => document.getElementById('activity').textContent === 'Available'")

    open_flow(app, "Voice to Flex", voice_flex_flow(flow_sid))
    app.click("[data-testid=sim-tab-call]")
    app.click("[data-testid=sim-call-mode-script]")  # a placed call, not the live keypad
    app.fill("[data-testid=sim-call-from]", "+15551230000")
    app.click("[data-testid=sim-place-call]")

    held = agent.locator("[data-call='on hold']")
    held.wait_for()
    assert "+15551230000" in held.inner_text()
    assert app.locator("[data-testid=sim-place-call]").inner_text() == "Calling…"  # still on the line
    agent.locator("[data-action=accept]").click()
    agent.locator("[data-call=connected]").wait_for()
    shot(agent, "flex-agent-voice-connected")
    agent.locator("[data-action=wrap]").click()

    transcript = app.get_by_test_id("sim-call-transcript")
    transcript.wait_for(timeout=15_000)
    lines = transcript.locator("li").all_inner_texts()
    assert "Hold music (Twilio's default)" in lines
    assert "On hold, waiting for an agent" in lines
    assert "Connected to Alice" in lines
    assert any(line.startswith("Left the queue: bridged") for line in lines)
    assert "Say: Thanks for calling" in lines
    shot(app, "simulator-voice-flex")
