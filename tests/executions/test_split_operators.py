"""Split Based On: the 17 operators (spec §3.2), each through a running flow."""

from __future__ import annotations

from typing import Any

import pytest

from studio.widgets.flow_control.split_based_on import OPERATORS, evaluate
from tests.executions.factories import definition, on, state
from tests.executions.support import start_rest

pytestmark = pytest.mark.django_db(transaction=True)

# operator: (input, value, expected), one matching and one non-matching case each.
CASES: dict[str, list[tuple[str, str, bool]]] = {
    "equal_to": [("  YES ", "yes", True), ("yes", "no", False)],
    "not_equal_to": [("yes", "no", True), (" Yes", "yes ", False)],
    "matches_any_of": [("Yeah", "yes, yeah ,yup", True), ("nope", "yes,yeah", False)],
    "does_not_match_any_of": [("nope", "yes,yeah", True), ("YUP", "yes,yup", False)],
    "is_blank": [("   ", "Is Blank", True), ("x", "Is Blank", False)],
    "is_not_blank": [(" x ", "Is Not Blank", True), ("", "Is Not Blank", False)],
    "regex": [("ABC123", "[a-z]+\\d+", True), ("6", "[1-5]", False)],
    "contains": [("aab", "A", True), ("abc", "z", False)],
    "does_not_contain": [("abc", "z", True), ("aab", "aa", False)],
    "starts_with": [(" Hoot", "hoo", True), ("owl", "hoo", False)],
    "does_not_start_with": [("owl", "hoo", True), ("Hoot", "HOO", False)],
    "less_than": [("9", "10", True), ("abc", "10", False)],
    "greater_than": [("10.5", "10", True), ("9", "10", False)],
    "is_before_time": [("16:35", "17:00", True), ("17:00", "16:35", False)],
    "is_after_time": [("17:01", "17:00", True), ("08:00", "17:00", False)],
    "is_before_date": [("2017-09-04", "2019-08-12", True), ("2019-08-12", "2017-09-04", False)],
    "is_after_date": [("2019-08-12", "2017-09-04", True), ("bad", "2017-09-04", False)],
}


def test_it_covers_all_seventeen_operators() -> None:
    assert set(CASES) == set(OPERATORS) and len(OPERATORS) == 17


def split_flow(operator: str, value: str) -> dict[str, Any]:
    cond = {"friendly_name": "c", "arguments": ["{{flow.data.input}}"], "type": operator, "value": value}
    return definition(
        state(
            "split",
            "split-based-on",
            [on("noMatch", "no"), on("match", "yes", conditions=[cond])],
            input="{{flow.data.input}}",
        ),
        state("yes", "set-variables", [on("next")], variables=[{"key": "branch", "value": "match"}]),
        state("no", "set-variables", [on("next")], variables=[{"key": "branch", "value": "noMatch"}]),
        trigger=[on("incomingRequest", "split")],
    )


@pytest.mark.parametrize("operator", list(CASES))
def test_it_branches_on_each_operator(operator: str, flow_factory: Any) -> None:
    for i, (tested, value, expected) in enumerate(CASES[operator]):
        flow = flow_factory(split_flow(operator, value))
        ex = start_rest(flow, to=f"+1555{i}", data={"input": tested})
        assert ex.context["flow"]["variables"]["branch"] == ("match" if expected else "noMatch"), (
            tested,
            value,
        )


def test_it_takes_the_first_matching_branch_in_order(flow_factory: Any) -> None:
    conds = [
        {"friendly_name": n, "arguments": ["{{flow.data.x}}"], "type": "contains", "value": v}
        for n, v in (("a", "b"), ("b", "a"))
    ]
    flow = flow_factory(
        definition(
            state(
                "split",
                "split-based-on",
                [
                    on("noMatch"),
                    on("match", "first", conditions=[conds[0]]),
                    on("match", "second", conditions=[conds[1]]),
                ],
                input="{{flow.data.x}}",
            ),
            state("first", "set-variables", [on("next")], variables=[{"key": "took", "value": "first"}]),
            state("second", "set-variables", [on("next")], variables=[{"key": "took", "value": "second"}]),
            trigger=[on("incomingRequest", "split")],
        )
    )
    assert start_rest(flow, data={"x": "ab"}).context["flow"]["variables"]["took"] == "first"


def test_it_requires_every_condition_of_a_branch(flow_factory: Any) -> None:
    conds = [
        {"friendly_name": "a", "arguments": ["{{flow.data.x}}"], "type": "starts_with", "value": "a"},
        {"friendly_name": "b", "arguments": ["{{flow.data.x}}"], "type": "contains", "value": "z"},
    ]
    flow = flow_factory(
        definition(
            state(
                "split",
                "split-based-on",
                [on("noMatch"), on("match", "m", conditions=conds)],
                input="{{flow.data.x}}",
            ),
            state("m", "set-variables", [on("next")], variables=[{"key": "m", "value": "1"}]),
            trigger=[on("incomingRequest", "split")],
        )
    )
    ex = start_rest(flow, data={"x": "abc"})
    assert "m" not in ex.context["flow"]["variables"]
    assert ex.status == "ended"
    assert any(entry["code"] == 81005 for entry in ex.log)


def test_it_renders_liquid_in_condition_values(flow_factory: Any) -> None:
    cond = {
        "friendly_name": "c",
        "arguments": ["{{flow.data.a}}"],
        "type": "equal_to",
        "value": "{{flow.data.b}}",
    }
    flow = flow_factory(
        definition(
            state(
                "split",
                "split-based-on",
                [on("noMatch"), on("match", "m", conditions=[cond])],
                input="{{flow.data.a}}",
            ),
            state("m", "set-variables", [on("next")], variables=[{"key": "m", "value": "yes"}]),
            trigger=[on("incomingRequest", "split")],
        )
    )
    assert start_rest(flow, data={"a": "Same", "b": "same"}).context["flow"]["variables"]["m"] == "yes"


def test_it_tests_the_condition_argument_when_the_split_has_no_input() -> None:
    assert evaluate("regex", "yes please", "^(?=.*please).*$")
    assert not evaluate("regex", "yes", "(")  # an invalid pattern never matches
    assert evaluate("is_before_time", "2024-01-01 09:15", "9:30")
    assert evaluate("is_after_time", "5:00 PM", "16:59")
    assert not evaluate("less_than", "", "1")
