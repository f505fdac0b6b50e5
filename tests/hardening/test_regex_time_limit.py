"""User regular expressions run with a time limit: a Split's ``regex`` operator against text a
stranger sends (an SMS body) cannot hold a worker for exponential time. On timeout the
condition does not hold, so the Split takes its no-match path."""

from __future__ import annotations

import time
from typing import Any

import pytest

from studio.widgets.flow_control import split_based_on
from tests.executions.factories import definition, make_flow, on, state
from tests.executions.support import start_rest, step_names

EVIL = r"^(\w+\s?)*$"
ATTACK = "a" * 28 + "!"  # 29 characters: catastrophic backtracking for EVIL


def test_it_stops_a_catastrophic_regex_within_a_bound(settings: Any) -> None:
    settings.STUDIO = {**settings.STUDIO, "REGEX_TIMEOUT_SECONDS": 0.2}
    started = time.monotonic()
    assert split_based_on.evaluate("regex", ATTACK, EVIL) is False
    assert time.monotonic() - started < 2.0


def test_it_still_matches_ordinary_input() -> None:
    assert split_based_on.evaluate("regex", "Hello there", EVIL) is True
    assert split_based_on.evaluate("regex", "ORDER-123", r"order-\d+") is True  # case-insensitive
    assert split_based_on.evaluate("regex", "x", "(") is False  # invalid pattern: no match


@pytest.mark.django_db
def test_it_takes_the_no_match_path_on_timeout(alice: Any, settings: Any) -> None:
    settings.STUDIO = {**settings.STUDIO, "REGEX_TIMEOUT_SECONDS": 0.2}
    cond = {"friendly_name": "c", "arguments": ["{{flow.data.input}}"], "type": "regex", "value": EVIL}
    flow = make_flow(
        alice,
        definition(
            state(
                "split",
                "split-based-on",
                [on("noMatch", "no"), on("match", "yes", conditions=[cond])],
                input="{{flow.data.input}}",
            ),
            state("yes", "set-variables", [on("next")], variables=[{"key": "branch", "value": "match"}]),
            state("no", "set-variables", [on("next")], variables=[{"key": "branch", "value": "noMatch"}]),
            trigger=[on("incomingRequest", "split")],
        ),
    )
    started = time.monotonic()
    ex = start_rest(flow, data={"input": ATTACK})
    assert time.monotonic() - started < 5.0
    assert ex.context["flow"]["variables"]["branch"] == "noMatch"
    assert step_names(ex)[1] == "split-noMatch->no"


@pytest.mark.parametrize(
    "pattern", ["((a{1000}){1000}){1000}", "(?:a{65535}){65535}", "(x{200}|y{300}){500}"]
)
def test_it_refuses_a_pattern_that_explodes_when_compiled(pattern: str) -> None:
    from studio import user_regex

    started = time.monotonic()
    assert split_based_on.evaluate("regex", "a" * 30, pattern) is False
    assert user_regex.compile_error(pattern) is not None  # validation warns: regex_invalid
    assert time.monotonic() - started < 2.0


def test_it_accepts_ordinary_counted_repeats() -> None:
    assert split_based_on.evaluate("regex", "12345-6789", r"\d{5}(-\d{4}){0,1}") is True
    assert split_based_on.evaluate("regex", "ab" * 50, "(ab){50}") is True


def test_it_keeps_syntax_only_the_regex_package_knows() -> None:
    assert split_based_on.evaluate("regex", "Zoë", r"\p{L}+") is True
    assert split_based_on.evaluate("regex", "a" * 30, r"(?:\p{L}{1000}){1000}") is False
