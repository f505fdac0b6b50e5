"""The canvas simulator (chat and call) and the live monitor, in Chromium."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.helpers import api_json, node

pytestmark = pytest.mark.e2e

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "studio-flows"


def st(name: str, type_: str, transitions: list[dict[str, Any]], **props: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "transitions": transitions, "properties": {**props}}


def survey() -> dict[str, Any]:
    return {
        "description": "simulator e2e",
        "initial_state": "Trigger",
        "flags": {"allow_concurrent_calls": True},
        "states": [
            st(
                "Trigger",
                "trigger",
                [
                    {"event": "incomingMessage", "next": "ask"},
                    {"event": "incomingCall"},
                    {"event": "incomingRequest"},
                ],
                offset={"x": 0, "y": 0},
            ),
            st(
                "ask",
                "send-and-wait-for-reply",
                [
                    {"event": "incomingMessage", "next": "thanks"},
                    {"event": "timeout"},
                    {"event": "deliveryFailure"},
                ],
                offset={"x": 0, "y": 220},
                body="Hi {{trigger.message.Body}}, your name?",
                timeout="3600",
                **{"from": "{{flow.channel.address}}"},
            ),
            st(
                "thanks",
                "send-message",
                [{"event": "sent"}, {"event": "failed"}],
                offset={"x": 0, "y": 440},
                body="Thanks {{widgets.ask.inbound.Body}}",
                to="{{contact.channel.address}}",
                **{"from": "{{flow.channel.address}}"},
            ),
        ],
    }


def open_flow(page: Any, name: str, definition: dict[str, Any]) -> str:
    page.goto(f"{page.base}/")
    made = api_json(page, "POST", "/api/console/flows", {"friendly_name": name, "definition": definition})
    assert made["status"] == 201, made
    sid = str(made["body"]["sid"])
    page.goto(f"{page.base}/flows/{sid}")
    page.wait_for_selector("[data-widget-name=Trigger]")
    page.click("[data-testid=simulator-button]")
    page.wait_for_selector("[data-testid=simulator-panel]")
    return sid


def send(page: Any, text: str) -> None:
    page.fill("[data-testid=sim-input]", text)
    page.click("[data-testid=sim-send]")


def test_it_chats_with_a_draft_flow_and_highlights_the_waiting_widget_live(app: Any) -> None:
    page = app
    open_flow(page, "Simulated survey", survey())
    send(page, "hello")
    outbound = page.locator(".sim-msg.outbound")
    outbound.first.wait_for()
    assert outbound.first.inner_text() == "Hi hello, your name?"
    assert page.locator(".sim-msg.inbound").first.inner_text() == "hello"
    # The execution waits at "ask": that widget is highlighted, the transition into it too.
    page.wait_for_selector("[data-widget-name=ask][data-live=active]")
    assert "is-active" in (node(page, "ask").get_attribute("class") or "")
    page.wait_for_selector(".react-flow__edge.is-active")
    assert page.get_by_test_id("sim-waiting").inner_text().endswith("ask")
    shot(page, "simulator-chat-waiting")

    send(page, "<b>Ada</b>")
    page.wait_for_function("() => document.querySelectorAll('.sim-msg.outbound').length === 2")
    assert outbound.nth(1).inner_text() == "Thanks <b>Ada</b>"  # user text stays text
    page.wait_for_selector("[data-widget-name=ask]:not([data-live=active])")

    # The executions list: open the ended one, read a step's context, replay its path.
    page.click("[data-testid=sim-tab-executions]")
    page.click("[data-testid=executions-ended]")
    page.locator("[data-testid=execution-item]").first.click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=execution-step]').length === 3")
    page.locator("[data-testid=execution-step] button").nth(1).click()
    context = json.loads(page.get_by_test_id("step-context").inner_text())
    assert context["widgets"]["ask"]["inbound"]["Body"] == "<b>Ada</b>"
    page.wait_for_selector("[data-widget-name=thanks][data-live=visited]")
    page.click("[data-testid=execution-replay]")
    page.wait_for_selector("[data-widget-name=ask][data-live=active]")
    page.wait_for_selector("[data-widget-name=ask][data-live=visited]")
    shot(page, "simulator-replay")

    # A new conversation starts a new execution.
    page.click("[data-testid=sim-tab-chat]")
    page.click("[data-testid=sim-new-conversation]")
    page.wait_for_function("() => document.querySelectorAll('.sim-msg').length === 0")
    send(page, "again")
    page.wait_for_function("() => document.querySelectorAll('.sim-msg.outbound').length === 1")
    assert outbound.first.inner_text() == "Hi again, your name?"


def test_it_places_a_simulated_call_on_a_voice_flow_and_shows_the_transcript(app: Any) -> None:
    page = app
    data = json.loads((CORPUS / "19-ivr-builder-template.json").read_text())
    open_flow(page, "IVR builder", data.get("definition", data))
    page.click("[data-testid=sim-tab-call]")
    page.click("[data-testid=sim-call-mode-script]")
    page.select_option("[data-testid=sim-script-kind-0]", "speech")
    page.fill("[data-testid=sim-script-value-0]", "sales")
    page.click("[data-testid=sim-script-add]")
    page.select_option("[data-testid=sim-script-kind-1]", "hangup")
    page.click("[data-testid=sim-place-call]")
    transcript = page.get_by_test_id("sim-call-transcript")
    transcript.wait_for()
    lines = transcript.locator("li").all_inner_texts()
    assert lines[0].startswith("Say: Response message")
    assert 'Caller said "sales"' in lines
    assert any(line.startswith("Gather") for line in lines)
    assert "ended: caller-hangup" in page.get_by_test_id("sim-call-status").inner_text()
    # The call's execution ended; its path is on the executions list.
    page.click("[data-testid=sim-tab-executions]")
    page.click("[data-testid=executions-ended]")
    page.locator("[data-testid=execution-item]").first.click()
    page.wait_for_selector("[data-widget-name=voice_greeting][data-live=visited]")
    shot(page, "simulator-call")


def test_it_warns_that_unsaved_changes_are_not_simulated(app: Any) -> None:
    page = app
    open_flow(page, "Unsaved", survey())
    assert page.get_by_test_id("sim-unsaved-warning").count() == 0
    page.fill("[data-testid=flow-search]", "")
    node(page, "ask").locator(".widget-type").dispatch_event("click")
    page.wait_for_selector("[data-testid=widget-name-input][value='ask']")
    page.keyboard.press("Escape")
    page.click("[data-testid=delete-button]")
    page.wait_for_selector("[data-testid=sim-unsaved-warning]")
