from __future__ import annotations

from typing import Any

from studio.widgets.base import Prop, Widget

# §3.2: the 17 condition operators, exactly as Studio spells them.
OPERATORS: tuple[str, ...] = (
    "equal_to",
    "not_equal_to",
    "matches_any_of",
    "does_not_match_any_of",
    "is_blank",
    "is_not_blank",
    "regex",
    "contains",
    "does_not_contain",
    "starts_with",
    "does_not_start_with",
    "less_than",
    "greater_than",
    "is_before_time",
    "is_after_time",
    "is_before_date",
    "is_after_date",
)

# Operators whose ``value`` is ignored (Console writes "Is Blank" / "Is Not Blank" there).
VALUELESS_OPERATORS = frozenset({"is_blank", "is_not_blank"})

# Conditions live on ``match`` transitions, not in ``properties``; this is their item schema.
CONDITION_FIELDS: tuple[Prop, ...] = (
    Prop("friendly_name", "string", label="Name"),
    Prop("arguments", "array", item_type="string", liquid=True, label="Arguments"),
    Prop("type", "enum", required=True, allowed=OPERATORS, label="Operator"),
    Prop("value", "string", liquid=True, label="Value"),
)


class SplitBasedOn(Widget):
    type = "split-based-on"
    family = "Flow Control"
    label = "Split Based On..."
    description = (
        "Branch on a value: each match transition carries conditions tested in order; otherwise noMatch."
    )
    channel = "any"
    properties = [
        # Twilio marks `input` required, but a real export (corpus 18, a split with only a
        # noMatch transition) omits it, so a missing input is not a schema error here;
        # validation warns when match transitions exist without it.
        Prop("input", "string", liquid=True, label="Variable to test"),
    ]
    events = ["noMatch", "match"]
    repeatable_events = frozenset({"match"})
    outputs = []
    name_prefix = "split"

    @classmethod
    def events_for(cls, properties: dict[str, Any]) -> list[str]:
        # One noMatch plus any number of `match` transitions (one per condition branch);
        # the event name is always "match", the branch is identified by its `conditions`.
        return ["noMatch", "match"]

    @classmethod
    def condition_schema(cls) -> dict[str, Any]:
        return {"type": "object", "properties": [f.to_schema() for f in CONDITION_FIELDS]}

    @classmethod
    def describe(cls) -> dict[str, Any]:
        out = super().describe()
        out["condition_schema"] = cls.condition_schema()
        return out
