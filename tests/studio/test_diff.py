"""Revision diffs keep layout (a moved widget) apart from logic (widgets, properties, wiring)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from studio.diff import diff_definitions
from tests.studio.console import post
from tests.studio.flowdefs import make_flow, message_flow
from tests.support import CORPUS_DIR


def moved(definition: dict[str, Any], name: str, x: int, y: int) -> dict[str, Any]:
    out = copy.deepcopy(definition)
    for state in out["states"]:
        if state["name"] == name:
            state["properties"]["offset"] = {"x": x, "y": y}
    return out


def test_it_reports_nothing_for_identical_definitions() -> None:
    diff = diff_definitions(message_flow(), message_flow())
    assert diff["has_logic_changes"] is False and diff["has_layout_changes"] is False
    assert diff["logic"]["added"] == diff["logic"]["removed"] == diff["logic"]["changed"] == []
    assert diff["layout"]["moved"] == [] and diff["flow_changed"] == {}


def test_it_reports_a_moved_widget_as_layout_only() -> None:
    diff = diff_definitions(message_flow(), moved(message_flow(), "send_reply", 300, 400))
    assert diff["has_logic_changes"] is False
    assert diff["layout"]["moved"] == [
        {"name": "send_reply", "from": {"x": 20, "y": 200}, "to": {"x": 300, "y": 400}}
    ]


def test_it_reports_a_changed_property_as_logic() -> None:
    diff = diff_definitions(message_flow("a"), message_flow("b"))
    assert diff["logic"]["changed"] == [{"name": "send_reply", "fields": ["properties.body"]}]
    assert diff["has_layout_changes"] is False


def test_it_reports_a_changed_type() -> None:
    new = message_flow()
    new["states"][1]["type"] = "send-and-wait-for-reply"
    assert diff_definitions(message_flow(), new)["logic"]["changed"] == [
        {"name": "send_reply", "fields": ["type"]}
    ]


def test_it_reports_added_and_removed_widgets_and_their_transitions() -> None:
    new = message_flow()
    new["states"][1]["name"] = "say_hello"
    new["states"][0]["transitions"][0]["next"] = "say_hello"
    diff = diff_definitions(message_flow(), new)
    assert diff["logic"]["added"] == ["say_hello"] and diff["logic"]["removed"] == ["send_reply"]
    assert diff["logic"]["transitions"] == {
        "added": [{"from": "Trigger", "event": "incomingMessage", "to": "say_hello"}],
        "removed": [{"from": "Trigger", "event": "incomingMessage", "to": "send_reply"}],
    }


def test_it_reports_an_unplugged_transition() -> None:
    new = message_flow()
    del new["states"][0]["transitions"][0]["next"]
    diff = diff_definitions(message_flow(), new)
    assert diff["logic"]["transitions"]["removed"] == [
        {"from": "Trigger", "event": "incomingMessage", "to": "send_reply"}
    ]
    assert diff["logic"]["transitions"]["added"] == [] and diff["has_logic_changes"] is True


def test_it_reports_changed_split_conditions_as_logic() -> None:
    def split(value: str) -> dict[str, Any]:
        return {
            "states": [
                {
                    "name": "check",
                    "type": "split-based-on",
                    "transitions": [
                        {"event": "noMatch"},
                        {
                            "event": "match",
                            "next": "x",
                            "conditions": [
                                {
                                    "friendly_name": "y",
                                    "arguments": ["{{a}}"],
                                    "type": "equal_to",
                                    "value": value,
                                }
                            ],
                        },
                    ],
                    "properties": {"input": "{{a}}", "offset": {"x": 0, "y": 0}},
                }
            ]
        }

    diff = diff_definitions(split("yes"), split("no"))
    assert diff["logic"]["changed"] == [{"name": "check", "fields": ["transitions.match.conditions"]}]


def test_it_reports_top_level_changes() -> None:
    new = message_flow()
    new["description"] = "Changed"
    new["flags"] = {"allow_concurrent_calls": False}
    diff = diff_definitions(message_flow(), new)
    assert diff["flow_changed"] == {
        "description": {"from": "Reply once", "to": "Changed"},
        "flags": {"from": {"allow_concurrent_calls": True}, "to": {"allow_concurrent_calls": False}},
    }


def test_it_separates_a_move_and_an_edit_in_the_same_save() -> None:
    new = moved(message_flow("b"), "Trigger", 5, 5)
    diff = diff_definitions(message_flow("a"), new)
    assert [m["name"] for m in diff["layout"]["moved"]] == ["Trigger"]
    assert [c["name"] for c in diff["logic"]["changed"]] == ["send_reply"]


def test_it_treats_a_missing_definition_as_empty() -> None:
    diff = diff_definitions(None, message_flow())
    assert diff["logic"]["added"] == ["Trigger", "send_reply"]


def test_it_is_empty_for_a_corpus_flow_against_itself() -> None:
    path = CORPUS_DIR / "16-personalized-ivr.json"
    definition = json.loads(path.read_text())
    assert diff_definitions(definition, copy.deepcopy(definition))["has_logic_changes"] is False


@pytest.mark.django_db
def test_it_serves_the_diff_of_two_revisions_on_the_console_api(console: Any) -> None:
    flow = make_flow(console.account, definition=message_flow("a"))
    post(
        console,
        f"/api/console/flows/{flow.sid}/revisions",
        {"definition": moved(message_flow("b"), "send_reply", 1, 2), "expected_revision": 1},
    )
    body = console.get(f"/api/console/flows/{flow.sid}/diff?from=1&to=2").json()
    assert body["from"] == 1 and body["to"] == 2
    assert body["logic"]["changed"] == [{"name": "send_reply", "fields": ["properties.body"]}]
    assert body["layout"]["moved"][0]["to"] == {"x": 1, "y": 2}
    default = console.get(f"/api/console/flows/{flow.sid}/diff").json()
    assert (default["from"], default["to"]) == (1, 2)
    assert console.get(f"/api/console/flows/{flow.sid}/diff?from=1&to=9").status_code == 404
    assert console.get(f"/api/console/flows/{flow.sid}/diff?from=x").status_code == 400
