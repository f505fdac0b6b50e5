"""Simulator sessions in Chromium: every bot message of corpus flow 11, an IVR answered live on
the keypad, and a chat saved as a test that replays green, then fails with a diff once the flow
changes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.helpers import api_json
from tests.e2e.test_simulator import CORPUS, open_flow, send, st, survey

pytestmark = pytest.mark.e2e


def test_every_message_corpus_flow_11_sends_shows_in_the_transcript(app: Any) -> None:
    from executions.models import Message

    page = app
    data = json.loads((CORPUS / "11-flex-interactive-webchat-bot.json").read_text())
    open_flow(page, "Webchat bot", data.get("definition", data))
    outbound = page.locator(".sim-msg.outbound")
    for n, text in enumerate(("hello", "Ada", "Lovelace"), start=1):
        send(page, text)
        page.wait_for_function(f"() => document.querySelectorAll('.sim-msg.outbound').length === {n}")
    bodies = [outbound.nth(i).locator(".sim-body").inner_text() for i in range(3)]
    assert bodies == [
        "Please enter your first name",
        "Please enter your last name",
        "Please enter your email address",
    ]
    sent = Message.objects.exclude(direction="inbound").order_by("id")
    assert [m.body for m in sent] == bodies and {m.from_address for m in sent} == {"NFM Lending"}
    assert {outbound.nth(i).get_by_test_id("sim-sender").inner_text() for i in range(3)} == {"NFM Lending"}
    shot(page, "simulator-flow-11-every-message")


def ivr() -> dict[str, Any]:
    return {
        "description": "live IVR",
        "initial_state": "Trigger",
        "flags": {"allow_concurrent_calls": True},
        "states": [
            st(
                "Trigger",
                "trigger",
                [
                    {"event": "incomingMessage"},
                    {"event": "incomingCall", "next": "menu"},
                    {"event": "incomingRequest"},
                ],
                offset={"x": 0, "y": 0},
            ),
            st(
                "menu",
                "gather-input-on-call",
                [
                    {"event": "keypress", "next": "chose"},
                    {"event": "speech", "next": "chose"},
                    {"event": "timeout"},
                ],
                offset={"x": 0, "y": 220},
                say="Press a key",
                number_of_digits=1,
            ),
            st(
                "chose",
                "say-play",
                [{"event": "audioComplete"}],
                offset={"x": 0, "y": 440},
                say="You chose {{widgets.menu.Digits}}{{widgets.menu.SpeechResult}}",
            ),
        ],
    }


def test_an_ivr_call_is_answered_live_on_the_keypad(app: Any) -> None:
    page = app
    open_flow(page, "Live IVR", ivr())
    page.click("[data-testid=sim-tab-call]")
    page.click("[data-testid=sim-live-ring]")
    page.wait_for_selector("[data-testid=sim-keypad]")
    transcript = page.get_by_test_id("sim-live-transcript")
    assert "Say: Press a key" in transcript.inner_text()
    assert page.get_by_test_id("sim-live-status").inner_text() == "Waiting for the caller"
    page.wait_for_selector("[data-widget-name=menu][data-live=active]")
    page.click("[data-testid=sim-key-4]")
    page.wait_for_selector("[data-testid=sim-live-status][data-status=completed]")
    text = transcript.inner_text()
    assert "Caller pressed 4" in text and "Say: You chose 4" in text
    assert page.locator("[data-testid=sim-keypad]").count() == 0
    shot(page, "simulator-live-call")
    # Typed speech answers the next call's Gather.
    page.click("[data-testid=sim-live-ring]")
    page.fill("[data-testid=sim-live-speech]", "sales")
    page.click("[data-testid=sim-live-say]")
    page.wait_for_selector("[data-testid=sim-live-status][data-status=completed]")
    assert "Say: You chose sales" in transcript.inner_text()


def test_a_chat_saved_as_a_test_replays_green_then_fails_with_a_diff_after_a_change(app: Any) -> None:
    page = app
    sid = open_flow(page, "Tested survey", survey())
    send(page, "hi")
    page.wait_for_function("() => document.querySelectorAll('.sim-msg.outbound').length === 1")
    send(page, "Ada")
    page.wait_for_function("() => document.querySelectorAll('.sim-msg.outbound').length === 2")
    page.fill("[data-testid=sim-test-name]", "greets Ada")
    page.click("[data-testid=sim-save-test]")
    assert "Saved" in page.get_by_test_id("sim-save-test-note").inner_text()
    page.click("[data-testid=sim-tab-tests]")
    row = page.locator("[data-testid=test-row][data-name='greets Ada']")
    row.wait_for()
    page.click("[data-testid=tests-run]")
    page.wait_for_selector("[data-testid=test-row][data-result=passed]")
    shot(page, "tests-passed")

    changed = survey()
    thanks = next(s for s in changed["states"] if s["name"] == "thanks")
    thanks["properties"]["body"] = "Merci {{widgets.ask.inbound.Body}}"
    detail = api_json(page, "GET", f"/api/console/flows/{sid}")["body"]
    saved = api_json(
        page,
        "POST",
        f"/api/console/flows/{sid}/revisions",
        {"definition": changed, "expected_revision": detail["revision"], "status": "draft"},
    )
    assert saved["status"] in (200, 201), saved
    page.click("[data-testid=tests-run]")
    page.wait_for_selector("[data-testid=test-row][data-result=failed]")
    diff = page.get_by_test_id("test-diff").inner_text()
    assert "expected 'Thanks Ada', got 'Merci Ada'" in diff
    shot(page, "tests-failed-diff")


def test_skip_wait_fires_the_pending_timeout_from_the_chat(app: Any) -> None:
    from executions.models import Execution

    page = app
    open_flow(page, "Waiting survey", survey())
    send(page, "hi")
    page.wait_for_selector("[data-testid=sim-waiting]")
    page.click("[data-testid=sim-skip-wait]")
    page.wait_for_selector("[data-testid=sim-waiting]", state="detached")
    execution = Execution.objects.get()
    assert execution.status == "ended"
    assert [s.name for s in execution.steps.order_by("id")] == ["incomingMessage", "timeout"]
