"""Rebuild a corpus flow on a blank canvas through the UI only: library drag, inspector fields,
handle drags. Property values are entered by the schema of each field, the way a user would
type them (no JSON is pasted except into fields whose value *is* JSON text, via CodeMirror)."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.helpers import api_json, connect, drop_widget, node, select

VALUELESS = {"is_blank", "is_not_blank"}


def grid(page: Any, count: int) -> list[tuple[float, float]]:
    """Drop points in pane pixels (a blank flow opens at zoom 1 with the Trigger top left): rows
    of widgets 300 px apart below the Trigger, clear of the minimap in the bottom-right corner."""
    pane = page.locator(".react-flow__pane").bounding_box()
    columns = [140 + 300 * i for i in range(int((pane["width"] - 300) // 300))]
    rows = [260 + 240 * j for j in range(int((pane["height"] - 420) // 240))]
    points = [(x, y) for y in rows for x in columns]
    assert len(points) >= count, f"a {count}-widget flow needs a larger page than {pane}"
    return points[:count]


def catalogue(page: Any) -> dict[str, dict[str, Any]]:
    res = api_json(page, "GET", "/api/console/widgets")
    assert res["status"] == 200
    return {w["type"]: w for w in res["body"]["widgets"]}


def field(page: Any, prop: str) -> Any:
    return page.locator(f"[data-testid=inspector] [data-field='{prop}']")


def fill_code(page: Any, test_id: str, text: str) -> None:
    """Type into a CodeMirror editor (its `.cm-content` carries the test id)."""
    page.locator(f"[data-testid='{test_id}']").fill(text)


def set_value(page: Any, schema: dict[str, Any], test_id: str, value: Any) -> None:
    kind = schema["type"]
    sel = f"[data-testid='{test_id}']"
    if kind == "boolean":
        page.set_checked(sel, value is True or value == "true")
    elif kind == "enum":
        if page.eval_on_selector(sel, "el => el.tagName") == "SELECT":
            page.select_option(sel, str(value))
        else:
            page.fill(sel, str(value))
    elif kind in ("json-string", "object"):
        fill_code(page, test_id, value if isinstance(value, str) else json.dumps(value, indent=2))
    else:
        page.fill(sel, str(value))


def set_array(page: Any, schema: dict[str, Any], value: list[Any]) -> None:
    base = f"prop-{schema['name']}"
    while page.locator(f"[data-testid='{base}-0-remove']").count():
        page.click(f"[data-testid='{base}-0-remove']")
    fields = {f["name"]: f for f in (schema.get("items") or {}).get("properties") or []}
    for i, item in enumerate(value):
        page.click(f"[data-testid='{base}-add']")
        for key, v in item.items():
            set_value(page, fields[key], f"{base}-{i}-{key}", v)


def configure(page: Any, state: dict[str, Any], entry: dict[str, Any]) -> None:
    props = state["properties"]
    for schema in entry["properties"]:
        name = schema["name"]
        present = field(page, name).get_attribute("data-set") == "true"
        if name not in props:
            if present:
                page.click(f"[data-testid=inspector] [data-testid='unset-{name}']")
                page.wait_for_function(
                    "n => document.querySelector(`[data-testid=inspector] [data-field='${n}']`)?.dataset.set === 'false'",
                    arg=name,
                )
            continue
        if schema["type"] == "array":
            set_array(page, schema, props[name])
        elif props[name] == "" and not present:
            # An empty but present value: type something, then delete it.
            set_value(page, schema, f"prop-{name}", "x")
            set_value(page, schema, f"prop-{name}", "")
        else:
            set_value(page, schema, f"prop-{name}", props[name])
    if state["type"] == "split-based-on":
        for bi, t in enumerate(t for t in state["transitions"] if t["event"] == "match"):
            page.click("[data-testid=add-condition]")
            for ci, c in enumerate(t.get("conditions") or []):
                if ci > 0:
                    page.click(f"[data-testid=add-condition-to-{bi}]")
                page.select_option(f"[data-testid=condition-type-{bi}-{ci}]", c["type"])
                if c["type"] not in VALUELESS:
                    page.fill(f"[data-testid=condition-value-{bi}-{ci}]", c["value"])
                page.fill(f"[data-testid=condition-name-{bi}-{ci}]", c["friendly_name"])


def handle_for(state: dict[str, Any], index: int) -> str:
    t = state["transitions"][index]
    if state["type"] != "split-based-on" or t["event"] != "match":
        return str(t["event"])
    # The editor keeps noMatch first and appends branches in order: branch k is match:(k+1).
    branch = sum(1 for u in state["transitions"][:index] if u["event"] == "match")
    return f"match:{branch + 1}"


def build(page: Any, definition: dict[str, Any]) -> None:
    """Rebuild `definition` on the blank flow open in `page`."""
    cat = catalogue(page)
    widgets = [s for s in definition["states"] if s["type"] != "trigger"]
    if any(cat[s["type"]].get("legacy") for s in widgets):
        page.check("[aria-label='Widget library'] input[type=checkbox]")  # "show legacy"
    for state, (x, y) in zip(widgets, grid(page, len(widgets)), strict=True):
        made = drop_widget(page, state["type"], x, y)
        select(page, made)
        page.fill("[data-testid=widget-name-input]", state["name"])
        page.keyboard.press("Enter")
        page.wait_for_selector(f"[data-testid=widget-name-input][value='{state['name']}']")
        configure(page, state, cat[state["type"]])

    select(page, "Trigger")
    page.fill("[data-testid=flow-description]", definition["description"])
    page.set_checked("[data-testid=allow-concurrent-calls]", definition["flags"]["allow_concurrent_calls"])

    for state in definition["states"]:
        for index, t in enumerate(state["transitions"]):
            if t.get("next"):
                connect(page, state["name"], handle_for(state, index), t["next"])
    assert node(page, "Trigger").count() == 1


def without_dangling(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition with transitions to widgets that do not exist disconnected (corpus 18 has
    one; the engine ends the execution there, exactly as with no `next`). The canvas can only
    connect to a widget that exists."""
    names = {s["name"] for s in definition["states"]}
    out = json.loads(json.dumps(definition))
    for s in out["states"]:
        for t in s["transitions"]:
            if t.get("next") and t["next"] not in names:
                del t["next"]
    return out


def logic(definition: dict[str, Any]) -> dict[str, Any]:
    """What a flow does: every state's type, properties except offset, and its wired (or
    conditioned) transitions in order; plus the flow-level fields. Unwired plain events carry
    no behaviour and the editor always lists every event of a widget, so they are left out."""
    states = {}
    for s in definition["states"]:
        props = {k: v for k, v in s["properties"].items() if k != "offset"}
        transitions = [
            {k: t[k] for k in ("event", "next", "conditions") if t.get(k) is not None}
            for t in s["transitions"]
            if t.get("next") or t.get("conditions")
        ]
        states[s["name"]] = {"type": s["type"], "properties": props, "transitions": transitions}
    top = {k: v for k, v in definition.items() if k != "states"}
    return {"flow": top, "states": states}
