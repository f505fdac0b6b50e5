"""Liquid ``<``, ``>``, ``<=``, ``>=`` and ``contains`` between values that cannot be compared
(a variable not set yet, text against a number, a list against a number) are false, as in
Twilio's Java Liquid (Liqp): they do not stop the execution with 81018.

The everyday case is Studio's counter idiom, ``{% if flow.variables.attempts > 2 %}``, on the
first pass when ``attempts`` is not set; and REST ``Parameters``, HTTP bodies, Digits and
message bodies are text, which is why Twilio's FAQ says to coerce with ``| plus: 0``.
"""

from __future__ import annotations

from typing import Any

import pytest

from executions.engine import templates
from tests.executions.factories import definition, make_flow, on, state
from tests.executions.support import bodies, start_rest, step_names

pytestmark = pytest.mark.django_db(transaction=True)

FROM = {"from": "{{flow.channel.address}}", "to": "{{contact.channel.address}}"}


def render(source: str, **data: Any) -> str:
    return templates.render(1, source, {"flow": {"data": data, "variables": {}}})


def when(condition: str, **data: Any) -> str:
    return render("{% if " + condition + " %}T{% else %}F{% endif %}", **data)


@pytest.mark.parametrize("op", [">", "<", ">=", "<="])
def test_it_compares_a_variable_not_set_yet_as_false(op: str) -> None:
    assert when(f"flow.variables.attempts {op} 2") == "F"
    assert when(f"2 {op} flow.variables.attempts") == "F"


@pytest.mark.parametrize("condition", ["flow.data.n > 3", "flow.data.n < 10", "flow.data.n >= 5"])
def test_it_compares_text_with_a_number_as_false(condition: str) -> None:
    assert when(condition, n="5") == "F"


def test_it_compares_numbers_once_coerced_with_plus_zero() -> None:
    assert render("{% assign n = flow.data.n | plus: 0 %}{% if n > 3 %}T{% else %}F{% endif %}", n="5") == "T"


def test_it_compares_values_of_one_type_as_liquid_does() -> None:
    assert when("flow.data.n > 3", n=5) == "T"
    assert when("flow.data.n < 3.5", n=5) == "F"
    assert when("flow.data.s > 'a'", s="b") == "T"
    assert when("flow.data.s contains 'ell'", s="hello") == "T"


@pytest.mark.parametrize("condition", ["flow.data.l > 1", "flow.data.d < 1", "flow.data.n contains 5"])
def test_it_answers_false_for_lists_maps_and_numbers_that_cannot_be_compared(condition: str) -> None:
    assert when(condition, l=[1], d={"a": 1}, n=5) == "F"


def test_it_runs_the_counter_idiom_from_the_first_pass(alice: Any) -> None:
    flow = make_flow(
        alice,
        definition(
            state(
                "count",
                "set-variables",
                [on("next", "report")],
                variables=[
                    {
                        "key": "attempts",
                        "value": "{% if flow.variables.attempts > 2 %}too many{% else %}"
                        "{{flow.variables.attempts | plus: 1}}{% endif %}",
                    }
                ],
            ),
            state(
                "report",
                "send-message",
                [on("sent"), on("failed")],
                body="attempt {{flow.variables.attempts}}",
                **FROM,
            ),
            trigger=[on("incomingRequest", "count")],
        ),
    )
    ex = start_rest(flow)
    assert step_names(ex) == ["Trigger-incomingRequest->count", "count-next->report", "report-sent->Ended"]
    assert bodies() == ["attempt 1"]
    assert not [e for e in ex.log or [] if e.get("code") == 81018]
