"""Inspector shapes no corpus flow needed but Studio allows: several conditions in one split
branch, unsetting a property, optional item flags, other (undescribed) properties through
CodeMirror, and the flow's test users."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import api_json, create_flow, drop_widget, select

pytestmark = pytest.mark.e2e


def saved_state(page: Any, sid: str, name: str, revision: int) -> dict[str, Any]:
    page.click("[data-testid=save-button]")
    page.wait_for_selector(f"[data-testid=status]:has-text('Saved revision {revision}')")
    detail = api_json(page, "GET", f"/api/console/flows/{sid}")["body"]
    (state,) = [s for s in detail["definition"]["states"] if s["name"] == name]
    return state


def test_it_edits_and_conditions_names_flags_and_other_properties(app: Any) -> None:
    page = app
    sid = create_flow(page, "Inspector shapes")

    split = drop_widget(page, "split-based-on", 330, 300)
    select(page, split)
    page.fill("[data-testid=prop-input]", "{{trigger.message.Body}}")
    page.click("[data-testid=add-condition]")
    page.select_option("[data-testid=condition-type-0-0]", "starts_with")
    page.fill("[data-testid=condition-value-0-0]", "order")
    # A second condition in the same branch (AND), with its own name.
    page.click("[data-testid=add-condition-to-0]")
    page.select_option("[data-testid=condition-type-0-1]", "is_not_blank")
    page.fill("[data-testid=condition-name-0-1]", "Has text")
    page.click("[data-testid=add-condition-to-0]")
    page.click("[data-testid=remove-condition-0-2]")
    assert page.locator("[data-testid^=condition-type-0-]").count() == 2

    vars_ = drop_widget(page, "set-variables", 650, 300)
    select(page, vars_)
    page.click("[data-testid=prop-variables-add]")
    page.fill("[data-testid=prop-variables-0-key]", "order")
    page.fill("[data-testid=prop-variables-0-value]", '{"id": 1}')
    page.check("[data-testid=prop-variables-0-parse_as_json]")
    page.click("[data-testid=prop-variables-add]")
    page.fill("[data-testid=prop-variables-1-key]", "lang")
    page.fill("[data-testid=prop-variables-1-value]", "en")
    page.check("[data-testid=prop-variables-1-parse_as_json]")
    page.uncheck("[data-testid=prop-variables-1-parse_as_json]")

    say = drop_widget(page, "say-play", 330, 520)
    select(page, say)
    page.fill("[data-testid=prop-say]", "Hello")
    page.click("[data-testid=inspector] [data-testid=unset-language]")
    page.click("[data-testid=other-properties] summary")
    page.locator("[data-testid=prop-other-properties]").fill('{"x_note": {"by": "ops"}}')

    state = saved_state(page, sid, split, 2)
    match = [t for t in state["transitions"] if t["event"] == "match"]
    assert match == [
        {
            "event": "match",
            "conditions": [
                {
                    "friendly_name": "If value starts_with order",
                    "arguments": ["{{trigger.message.Body}}"],
                    "type": "starts_with",
                    "value": "order",
                },
                {
                    "friendly_name": "Has text",
                    "arguments": ["{{trigger.message.Body}}"],
                    "type": "is_not_blank",
                    "value": "Is Not Blank",
                },
            ],
        }
    ]
    detail = api_json(page, "GET", f"/api/console/flows/{sid}")["body"]
    states = {s["name"]: s for s in detail["definition"]["states"]}
    assert states[vars_]["properties"]["variables"] == [
        {"key": "order", "value": '{"id": 1}', "parse_as_json": True},
        {"key": "lang", "value": "en"},
    ]
    say_props = {k: v for k, v in states[say]["properties"].items() if k != "offset"}
    assert say_props == {"say": "Hello", "loop": 1, "x_note": {"by": "ops"}}

    # Test users: saved at once (no revision), kept across a reload.
    select(page, "Trigger")
    for user in ("+15550001111", "client:bob"):
        page.fill("[data-testid=test-user-input]", user)
        page.click("[data-testid=add-test-user]")
        page.wait_for_selector(f"[data-testid=test-users] li:has-text('{user}')")
    page.click("[data-testid=remove-test-user-0]")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=test-users] li').length === 1")
    detail = api_json(page, "GET", f"/api/console/flows/{sid}")["body"]
    assert detail["test_users"] == ["client:bob"]
    assert detail["revision"] == 2
    page.reload()
    page.wait_for_selector("[data-widget-name=Trigger]")
    select(page, "Trigger")
    assert page.locator("[data-testid=test-user-0]").inner_text().startswith("client:bob")
