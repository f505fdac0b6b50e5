"""Liquid caps the strings and lists it builds while rendering, not only the final output.

Doubling a string with ``append`` (or a list with ``concat``), growing it with chains of
``replace`` or a ``join`` with a long separator stops at the intermediate cap (STUDIO
``LIQUID_STRING_LIMIT``) with a template error (81018), quickly and without building the big
value.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from executions.engine import templates as liquid
from studio.widgets.runtime import TemplateError
from tests.executions.factories import definition, on, state
from tests.executions.support import start_rest

DOUBLINGS = '{% assign s = "a" %}' + "{% assign s = s | append: s %}" * 26 + "{{ s | size }}"
PREPENDS = '{% assign s = "a" %}' + "{% assign s = s | prepend: s %}" * 26 + "{{ s | size }}"
REPLACES = '{{ "aaaaaaaaaa"' + ' | replace: "a", "aaaaaaaaaa"' * 9 + " | size }}"
EMPTY_REPLACE = '{% assign s = "x" %}' + '{% assign s = s | replace: "", s %}' * 6 + "{{ s | size }}"
JOIN = '{% assign big = "' + "b" * 2000 + '" %}{{ big | split: "" | join: big | size }}'
CONCATS = '{% assign l = "a,b" | split: "," %}' + "{% assign l = l | concat: l %}" * 26 + "{{ l | size }}"
RANGE_REVERSE = "{% assign r = (1..30000000) %}{{ r | reverse | size }}"
RANGE_JOIN = '{{ (1..30000000) | join: "," | size }}'
LOOP = (  # 15 iterations (the loop limit), each quadrupling the string
    '{% assign s = "ab" %}{% for i in (1..15) %}'
    "{% assign s = s | append: s | append: s | append: s %}{% endfor %}{{ s | size }}"
)


def bounded(render: Callable[[], Any], seconds: float = 2.0, megabytes: int = 16) -> None:
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(TemplateError) as info:
            render()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < seconds
    assert peak < megabytes * 1024 * 1024, f"peak {peak} bytes"
    assert "limit reached" in str(info.value)


@pytest.mark.parametrize(
    "template",
    [DOUBLINGS, PREPENDS, REPLACES, EMPTY_REPLACE, JOIN, CONCATS, LOOP, RANGE_REVERSE, RANGE_JOIN],
    ids=[
        "append",
        "prepend",
        "replace",
        "empty-replace",
        "join",
        "concat",
        "loops",
        "range-reverse",
        "range-join",
    ],
)
def test_it_stops_a_growing_value_fast_with_little_memory(template: str) -> None:
    bounded(lambda: liquid.render(1, template, {}))


def test_it_keeps_values_below_the_cap() -> None:
    body = "x" * 60_000  # a Make HTTP Request body can be 64 KB
    assert liquid.render(1, '{{ b | replace: "x", "y" | size }}', {"b": body}) == "60000"
    assert (
        liquid.render(
            1, '{% assign s = "ab" %}' + "{% assign s = s | append: s %}" * 10 + "{{ s | size }}", {}
        )
        == "2048"
    )


def test_it_reports_the_cap_as_81018_in_a_flow(flow_factory: Any) -> None:
    flow = flow_factory(
        definition(
            state("v", "set-variables", [on("next")], variables=[{"key": "a", "value": DOUBLINGS}]),
            trigger=[on("incomingRequest", "v")],
        )
    )
    ex = start_rest(flow)
    assert ex.status == "ended" and ex.log[-1]["code"] == 81018


@pytest.fixture
def flow_factory(alice: Any) -> Any:
    from tests.executions.factories import make_flow

    return lambda d: make_flow(alice, d)
