"""Split conditions (operators, values) and Liquid in Liquid-bearing properties."""

from __future__ import annotations

from typing import Any

import pytest

from studio import liquid
from studio.validation import ValidationResult, validate_definition
from studio.widgets.flow_control.split_based_on import OPERATORS


def cond(type_: str = "equal_to", value: Any = "1", **extra: Any) -> dict[str, Any]:
    return {
        "friendly_name": f"If value {type_} {value}",
        "arguments": ["{{trigger.message.Body}}"],
        "type": type_,
        "value": value,
        **extra,
    }


def split_flow(
    *match_transitions: dict[str, Any], input_: str | None = "{{trigger.message.Body}}"
) -> dict[str, Any]:
    properties: dict[str, Any] = {"offset": {"x": 0, "y": 0}}
    if input_ is not None:
        properties["input"] = input_
    return {
        "description": "t",
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "transitions": [{"event": "incomingMessage", "next": "split"}],
                "properties": {},
            },
            {
                "name": "split",
                "type": "split-based-on",
                "transitions": [{"event": "noMatch"}, *match_transitions],
                "properties": properties,
            },
        ],
        "initial_state": "Trigger",
    }


def match(*conditions: dict[str, Any], next_: str = "") -> dict[str, Any]:
    return {"event": "match", "next": next_, "conditions": list(conditions)}


def errors(result: ValidationResult) -> list[tuple[str, str]]:
    return [(p["property_path"], p["code"]) for p in result.errors]


def warnings(result: ValidationResult) -> list[tuple[str, str]]:
    return [(p["property_path"], p["code"]) for p in result.warnings]


C = "#/states/1/transitions/1/conditions/0"


def test_it_accepts_several_match_transitions_on_one_split() -> None:
    result = validate_definition(split_flow(match(cond(value="1")), match(cond(value="2"))))
    assert result.valid and result.warnings == []


@pytest.mark.parametrize("operator", OPERATORS)
def test_it_accepts_every_studio_operator(operator: str) -> None:
    value = {
        "is_before_time": "17:00",
        "is_after_time": "09:00",
        "is_before_date": "2030-01-01",
        "is_after_date": "2020-01-01",
    }
    values = {
        **value,
        "less_than": "5",
        "greater_than": "5",
        "regex": "[1-5]",
        "is_blank": "Is Blank",
        "is_not_blank": "Is Not Blank",
    }
    result = validate_definition(split_flow(match(cond(operator, values.get(operator, "yes")))))
    assert result.valid and result.warnings == []


def test_it_rejects_an_unknown_operator() -> None:
    result = validate_definition(split_flow(match(cond("sounds_like", "yes"))))
    assert errors(result) == [(f"{C}/type", "operator_unknown")]


def test_it_requires_an_operator() -> None:
    condition = cond()
    del condition["type"]
    assert errors(validate_definition(split_flow(match(condition)))) == [(f"{C}/type", "required")]


def test_it_requires_a_value_for_comparing_operators() -> None:
    condition = cond()
    del condition["value"]
    assert errors(validate_definition(split_flow(match(condition)))) == [(f"{C}/value", "required")]


def test_it_needs_no_value_to_test_for_blank() -> None:
    condition = cond("is_blank")
    del condition["value"]
    assert validate_definition(split_flow(match(condition))).valid


def test_it_requires_conditions_on_a_match_transition() -> None:
    result = validate_definition(split_flow({"event": "match", "next": ""}))
    assert errors(result) == [("#/states/1/transitions/1/conditions", "required")]


def test_it_requires_at_least_one_condition() -> None:
    result = validate_definition(split_flow(match()))
    assert errors(result) == [("#/states/1/transitions/1/conditions", "min_items")]


def test_it_rejects_conditions_on_other_transitions() -> None:
    defn = split_flow()
    defn["states"][1]["transitions"][0]["conditions"] = [cond()]
    assert errors(validate_definition(defn)) == [
        ("#/states/1/transitions/0/conditions", "conditions_misplaced")
    ]


def test_it_warns_about_a_split_transition_to_an_unknown_widget() -> None:
    result = validate_definition(split_flow(match(cond(), next_="nowhere")))
    assert result.valid
    assert [(w["property_path"], w["code"]) for w in result.warnings] == [
        ("#/states/1/transitions/1/next", "transition_target")
    ]


def test_it_accepts_a_split_with_only_no_match_and_no_input() -> None:
    assert validate_definition(split_flow(input_=None)).valid


def test_it_warns_about_a_split_with_conditions_but_no_input() -> None:
    result = validate_definition(split_flow(match(cond()), input_=None))
    assert result.valid
    assert warnings(result) == [("#/states/1/properties/input", "required")]


def test_it_warns_about_an_invalid_regex() -> None:
    result = validate_definition(split_flow(match(cond("regex", "([a-z]"))))
    assert result.valid
    assert warnings(result) == [(f"{C}/value", "regex_invalid")]


def test_it_accepts_look_ahead_regexes_real_flows_use() -> None:
    assert validate_definition(split_flow(match(cond("regex", "^(?=.*blocked).*$")))).warnings == []


def test_it_warns_about_a_time_not_written_hh_mm() -> None:
    result = validate_definition(split_flow(match(cond("is_before_time", "5pm"))))
    assert warnings(result) == [(f"{C}/value", "value_format")]


def test_it_warns_about_a_date_not_written_yyyy_mm_dd() -> None:
    result = validate_definition(split_flow(match(cond("is_after_date", "12/08/2019"))))
    assert warnings(result) == [(f"{C}/value", "value_format")]


def test_it_warns_about_a_numeric_comparison_with_text() -> None:
    result = validate_definition(split_flow(match(cond("greater_than", "ten"))))
    assert warnings(result) == [(f"{C}/value", "value_format")]


def test_it_leaves_condition_values_with_liquid_to_run_time() -> None:
    result = validate_definition(split_flow(match(cond("less_than", "{{flow.variables.limit}}"))))
    assert result.valid and result.warnings == []


def test_it_warns_about_liquid_syntax_errors_in_condition_values() -> None:
    result = validate_definition(split_flow(match(cond("equal_to", "{{flow.variables.x"))))
    assert warnings(result) == [(f"{C}/value", "liquid_syntax")]


def test_it_warns_about_liquid_syntax_errors_in_the_split_input() -> None:
    result = validate_definition(split_flow(input_="{% if x %}yes"))
    assert result.valid
    assert warnings(result) == [("#/states/1/properties/input", "liquid_syntax")]


def message_flow(body: str) -> dict[str, Any]:
    return {
        "description": "t",
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "transitions": [{"event": "incomingMessage", "next": "m"}],
                "properties": {},
            },
            {
                "name": "m",
                "type": "send-message",
                "transitions": [{"event": "sent"}, {"event": "failed"}],
                "properties": {
                    "body": body,
                    "from": "{{flow.channel.address}}",
                    "to": "{{contact.channel.address}}",
                },
            },
        ],
        "initial_state": "Trigger",
    }


def test_it_warns_about_an_unclosed_output_tag() -> None:
    result = validate_definition(message_flow("Hi {{trigger.message.Body}"))
    assert result.valid
    assert warnings(result) == [("#/states/1/properties/body", "liquid_syntax")]
    assert "Liquid template error" in result.warnings[0]["message"]


def test_it_warns_about_a_plus_sign_in_liquid() -> None:
    result = validate_definition(message_flow("{{ a + b }}"))
    assert warnings(result) == [("#/states/1/properties/body", "liquid_syntax")]


def test_it_warns_about_an_unknown_liquid_filter() -> None:
    result = validate_definition(message_flow("{{ trigger.message.Body | shout }}"))
    assert warnings(result) == [("#/states/1/properties/body", "liquid_unknown_filter")]


def test_it_accepts_the_studio_liquid_idioms() -> None:
    body = (
        "{% if flow.variables.count %}{{flow.variables.count | plus: 1}}{% else %}1{% endif %} "
        "{{ trigger.message | to_json }} {{ 'now' | date: '%Y-%m-%d %H:%M' }} "
        "{{ contact.channel.address | replace: '+', '%2B' }}"
    )
    result = validate_definition(message_flow(body))
    assert result.valid and result.warnings == []


def test_it_checks_liquid_inside_key_value_values() -> None:
    defn = message_flow("hi")
    defn["states"][1]["type"] = "make-http-request"
    defn["states"][1]["transitions"] = [{"event": "success"}]
    defn["states"][1]["properties"] = {
        "method": "POST",
        "url": "https://example.com",
        "content_type": "application/json;charset=utf-8",
        "parameters": [{"key": "name", "value": "{{ widgets.x.parsed.name "}],
    }
    assert warnings(validate_definition(defn)) == [
        ("#/states/1/properties/parameters/0/value", "liquid_syntax")
    ]


def test_it_reports_parse_errors_from_the_liquid_environment() -> None:
    assert liquid.parse_errors("{{ widgets.x.Digits }") is not None
    assert liquid.parse_errors("{{ widgets.x.Digits }}") is None


def test_it_renders_undefined_variables_as_empty_text() -> None:
    assert liquid.env.from_string("[{{ flow.variables.missing }}]").render() == "[]"


def test_it_serialises_objects_with_to_json() -> None:
    out = liquid.env.from_string("{{ m | to_json }}").render(m={"Body": "hi", "NumMedia": 0})
    assert out == '{"Body":"hi","NumMedia":0}'
