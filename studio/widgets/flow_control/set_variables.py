from __future__ import annotations

import re
from typing import Any

from accounts.input_guards import parse_json
from studio.widgets.props import Problem, Prop, is_blank
from studio.widgets.runtime import Outcome, WidgetCall
from studio.widgets.widget import Widget


class SetVariables(Widget):
    type = "set-variables"
    family = "Flow Control"
    label = "Set Variables"
    description = "Set flow.variables.KEY to rendered values (last write wins)."
    channel = "any"
    properties = [
        Prop(
            "variables",
            "array",
            label="Variables",
            default=[],
            fields=(
                # Keys are literal (no Liquid), values are Liquid templates.
                Prop("key", "string", required=True, no_liquid=True, label="Key"),
                Prop("value", "string", required=True, liquid=True, label="Value"),
                # [AI-SKILL] names the "Parse as JSON object" checkbox `parse_as_json`; never
                # seen in a public export (spec open question 2), so it is optional per item.
                Prop("parse_as_json", "boolean", label="Parse as JSON object"),
            ),
        ),
    ]
    events = ["next"]
    outputs = ["<key>"]
    open_outputs = True

    @classmethod
    def check_rules(cls, properties: dict[str, Any]) -> list[Problem]:
        out: list[Problem] = []
        variables = properties.get("variables")
        if isinstance(variables, list):
            for i, item in enumerate(variables):
                if isinstance(item, dict) and "key" in item and is_blank(item["key"]):
                    out.append(Problem(f"variables/{i}/key", "must not be empty", "empty"))
        return out

    # -- runtime ---------------------------------------------------------------------------

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        values: dict[str, Any] = {}
        warnings: list[tuple[int, str]] = []
        for item in call.properties.get("variables") or []:
            if not isinstance(item, dict) or is_blank(item.get("key")):
                continue
            key = str(item["key"])
            value = item.get("value")
            if _truthy(item.get("parse_as_json")):
                try:
                    values[key] = parse_json(value) if isinstance(value, str) else value
                except ValueError:
                    warnings.append((81027, f"variable {key!r}: value is not valid JSON; kept as text"))
                    values[key] = value
            else:
                values[key] = typed_value(value)
        # flow.variables.<key>, and the same pairs as widgets.<name>.<key> (spec §2.3 Set
        # Variables, [AI-SKILL]; a flow that reads either finds the value).
        return Outcome(event="next", outputs=dict(values), variables=values, warnings=warnings)


_INT = re.compile(r"^-?(0|[1-9]\d{0,15})$")
_FLOAT = re.compile(r"^-?(0|[1-9]\d{0,15})\.\d*[1-9]$")


def typed_value(value: Any) -> Any:
    """Studio's typing of Set Variables values: unquoted numbers become numbers, null becomes
    "" (leading zeros, "+" signs and trailing zeros keep the text, so phone numbers survive)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")
