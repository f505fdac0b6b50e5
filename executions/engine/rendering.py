"""Rendering a widget's properties with Liquid before it runs (spec §2.A)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from studio.widgets.props import has_liquid
from studio.widgets.widget import Widget


def _literal_keys(cls: type[Widget]) -> set[str]:
    keys = set(cls.unrendered)
    for prop in cls.properties:
        if not prop.liquid and prop.type in ("string", "enum"):
            keys.add(prop.name)
    return keys


def _render_value(value: Any, render: Callable[[str], str], literal_fields: set[str]) -> Any:
    if isinstance(value, str):
        return render(value) if has_liquid(value) else value
    if isinstance(value, list):
        return [_render_value(item, render, literal_fields) for item in value]
    if isinstance(value, dict):
        return {
            k: (v if k in literal_fields else _render_value(v, render, literal_fields))
            for k, v in value.items()
        }
    return value


def render_properties(
    cls: type[Widget], properties: dict[str, Any], render: Callable[[str], str]
) -> dict[str, Any]:
    """Every string property holding Liquid is rendered, except literal-only ones.

    Nested ``{key, value}`` items render their values; keys declared literal in the widget's
    schema (e.g. Set Variables keys) stay as written. Raises TemplateError.
    """
    literal = _literal_keys(cls)
    nested_literal: set[str] = set()
    for prop in cls.properties:
        for sub in prop.fields or ():
            if not sub.liquid and sub.type in ("string", "enum"):
                nested_literal.add(sub.name)
    out: dict[str, Any] = {}
    for key, value in properties.items():
        if key == "offset" or key in literal:
            out[key] = value
        else:
            out[key] = _render_value(value, render, nested_literal)
    return out
