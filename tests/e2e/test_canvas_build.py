"""Building a messaging flow from a blank canvas, by hand, and publishing it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.helpers import connect, create_flow, drop_widget, node, rest_flow, select

pytestmark = pytest.mark.e2e


def test_it_builds_configures_and_publishes_a_five_widget_flow(app: Any) -> None:
    page = app
    sid = create_flow(page, "Support line")

    ask = drop_widget(page, "send-and-wait-for-reply", 330, 300)
    split = drop_widget(page, "split-based-on", 330, 480)
    yes = drop_widget(page, "send-message", 130, 680)
    no = drop_widget(page, "send-message", 560, 680)
    assert (ask, split, yes, no) == ("send_and_reply_1", "split_1", "send_message_1", "send_message_2")
    assert node(page, ask).get_attribute("data-widget-type") == "send-and-wait-for-reply"

    # Configure in the inspector.
    select(page, ask)
    page.fill("[data-testid=prop-body]", "Did that help? Reply YES or NO")
    page.fill("[data-testid=prop-timeout]", "600")
    page.fill("[data-testid=widget-name-input]", "ask")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-widget-name=ask]")
    ask = "ask"

    select(page, split)
    page.fill("[data-testid=prop-input]", "{{widgets.ask.inb")
    page.wait_for_selector("[data-testid=liquid-completions]")
    page.locator("[data-testid=liquid-completions] li", has_text="widgets.ask.inbound.Body").click()
    assert page.input_value("[data-testid=prop-input]") == "{{widgets.ask.inbound.Body}}"
    page.click("[data-testid=add-condition]")
    page.select_option("[data-testid=condition-type-0-0]", "matches_any_of")
    page.fill("[data-testid=condition-value-0-0]", "yes,y")

    select(page, yes)
    page.fill("[data-testid=prop-body]", "Glad to hear it!")
    select(page, no)
    page.fill("[data-testid=prop-body]", "Sorry <b>about</b> that.")

    # Connect.
    connect(page, "Trigger", "incomingMessage", ask)
    connect(page, ask, "incomingMessage", split)
    connect(page, split, "match:1", yes)
    connect(page, split, "noMatch", no)
    assert page.locator(".react-flow__edge").count() == 4

    # Renaming updates every reference: transitions and {{widgets.ask...}} in the split.
    select(page, ask)
    page.fill("[data-testid=widget-name-input]", "question")
    page.keyboard.press("Tab")
    page.wait_for_selector("[data-widget-name=question]")
    ask = "question"
    assert page.locator(".react-flow__edge").count() == 4
    # User text is text, never markup.
    assert page.locator("[data-widget-name] b").count() == 0

    page.fill("[data-testid=commit-message]", "First version")
    page.click("[data-testid=publish-button]")
    page.wait_for_selector("[data-testid=status]:has-text('Published')")
    shot(page, "build-five-widgets")

    flow = rest_flow(page, sid)
    assert flow["status"] == "published"
    states = {s["name"]: s for s in flow["definition"]["states"]}
    assert set(states) == {"Trigger", "question", "split_1", "send_message_1", "send_message_2"}
    nexts = lambda name: {t["event"]: t.get("next") for t in states[name]["transitions"] if t.get("next")}  # noqa: E731
    assert nexts("Trigger") == {"incomingMessage": "question"}
    assert nexts("question") == {"incomingMessage": "split_1"}
    assert states["question"]["properties"]["body"] == "Did that help? Reply YES or NO"
    assert states["question"]["properties"]["timeout"] == "600"
    split_state = states["split_1"]
    assert split_state["properties"]["input"] == "{{widgets.question.inbound.Body}}"
    match = [t for t in split_state["transitions"] if t["event"] == "match"]
    assert match == [
        {
            "event": "match",
            "next": "send_message_1",
            "conditions": [
                {
                    "friendly_name": "If value matches_any_of yes,y",
                    "arguments": ["{{widgets.question.inbound.Body}}"],
                    "type": "matches_any_of",
                    "value": "yes,y",
                }
            ],
        }
    ]
    assert nexts("split_1") == {"noMatch": "send_message_2", "match": "send_message_1"}
    assert states["send_message_2"]["properties"]["body"] == "Sorry <b>about</b> that."
