"""A turn's UPDATE of its execution sends each column's value exactly as Django's ``save``
would (``Field.get_db_prep_save``): the engine's write adapts the values it holds (str, int,
aware datetime, JSON dict or list, None) with the backend's own adaptation directly, and hands
anything else to the field."""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.functional import lazy

from executions.engine.writes import STATE_COLUMNS, _prep_save
from executions.models import Execution

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
