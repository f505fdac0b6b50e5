"""TaskRouter's expression language: what each operator means, and that the parser never
crashes, whatever the text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flex.expressions import ExpressionError, Scope, check, compile_expression, evaluate, taskrouter_clock

WORKER = {
    "skills": ["billing", "support"],
    "languages": {"primary": "en", "all": ["en", "fr"]},
    "level": 5,
    "name": "Alice Smith",
    "senior": True,
    "id": "alice",
}
TASK = {
    "type": "billing",
    "language": "fr",
    "preferred": ["alice", "carol"],
    "value": "Gold",
    "amount": "120",
}


def holds(text: str, roots: dict[str, Any] | None = None) -> bool:
    return evaluate(text, Scope(WORKER, {"worker": WORKER, "task": TASK, **(roots or {})}))


@pytest.mark.parametrize(
    "text",
    [
        "1==1",
        "1 = 1",
        "level == 5",
        "level != 4",
        "level > 4 AND level >= 5 AND level < 6 AND level <= 5",
        "skills HAS 'billing'",
        "'support' IN skills",
        "languages.primary == 'en'",
        "languages.all[1] == 'fr'",
        "task.language IN languages.all",
        "worker.id IN task.preferred",
        "task.type NOT IN ['sales', 'retention']",
        "name CONTAINS 'Smith'",
        "senior == true",
        "task.amount > 100",
        '(skills HAS "sales") OR (skills HAS "support")',
        "(level > 9 OR level < 6) AND task.value == 'Gold'",
        "skills has 'billing' and level = 5",
    ],
)
def test_it_holds(text: str) -> None:
    assert holds(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "1==2",
        "level != 5",
        "skills HAS 'sales'",
        "task.type IN ['sales']",
        "task.language NOT IN languages.all",
        "name CONTAINS 'Jones'",
        "missing == 'x'",
        "missing != 'x'",  # any comparison with NULL is false
        "languages.all[7] == 'en'",
        "level > 9 OR task.value == 'Silver'",
        "(level == 5) AND (skills HAS 'sales')",
    ],
)
def test_it_does_not_hold(text: str) -> None:
    assert holds(text) is False


def test_taskrouter_time_of_day_and_workers_available() -> None:
    clock = taskrouter_clock(dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC))  # a Monday
    assert clock == {"currentTime": 930, "currentHour": 9, "currentMin": 30, "dayOfWeek": "Mon"}
    assert holds("taskrouter.currentTime >= 900 AND taskrouter.dayOfWeek == 'Mon'", {"taskrouter": clock})
    assert not holds("taskrouter.currentTime > 1700", {"taskrouter": clock})
    assert evaluate("workers.available == 0", Scope({}, {"workers": {"available": 0}}))
    assert not evaluate("workers.available == 0", Scope({}, {"workers": {"available": 2}}))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "level ==",
        "(level == 5",
        "level == 5)",
        "skills HAS",
        "AND level",
        "'open",
        "a b",
        "[1, 2",
        "@#",
    ],
)
def test_a_malformed_expression_is_refused(text: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(text)
    assert check(text)


def test_deep_nesting_is_refused_not_a_crash() -> None:
    assert "nests deeper" in (check("(" * 500 + "1==1" + ")" * 500) or "")


def test_it_is_parsed_once() -> None:
    assert compile_expression("level == 5") is compile_expression("level == 5")


@settings(max_examples=400, database=None, deadline=None)
@given(st.text(max_size=200))
def test_the_parser_never_crashes_on_arbitrary_text(text: str) -> None:
    try:
        tree = compile_expression(text)
    except ExpressionError:
        return
    assert isinstance(evaluate(text, Scope(WORKER, {"task": TASK})), bool)
    assert tree


ATOMS = st.sampled_from(
    ["level", "skills", "task.type", "'billing'", "5", "true", "[1, 'a']", "languages.all[0]", "(", ")"]
)
OPS = st.sampled_from(["==", "!=", "<", ">=", "IN", "NOT IN", "HAS", "CONTAINS", "AND", "OR", "="])


@settings(max_examples=400, database=None, deadline=None)
@given(st.lists(st.one_of(ATOMS, OPS), max_size=15))
def test_the_parser_never_crashes_on_near_expressions(parts: list[str]) -> None:
    text = " ".join(parts)
    if check(text) is None:
        assert isinstance(holds(text), bool)
