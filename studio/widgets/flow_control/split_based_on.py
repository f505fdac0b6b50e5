from __future__ import annotations

import datetime as dt
import re
from typing import Any

from studio.widgets.props import Prop
from studio.widgets.runtime import Outcome, WidgetCall
from studio.widgets.widget import Widget

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

# Operators whose ``value`` is ignored, with the text Console writes there instead.
VALUELESS_VALUES: dict[str, str] = {"is_blank": "Is Blank", "is_not_blank": "Is Not Blank"}
VALUELESS_OPERATORS = frozenset(VALUELESS_VALUES)

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
        # The editor builds its operator menu from the `type` field's enum and hides the value
        # of valueless operators: this module stays the one list of operators.
        return {
            "type": "object",
            "properties": [f.to_schema() for f in CONDITION_FIELDS],
            "valueless_operators": dict(VALUELESS_VALUES),
        }

    @classmethod
    def describe(cls) -> dict[str, Any]:
        out = super().describe()
        out["condition_schema"] = cls.condition_schema()
        return out

    # -- runtime ---------------------------------------------------------------------------
    failure_event = "noMatch"

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        """Test the input against each ``match`` transition in order (all its conditions must
        hold); the first that holds is taken, otherwise ``noMatch``."""
        has_input = "input" in call.properties
        for transition in call.transitions:
            if transition.get("event") != "match":
                continue
            conditions = transition.get("conditions") or []
            if not conditions:
                continue
            if all(_holds(cond, call, has_input) for cond in conditions):
                return Outcome(event="match", transition=transition)
        warnings: list[tuple[int, str]] = []
        no_match = next((t for t in call.transitions if t.get("event") == "noMatch"), None)
        if not (no_match or {}).get("next"):
            warnings.append((81005, f"No matching transition in {call.name}"))
        return Outcome(event="noMatch", warnings=warnings)


def _holds(condition: dict[str, Any], call: WidgetCall, has_input: bool) -> bool:
    if has_input:
        tested = call.properties.get("input")
    else:
        arguments = condition.get("arguments") or [""]
        tested = call.render(str(arguments[0])) if arguments else ""
    value = condition.get("value")
    if isinstance(value, str):
        value = call.render(value)
    return evaluate(str(condition.get("type", "")), tested, value)


def evaluate(operator: str, tested: Any, value: Any) -> bool:
    """Spec §3.2: both sides trimmed, comparisons case-insensitive; bad input compares false."""
    t = "" if tested is None else str(tested).strip()
    v = "" if value is None else str(value).strip()
    tl, vl = t.casefold(), v.casefold()
    items = [item.strip().casefold() for item in v.split(",")]
    if operator == "equal_to":
        return tl == vl
    if operator == "not_equal_to":
        return tl != vl
    if operator == "matches_any_of":
        return tl in items
    if operator == "does_not_match_any_of":
        return tl not in items
    if operator == "is_blank":
        return t == ""
    if operator == "is_not_blank":
        return t != ""
    if operator == "regex":
        try:
            return re.fullmatch(v, t, re.IGNORECASE | re.DOTALL) is not None
        except re.error:
            return False
    if operator == "contains":
        return vl in tl
    if operator == "does_not_contain":
        return vl not in tl
    if operator == "starts_with":
        return tl.startswith(vl)
    if operator == "does_not_start_with":
        return not tl.startswith(vl)
    if operator in ("less_than", "greater_than"):
        a, b = _number(t), _number(v)
        if a is None or b is None:
            return False
        return a < b if operator == "less_than" else a > b
    if operator in ("is_before_time", "is_after_time"):
        ta, tb = _time(t), _time(v)
        if ta is None or tb is None:
            return False
        return ta < tb if operator == "is_before_time" else ta > tb
    if operator in ("is_before_date", "is_after_date"):
        da, db = _date(t), _date(v)
        if da is None or db is None:
            return False
        return da < db if operator == "is_before_date" else da > db
    return False


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?", re.IGNORECASE)
_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")


def _number(text: str) -> float | None:
    cleaned = text.replace(",", "") if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text) else text
    return float(cleaned) if _NUMBER.match(cleaned) else None


def _time(text: str) -> dt.time | None:
    match = _TIME.search(text)
    if match is None:
        return None
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    meridiem = (match.group(4) or "").replace(".", "").lower()
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    try:
        return dt.time(hour, minute, second)
    except ValueError:
        return None


def _date(text: str) -> dt.date | None:
    match = _DATE.search(text)
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
