"""What changed between two flow definitions, with logic kept apart from layout.

A widget moved on the canvas (only ``properties.offset`` differs) is a layout change; a new
widget, a removed one, a changed type/property or a rewired transition is a logic change.
Pure functions: no models, no I/O.
"""

from __future__ import annotations

from typing import Any

LAYOUT_KEYS = frozenset({"offset"})


def _states(definition: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    states = (definition or {}).get("states") or []
    out: dict[str, dict[str, Any]] = {}
    for state in states:
        if isinstance(state, dict) and isinstance(state.get("name"), str):
            out.setdefault(state["name"], state)
    return out


def _properties(state: dict[str, Any]) -> dict[str, Any]:
    props = state.get("properties")
    return props if isinstance(props, dict) else {}


def _transitions(state: dict[str, Any]) -> list[dict[str, Any]]:
    transitions = state.get("transitions")
    return [t for t in transitions if isinstance(t, dict)] if isinstance(transitions, list) else []


def _edges(states: dict[str, dict[str, Any]]) -> set[tuple[str, str, str | None]]:
    """Every wired transition as (from widget, event, to widget); unconnected ones are not edges."""
    edges: set[tuple[str, str, str | None]] = set()
    for name, state in states.items():
        for t in _transitions(state):
            target = t.get("next") or None
            if target is not None:
                edges.add((name, str(t.get("event", "")), str(target)))
    return edges


def _conditions_by_event(state: dict[str, Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for t in _transitions(state):
        out.setdefault(str(t.get("event", "")), []).append(t.get("conditions"))
    return out


def _offset(state: dict[str, Any]) -> dict[str, Any] | None:
    offset = _properties(state).get("offset")
    return offset if isinstance(offset, dict) else None


def _changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    fields: list[str] = []
    if old.get("type") != new.get("type"):
        fields.append("type")
    old_props, new_props = _properties(old), _properties(new)
    for key in sorted(set(old_props) | set(new_props)):
        if key in LAYOUT_KEYS:
            continue
        if old_props.get(key, _MISSING) != new_props.get(key, _MISSING):
            fields.append(f"properties.{key}")
    # Split conditions live on transitions; a changed condition changes behaviour.
    old_conds, new_conds = _conditions_by_event(old), _conditions_by_event(new)
    for event in sorted(set(old_conds) | set(new_conds)):
        if old_conds.get(event, []) != new_conds.get(event, []) and any(
            c is not None for c in old_conds.get(event, []) + new_conds.get(event, [])
        ):
            fields.append(f"transitions.{event}.conditions")
    return fields


class _Missing:
    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "<missing>"


_MISSING = _Missing()


def _edge_json(edge: tuple[str, str, str | None]) -> dict[str, Any]:
    return {"from": edge[0], "event": edge[1], "to": edge[2]}


def diff_definitions(a: dict[str, Any] | None, b: dict[str, Any] | None) -> dict[str, Any]:
    """The changes from definition ``a`` to definition ``b``.

    Answer: ``{"logic": {"added", "removed", "changed", "transitions": {"added", "removed"}},
    "layout": {"moved"}, "flow_changed": {key: {"from", "to"}}, "has_logic_changes",
    "has_layout_changes"}``.
    """
    old_states, new_states = _states(a), _states(b)
    added = [name for name in new_states if name not in old_states]
    removed = [name for name in old_states if name not in new_states]
    changed: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    for name, new in new_states.items():
        old = old_states.get(name)
        if old is None:
            continue
        fields = _changed_fields(old, new)
        if fields:
            changed.append({"name": name, "fields": fields})
        if _offset(old) != _offset(new):
            moved.append({"name": name, "from": _offset(old), "to": _offset(new)})

    old_edges, new_edges = _edges(old_states), _edges(new_states)
    edges_added = sorted(new_edges - old_edges, key=lambda e: (e[0], e[1], e[2] or ""))
    edges_removed = sorted(old_edges - new_edges, key=lambda e: (e[0], e[1], e[2] or ""))

    flow_changed: dict[str, Any] = {}
    old_top, new_top = a or {}, b or {}
    for key in sorted((set(old_top) | set(new_top)) - {"states"}):
        if old_top.get(key) != new_top.get(key):
            flow_changed[key] = {"from": old_top.get(key), "to": new_top.get(key)}

    logic = {
        "added": added,
        "removed": removed,
        "changed": changed,
        "transitions": {
            "added": [_edge_json(e) for e in edges_added],
            "removed": [_edge_json(e) for e in edges_removed],
        },
    }
    has_logic = bool(added or removed or changed or edges_added or edges_removed or flow_changed)
    return {
        "logic": logic,
        "layout": {"moved": moved},
        "flow_changed": flow_changed,
        "has_logic_changes": has_logic,
        "has_layout_changes": bool(moved),
    }
