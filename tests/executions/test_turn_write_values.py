"""What a turn's write sends. Its UPDATE of the execution sends each column's value exactly as
Django's ``save`` would (``Field.get_db_prep_save``): the engine's write adapts the values it
holds (str, int, aware datetime, JSON dict or list, None) with the backend's own adaptation
directly, and hands anything else to the field. A step's JSON row carries its context as the
text the snapshot was copied through (encoded once, not twice), and the same context."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.functional import lazy

from executions.engine.context import snapshot_with_json
from executions.engine.writes import STATE_COLUMNS, _converters, _prep_save, _rows_json, encoded_as
from executions.models import Execution, Step

pytestmark = pytest.mark.django_db


def _same(ours: Any, django: Any) -> bool:
    """Equal values of the same type (psycopg's wrappers compare by their object)."""
    if type(ours) is not type(django):
        return False
    if hasattr(django, "obj"):
        return bool(ours.obj == django.obj)
    return bool(ours == django)


def _both(field_name: str, value: Any) -> tuple[Any, Any]:
    field = Execution._meta.get_field(field_name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a naive datetime warns (both take the field's path)
        ours = _prep_save(field, field.get_internal_type(), value, connection)
        django = field.get_db_prep_save(value, connection)
    return ours, django


def test_it_sends_every_state_column_as_djangos_save_does() -> None:
    values = {
        "context": {
            "trigger": {"call": {"From": "+15005550006"}},
            "widgets": {},
            "flow": {"variables": {"n": 1}},
        },
        "status": "active",
        "current_widget": "menu",
        "wait_state": {"token": "ab12", "data": {"timeout": 5}, "timer": False},
        "step_count": 3,
        "last_widget": "menu",
        "repeat_count": 1,
        "log": [{"level": "warning", "code": 81002, "message": "late"}],
        "date_ended": timezone.now(),
        "date_updated": timezone.now(),
    }
    assert set(values) == set(STATE_COLUMNS)
    for name, value in values.items():
        ours, django = _both(name, value)
        assert _same(ours, django), (name, ours, django)


@pytest.mark.parametrize(
    ("field_name", "value"),
    [
        ("date_ended", None),
        ("context", {}),
        ("log", []),
        ("status", lazy(lambda: "ended", str)()),  # a lazy string: the field's own path
        ("step_count", True),  # not exactly an int: the field's own path
        ("date_ended", dt.datetime(2026, 1, 2, 3, 4, 5)),  # naive: made aware as Django does
        ("context", "a JSON string"),
    ],
)
def test_it_sends_unusual_values_as_djangos_save_does(field_name: str, value: Any) -> None:
    ours, django = _both(field_name, value)
    assert _same(ours, django), (ours, django)


def _step_rows(steps: list[Step]) -> list[dict[str, Any]]:
    fields = [f for f in Step._meta.concrete_fields if not f.primary_key and f.name != "execution"]
    rows: list[dict[str, Any]] = json.loads(_rows_json(steps, _converters(fields), adding=True))
    return rows


def test_a_steps_row_carries_its_snapshots_text() -> None:
    context = {"widgets": {"menu": {"Digits": "1", "Say": 'caf\u00e9 "quoted"'}}, "flow": {"variables": {}}}
    copied, text = snapshot_with_json(context)
    assert text is not None and json.loads(text) == context == copied
    step = Step(name="keypress", transitioned_from="menu", transitioned_to="check", type="x", context=copied)
    marked = Step(
        name="keypress", transitioned_from="menu", transitioned_to="check", type="x", context=copied
    )
    encoded_as(marked, "context", '{"as":"kept"}')  # not the value's JSON: shows which one is sent
    plain_row, marked_row = _step_rows([step, marked])
    assert plain_row["context"] == context
    assert marked_row["context"] == {"as": "kept"}
    assert {
        k: v for k, v in marked_row.items() if k not in ("context", "sid", "date_created", "date_updated")
    } == {k: v for k, v in plain_row.items() if k not in ("context", "sid", "date_created", "date_updated")}


def test_a_context_replaced_after_it_was_encoded_is_encoded_again() -> None:
    step = Step(name="e", transitioned_from="a", transitioned_to="b", type="x", context={"old": 1})
    encoded_as(step, "context", '{"old":1}')
    step.context = {"new": 2}
    assert _step_rows([step])[0]["context"] == {"new": 2}


def test_a_context_that_is_not_json_data_is_deep_copied_without_text() -> None:
    odd = {"when": dt.date(2026, 1, 2)}
    copied, text = snapshot_with_json(odd)
    assert text is None and copied == odd and copied is not odd
