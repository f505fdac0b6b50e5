"""The editor's Split Based On operators come from the catalogue the console serves, whose one
source is studio/widgets/flow_control/split_based_on.py (the editor keeps no list of its own)."""

from __future__ import annotations

from typing import Any

import pytest

from studio.widgets.flow_control.split_based_on import OPERATORS, VALUELESS_OPERATORS

pytestmark = pytest.mark.django_db


def split_entry(console: Any) -> dict[str, Any]:
    entries = console.get("/api/console/widgets").json()["widgets"]
    return next(w for w in entries if w["type"] == "split-based-on")


def test_it_serves_every_split_operator_in_studio_order(console: Any) -> None:
    fields = {f["name"]: f for f in split_entry(console)["condition_schema"]["properties"]}
    assert fields["type"]["enum"] == list(OPERATORS)
    assert fields["type"]["enum"][:3] == ["equal_to", "not_equal_to", "matches_any_of"]
    assert len(fields["type"]["enum"]) == 17


def test_it_serves_the_valueless_operators_with_the_value_console_writes(console: Any) -> None:
    valueless = split_entry(console)["condition_schema"]["valueless_operators"]
    assert valueless == {"is_blank": "Is Blank", "is_not_blank": "Is Not Blank"}
    assert set(valueless) == VALUELESS_OPERATORS
