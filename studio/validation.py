"""Flow-definition validation (what Twilio reports as error 81022, plus warnings).

Pure: a ``dict`` in, a :class:`ValidationResult` out. Each problem looks like Twilio's
``details.errors[]`` items — ``{"message", "property_path", "code"}`` with a 0-based
JSON-pointer-ish path such as ``#/states/3/properties/timeout``. ``code`` is our stable
machine-readable slug (Twilio's own items carry no per-item code).

Severity policy: what Twilio's FlowValidate rejects (schema/type/enum errors, duplicate
names, dangling transitions, invented events, unknown widget types) is an *error*. What
Twilio only discovers while running a flow (Liquid syntax, 81018; unknown filters; bad
regexes; JSON attributes) is a *warning*, because real exported flows contain such
mistakes and import fine on Twilio (corpus flow 15 has an unclosed ``{{``).
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from studio import liquid
from studio import widgets as widget_lib
from studio.widgets.flow_control.split_based_on import CONDITION_FIELDS, OPERATORS, VALUELESS_OPERATORS
from studio.widgets.props import Problem, Prop, has_liquid, is_blank, json_type
from studio.widgets.widget import Widget

SCHEMA_URI = "https://schemas.twilio.com/studio/draft/2019-09/flow-definition"
MAX_STATES = 1000  # flow-definition schema maxItems (spec §8)
MAX_SUBFLOW_WIDGETS = 150
MAX_DISTINCT_SUBFLOWS = 50
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
TOP_LEVEL_KEYS = ("description", "states", "initial_state", "flags", "$schema")
KNOWN_FLAGS = ("allow_concurrent_calls",)
# Trigger events that are not a REST request (rest-only widgets must not follow them).
NON_REST_TRIGGER_EVENTS = ("incomingMessage", "incomingCall", "incomingConversationMessage")

_TIME_RE = re.compile(r"^\d{2}:\d{2}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER_RE = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$")


@dataclass
class ValidationResult:
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "errors": self.errors, "warnings": self.warnings}

    def error(self, path: str, message: str, code: str) -> None:
        self.errors.append({"message": message, "property_path": path, "code": code})

    def warn(self, path: str, message: str, code: str) -> None:
        self.warnings.append({"message": message, "property_path": path, "code": code})

    def add(self, base: str, problem: Problem) -> None:
        path = f"{base}/{problem.path}" if problem.path else base
        (self.warn if problem.warning else self.error)(path, problem.message, problem.code)


def validate_definition(defn: Any, *, max_states: int = MAX_STATES) -> ValidationResult:
    """Validate a Studio flow definition (the parsed ``Definition`` JSON).

    >>> validate_definition({"states": [], "initial_state": "Trigger"}).valid
    False
    """
    result = ValidationResult()
    if not isinstance(defn, dict):
        result.error("#", "object expected", "type")
        return result
    _check_top_level(defn, result, max_states)
    states = defn.get("states")
    if not isinstance(states, list):
        return result

    names = _check_names(states, result)
    for i, state in enumerate(states):
        if isinstance(state, dict):
            _check_state(i, state, names, result)
    _check_trigger(defn, states, names, result)
    _check_reachability(defn, states, names, result)
    _check_subflow_limits(states, result)
    return result


# -- top level -----------------------------------------------------------------------------


def _check_top_level(defn: dict[str, Any], result: ValidationResult, max_states: int) -> None:
    for key in defn:
        if key not in TOP_LEVEL_KEYS:
            result.warn(f"#/{key}", f"unknown top-level key {key!r}; kept as is", "unknown_key")
    if "description" in defn and not isinstance(defn["description"], str):
        result.error("#/description", f"{json_type(defn['description'])} found, string expected", "type")
    if "$schema" in defn and defn["$schema"] != SCHEMA_URI:
        result.error("#/$schema", f"must be a constant value {SCHEMA_URI}", "const")

    if "flags" in defn:
        flags = defn["flags"]
        if not isinstance(flags, dict):
            result.error("#/flags", f"{json_type(flags)} found, object expected", "type")
        else:
            if "allow_concurrent_calls" not in flags:
                result.error("#/flags/allow_concurrent_calls", "is missing but it is required", "required")
            elif not isinstance(flags["allow_concurrent_calls"], bool):
                kind = json_type(flags["allow_concurrent_calls"])
                result.error("#/flags/allow_concurrent_calls", f"{kind} found, boolean expected", "type")
            for key in flags:
                if key not in KNOWN_FLAGS:
                    result.warn(f"#/flags/{key}", f"unknown flag {key!r}; kept as is", "unknown_key")

    if "initial_state" not in defn:
        result.error("#/initial_state", "is missing but it is required", "required")
    elif not isinstance(defn["initial_state"], str) or not defn["initial_state"]:
        result.error("#/initial_state", "must be a non-empty string", "type")

    if "states" not in defn:
        result.error("#/states", "is missing but it is required", "required")
        return
    states = defn["states"]
    if not isinstance(states, list):
        result.error("#/states", f"{json_type(states)} found, array expected", "type")
    elif not states:
        result.error("#/states", "must contain at least 1 widget", "min_items")
    elif len(states) > max_states:
        result.error(
            "#/states",
            f"a flow can contain at most {max_states} widgets (has {len(states)})",
            "too_many_states",
        )


def _check_names(states: list[Any], result: ValidationResult) -> set[str]:
    seen: set[str] = set()
    for i, state in enumerate(states):
        path = f"#/states/{i}"
        if not isinstance(state, dict):
            result.error(path, f"{json_type(state)} found, object expected", "type")
            continue
        name = state.get("name")
        if "name" not in state:
            result.error(f"{path}/name", "is missing but it is required", "required")
            continue
        if not isinstance(name, str):
            result.error(f"{path}/name", f"{json_type(name)} found, string expected", "type")
            continue
        if not NAME_RE.match(name):
            result.error(
                f"{path}/name",
                f"invalid widget name {name!r}: it must start with a letter and contain only "
                "letters, digits, '_' or '-' (no spaces or periods)",
                "name_invalid",
            )
        if name in seen:
            result.error(f"{path}/name", f"widget name {name!r} is not unique", "name_duplicate")
        seen.add(name)
    return seen


# -- one state -----------------------------------------------------------------------------


def _check_state(i: int, state: dict[str, Any], names: set[str], result: ValidationResult) -> None:
    path = f"#/states/{i}"
    widget: type[Widget] | None = None
    if "type" not in state:
        result.error(f"{path}/type", "is missing but it is required", "required")
    elif not isinstance(state["type"], str) or widget_lib.get(state["type"]) is None:
        enum = ", ".join(widget_lib.types())
        result.error(
            f"{path}/type",
            f"{state['type']!r} does not have a value in the enumeration [{enum}]",
            "widget_type_unknown",
        )
    else:
        widget = widget_lib.get(state["type"])
        assert widget is not None
        if widget.legacy:
            result.warn(
                f"{path}/type",
                f"{widget.type} is a legacy widget: it is kept on import but cannot run here",
                "legacy_widget",
            )

    properties = state.get("properties")
    if "properties" not in state:
        result.error(f"{path}/properties", "is missing but it is required", "required")
        properties = {}
    elif not isinstance(properties, dict):
        result.error(f"{path}/properties", f"{json_type(properties)} found, object expected", "type")
        properties = {}
    if widget is not None:
        base = f"{path}/properties"
        for problem in widget.check_properties(properties):
            result.add(base, problem)
        _check_liquid(widget.properties, properties, base, result)

    _check_transitions(path, state, widget, properties, names, result)


def _check_transitions(
    path: str,
    state: dict[str, Any],
    widget: type[Widget] | None,
    properties: dict[str, Any],
    names: set[str],
    result: ValidationResult,
) -> None:
    if "transitions" not in state:
        result.error(f"{path}/transitions", "is missing but it is required", "required")
        return
    transitions = state["transitions"]
    if not isinstance(transitions, list):
        result.error(f"{path}/transitions", f"{json_type(transitions)} found, array expected", "type")
        return
    allowed: list[str] | None = None
    if widget is not None and not widget.open_events:
        allowed = [*widget.events_for(properties), *widget.extra_events]
    is_split = widget is not None and widget.type == "split-based-on"
    seen_events: set[str] = set()
    has_match = False
    for k, transition in enumerate(transitions):
        tpath = f"{path}/transitions/{k}"
        if not isinstance(transition, dict):
            result.error(tpath, f"{json_type(transition)} found, object expected", "type")
            continue
        event = transition.get("event")
        if "event" not in transition:
            result.error(f"{tpath}/event", "is missing but it is required", "required")
        elif not isinstance(event, str):
            result.error(f"{tpath}/event", f"{json_type(event)} found, string expected", "type")
        elif allowed is not None and event not in allowed:
            result.error(
                f"{tpath}/event",
                f"{event!r} is not an event of {widget.type if widget else 'this widget'}: "
                f"must be a constant value, one of {allowed}",
                "event_unknown",
            )
        elif widget is not None and event in seen_events and event not in widget.repeatable_events:
            result.warn(
                f"{tpath}/event",
                f"a second transition for event {event!r}; only the first one is used",
                "event_duplicate",
            )
        if isinstance(event, str):
            seen_events.add(event)

        if "next" in transition:
            nxt = transition["next"]
            if nxt is not None and not isinstance(nxt, str):
                result.error(f"{tpath}/next", f"{json_type(nxt)} found, string expected", "type")
            elif nxt and nxt not in names:
                # Twilio's 81022 lists dangling transitions, but real exports carry them
                # (corpus 18: a split pointing at a deleted "Goodbye"). Refusing them would
                # stop those flows from importing, so we warn, and the engine ends the
                # execution there as for an empty `next`.
                result.warn(
                    f"{tpath}/next",
                    f"transition to a widget that does not exist: {nxt!r}; the execution ends here",
                    "transition_target",
                )

        if "conditions" in transition:
            if not (is_split and event == "match"):
                result.error(
                    f"{tpath}/conditions",
                    "conditions are only allowed on the match transitions of split-based-on",
                    "conditions_misplaced",
                )
            else:
                _check_conditions(f"{tpath}/conditions", transition["conditions"], result)
        elif is_split and event == "match":
            result.error(f"{tpath}/conditions", "a match transition needs conditions", "required")
        if is_split and event == "match":
            has_match = True

    if is_split and has_match and is_blank(properties.get("input")):
        result.warn(
            f"{path}/properties/input",
            "the split has match transitions but no input to test",
            "required",
        )


def _check_conditions(path: str, conditions: Any, result: ValidationResult) -> None:
    if not isinstance(conditions, list):
        result.error(path, f"{json_type(conditions)} found, array expected", "type")
        return
    if not conditions:
        result.error(path, "a match transition needs at least one condition", "min_items")
    for n, condition in enumerate(conditions):
        cpath = f"{path}/{n}"
        if not isinstance(condition, dict):
            result.error(cpath, f"{json_type(condition)} found, object expected", "type")
            continue
        operator = condition.get("type")
        for f in CONDITION_FIELDS:
            if f.name not in condition:
                if f.required:
                    result.error(f"{cpath}/{f.name}", "is missing but it is required", "required")
                continue
            if f.name == "type":
                if not isinstance(operator, str) or operator not in OPERATORS:
                    result.error(
                        f"{cpath}/type",
                        f"{operator!r} does not have a value in the enumeration {list(OPERATORS)}",
                        "operator_unknown",
                    )
                continue
            for problem in f.check(condition[f.name], f.name):
                result.add(cpath, problem)
        value = condition.get("value")
        if isinstance(operator, str) and operator not in VALUELESS_OPERATORS and operator in OPERATORS:
            if "value" not in condition:
                result.error(f"{cpath}/value", f"is missing but it is required for {operator}", "required")
            elif isinstance(value, str) and not has_liquid(value):
                _check_operator_value(f"{cpath}/value", operator, value, result)
        _check_liquid(CONDITION_FIELDS, condition, cpath, result)


def _check_operator_value(path: str, operator: str, value: str, result: ValidationResult) -> None:
    """Values Studio would only trip over at run time: warnings."""
    text = value.strip()
    if operator == "regex":
        try:
            re.compile(text)
        except re.error as exc:
            result.warn(path, f"invalid regular expression: {exc}", "regex_invalid")
    elif operator in ("is_before_time", "is_after_time") and not _TIME_RE.match(text):
        result.warn(path, "expected a time as HH:MM (24-hour, leading zeros)", "value_format")
    elif operator in ("is_before_date", "is_after_date") and not _DATE_RE.match(text):
        result.warn(path, "expected a date as YYYY-MM-DD", "value_format")
    elif operator in ("less_than", "greater_than") and not _NUMBER_RE.match(text):
        result.warn(path, "expected a number: this comparison is numeric", "value_format")


# -- Liquid --------------------------------------------------------------------------------


def _check_liquid(
    props: list[Prop] | tuple[Prop, ...], values: dict[str, Any], base: str, result: ValidationResult
) -> None:
    for prop in props:
        if prop.name not in values:
            continue
        value = values[prop.name]
        path = f"{base}/{prop.name}"
        if prop.type == "array" and isinstance(value, list):
            for n, item in enumerate(value):
                if prop.fields is not None and isinstance(item, dict):
                    _check_liquid(prop.fields, item, f"{path}/{n}", result)
                elif prop.liquid:
                    _check_template(f"{path}/{n}", item, result)
        elif prop.type == "object" and isinstance(value, dict) and prop.fields is not None:
            _check_liquid(prop.fields, value, path, result)
        elif prop.liquid:
            _check_template(path, value, result)


def _check_template(path: str, value: Any, result: ValidationResult) -> None:
    if not isinstance(value, str) or ("{" not in value and "%" not in value):
        return
    error = liquid.parse_errors(value)
    if error is not None:
        result.warn(path, f"Liquid template error: {error}", "liquid_syntax")
        return
    for name in liquid.unknown_filters(value):
        result.warn(path, f"Liquid filter {name!r} is not available", "liquid_unknown_filter")


# -- flow-wide checks ----------------------------------------------------------------------


def _check_trigger(
    defn: dict[str, Any], states: list[Any], names: set[str], result: ValidationResult
) -> None:
    triggers = [i for i, s in enumerate(states) if isinstance(s, dict) and s.get("type") == "trigger"]
    if states and not triggers:
        result.error("#/states", "the flow has no trigger widget", "trigger_missing")
    for i in triggers[1:]:
        result.error(f"#/states/{i}/type", "a flow can have only one trigger widget", "trigger_duplicate")
    initial = defn.get("initial_state")
    if not isinstance(initial, str) or not initial:
        return
    if initial not in names:
        result.error(
            "#/initial_state", f"initial_state {initial!r} is not the name of a widget", "initial_state"
        )
        return
    if triggers:
        trigger_name = states[triggers[0]].get("name")
        if initial != trigger_name:
            result.error(
                "#/initial_state",
                f"initial_state must name the trigger widget ({trigger_name!r}), not {initial!r}",
                "initial_state",
            )


def _edges(state: dict[str, Any], events: tuple[str, ...] | None = None) -> list[str]:
    out: list[str] = []
    transitions = state.get("transitions")
    if not isinstance(transitions, list):
        return out
    for t in transitions:
        if not isinstance(t, dict):
            continue
        if events is not None and t.get("event") not in events:
            continue
        nxt = t.get("next")
        if isinstance(nxt, str) and nxt:
            out.append(nxt)
    return out


def _reach(by_name: dict[str, dict[str, Any]], starts: list[str]) -> set[str]:
    seen: set[str] = set()
    queue = deque(n for n in starts if n in by_name)
    while queue:
        name = queue.popleft()
        if name in seen:
            continue
        seen.add(name)
        queue.extend(n for n in _edges(by_name[name]) if n in by_name and n not in seen)
    return seen


def _check_reachability(
    defn: dict[str, Any], states: list[Any], names: set[str], result: ValidationResult
) -> None:
    initial = defn.get("initial_state")
    if not isinstance(initial, str) or initial not in names:
        return
    by_name: dict[str, dict[str, Any]] = {}
    for s in states:
        if isinstance(s, dict) and isinstance(s.get("name"), str):
            by_name.setdefault(s["name"], s)
    reachable = _reach(by_name, [initial])
    for i, s in enumerate(states):
        if isinstance(s, dict) and isinstance(s.get("name"), str) and s["name"] not in reachable:
            result.warn(
                f"#/states/{i}", f"widget {s['name']!r} is not reachable from the trigger", "unreachable"
            )

    # Start/Resume Conversation only work in REST-triggered executions ([AI-SKILL] message).
    non_rest = _reach(by_name, _edges(by_name[initial], NON_REST_TRIGGER_EVENTS))
    for i, s in enumerate(states):
        if not isinstance(s, dict) or s.get("name") not in non_rest:
            continue
        widget = widget_lib.get(s.get("type", ""))
        if widget is not None and widget.rest_only:
            result.error(
                f"#/states/{i}/type",
                f"{widget.type} can only be used in flows triggered by the REST API",
                "rest_only",
            )


def _check_subflow_limits(states: list[Any], result: ValidationResult) -> None:
    subflows = [
        (i, s.get("properties") or {})
        for i, s in enumerate(states)
        if isinstance(s, dict) and s.get("type") == "run-subflow"
    ]
    if len(subflows) > MAX_SUBFLOW_WIDGETS:
        result.warn("#/states", f"more than {MAX_SUBFLOW_WIDGETS} Run Subflow widgets", "subflow_limit")
    revisions: dict[str, tuple[int, Any]] = {}
    for i, props in subflows:
        if not isinstance(props, dict):
            continue
        sid, revision = props.get("flow_sid"), props.get("flow_revision")
        if not isinstance(sid, str):
            continue
        if sid in revisions and revisions[sid][1] != revision:
            result.warn(
                f"#/states/{i}/properties/flow_revision",
                f"every Run Subflow of {sid} must use the same revision (state {revisions[sid][0]} uses "
                f"{revisions[sid][1]!r})",
                "subflow_revision",
            )
        revisions.setdefault(sid, (i, revision))
    if len(revisions) > MAX_DISTINCT_SUBFLOWS:
        result.warn("#/states", f"more than {MAX_DISTINCT_SUBFLOWS} distinct subflows", "subflow_limit")
