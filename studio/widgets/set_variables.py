from __future__ import annotations

from typing import Any

from studio.widgets.base import Problem, Prop, Widget, is_blank


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
