"""Per-widget property checks: required keys, types, allowed values, ranges, widget rules."""

from __future__ import annotations

from typing import Any

import pytest

from studio.validation import ValidationResult, validate_definition


def single(type_: str, properties: dict[str, Any], events: list[str] | None = None) -> dict[str, Any]:
    """A flow whose trigger leads to one widget (state index 1)."""
    from studio import widgets

    widget = widgets.get(type_)
    assert widget is not None
    return {
        "description": "t",
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "transitions": [{"event": "incomingRequest", "next": "w"}],
                "properties": {},
            },
            {
                "name": "w",
                "type": type_,
                "transitions": [{"event": e} for e in (events if events is not None else widget.events[:1])],
                "properties": {"offset": {"x": 0, "y": 0}, **properties},
            },
        ],
        "initial_state": "Trigger",
        "flags": {"allow_concurrent_calls": True},
    }


def errors(result: ValidationResult) -> list[tuple[str, str]]:
    return [(p["property_path"], p["code"]) for p in result.errors]


def warnings(result: ValidationResult) -> list[tuple[str, str]]:
    return [(p["property_path"], p["code"]) for p in result.warnings]


P = "#/states/1/properties"
SEND_WAIT = {"body": "Reply YES", "from": "{{flow.channel.address}}", "timeout": "3600"}
GATHER = {
    "say": "Press 1",
    "timeout": 5,
    "stop_gather": True,
    "profanity_filter": "true",
    "speech_timeout": "auto",
}
HTTP = {"method": "GET", "url": "https://example.com", "content_type": "application/json;charset=utf-8"}


def test_it_accepts_a_send_and_wait_timeout_written_as_a_string() -> None:
    assert validate_definition(single("send-and-wait-for-reply", SEND_WAIT)).valid


def test_it_accepts_a_send_and_wait_timeout_written_as_a_number() -> None:
    assert validate_definition(single("send-and-wait-for-reply", {**SEND_WAIT, "timeout": 3600})).valid


def test_it_rejects_a_send_and_wait_timeout_that_is_not_a_number() -> None:
    result = validate_definition(single("send-and-wait-for-reply", {**SEND_WAIT, "timeout": "an hour"}))
    assert errors(result) == [(f"{P}/timeout", "type")]


def test_it_rejects_a_negative_send_and_wait_timeout() -> None:
    result = validate_definition(single("send-and-wait-for-reply", {**SEND_WAIT, "timeout": "-5"}))
    assert errors(result) == [(f"{P}/timeout", "range")]


def test_it_rejects_a_missing_required_property() -> None:
    props = dict(SEND_WAIT)
    del props["from"]
    result = validate_definition(single("send-and-wait-for-reply", props))
    assert errors(result) == [(f"{P}/from", "required")]
    assert result.errors[0]["message"] == "is missing but it is required"


def test_it_rejects_a_null_property() -> None:
    result = validate_definition(single("send-and-wait-for-reply", {**SEND_WAIT, "body": None}))
    assert (f"{P}/body", "null") in errors(result)


def test_it_rejects_an_object_where_a_string_is_expected() -> None:
    result = validate_definition(single("make-http-request", {**HTTP, "url": {"href": "x"}}))
    assert errors(result) == [(f"{P}/url", "type")]
    assert result.errors[0]["message"] == "object found, string expected"


def test_it_rejects_a_value_outside_an_enumeration() -> None:
    result = validate_definition(single("make-http-request", {**HTTP, "method": "PUT"}))
    assert errors(result) == [(f"{P}/method", "enum")]
    assert "does not have a value in the enumeration" in result.errors[0]["message"]


def test_it_only_warns_about_an_unlisted_http_content_type() -> None:
    result = validate_definition(single("make-http-request", {**HTTP, "content_type": "text/plain"}))
    assert result.valid
    assert warnings(result) == [(f"{P}/content_type", "enum")]


def test_it_rejects_an_integer_property_given_liquid() -> None:
    result = validate_definition(
        single("gather-input-on-call", {**GATHER, "timeout": "{{flow.variables.t}}"})
    )
    assert errors(result) == [(f"{P}/timeout", "liquid_not_allowed")]


def test_it_accepts_integers_written_as_strings_in_integer_properties() -> None:
    assert validate_definition(single("gather-input-on-call", {**GATHER, "timeout": "10"})).valid


def test_it_rejects_a_gather_timeout_above_thirty_seconds() -> None:
    result = validate_definition(single("gather-input-on-call", {**GATHER, "timeout": 31}))
    assert errors(result) == [(f"{P}/timeout", "range")]


def test_it_rejects_a_say_play_loop_of_zero() -> None:
    result = validate_definition(single("say-play", {"say": "Hi", "loop": 0}))
    assert errors(result) == [(f"{P}/loop", "range")]


def test_it_rejects_a_boolean_property_given_text() -> None:
    result = validate_definition(single("gather-input-on-call", {**GATHER, "stop_gather": "sometimes"}))
    assert errors(result) == [(f"{P}/stop_gather", "type")]
    assert result.errors[0]["message"] == "string found, boolean expected"


@pytest.mark.parametrize("value", ["true", "false", True, False])
def test_it_accepts_both_json_forms_of_a_string_boolean(value: Any) -> None:
    assert validate_definition(single("gather-input-on-call", {**GATHER, "profanity_filter": value})).valid


def test_it_rejects_a_boolean_where_an_integer_is_expected() -> None:
    result = validate_definition(single("say-play", {"say": "Hi", "loop": True}))
    assert errors(result) == [(f"{P}/loop", "type")]


def test_it_warns_about_properties_the_widget_does_not_have() -> None:
    result = validate_definition(single("make-http-request", {**HTTP, "headers": "X-A: 1"}))
    assert result.valid
    assert warnings(result) == [(f"{P}/headers", "unknown_property")]


def test_it_checks_the_canvas_offset() -> None:
    result = validate_definition(single("make-http-request", {**HTTP, "offset": {"x": "left", "y": 0}}))
    assert errors(result) == [(f"{P}/offset/x", "type")]


def test_it_checks_each_item_of_a_key_value_array() -> None:
    result = validate_definition(single("make-http-request", {**HTTP, "parameters": [{"key": "a"}]}))
    assert errors(result) == [(f"{P}/parameters/0/value", "required")]


def test_it_rejects_liquid_in_a_set_variables_key() -> None:
    props = {"variables": [{"key": "{{trigger.message.Body}}", "value": "1"}]}
    result = validate_definition(single("set-variables", props))
    assert errors(result) == [(f"{P}/variables/0/key", "liquid_not_allowed")]


def test_it_rejects_an_empty_set_variables_key() -> None:
    result = validate_definition(single("set-variables", {"variables": [{"key": " ", "value": "1"}]}))
    assert errors(result) == [(f"{P}/variables/0/key", "empty")]


def test_it_requires_say_play_to_say_play_or_send_digits() -> None:
    result = validate_definition(single("say-play", {"loop": 1}))
    assert errors(result) == [(f"{P}/say", "required")]


def test_it_rejects_say_play_with_both_say_and_play() -> None:
    result = validate_definition(single("say-play", {"say": "Hi", "play": "https://x/a.mp3"}))
    assert errors(result) == [(f"{P}/play", "exclusive")]


def test_it_requires_a_message_body_unless_a_content_template_is_used() -> None:
    props = {"from": "{{flow.channel.address}}", "to": "{{contact.channel.address}}"}
    assert errors(validate_definition(single("send-message", props))) == [(f"{P}/body", "required")]
    template = {**props, "message_type": "content_template", "content_sid": "HX" + "0" * 32}
    assert validate_definition(single("send-message", template)).valid


def test_it_requires_a_queue_or_a_workflow_to_enqueue_a_call() -> None:
    result = validate_definition(single("enqueue-call", {"priority": 0}))
    assert errors(result) == [(f"{P}/queue_name", "required")]


def test_it_requires_a_sip_endpoint_to_connect_to_sip() -> None:
    result = validate_definition(
        single("connect-call-to", {"noun": "sip", "caller_id": "{{contact.channel.address}}"})
    )
    assert errors(result) == [(f"{P}/sip_endpoint", "required")]


def test_it_rejects_a_run_subflow_sid_that_uses_liquid() -> None:
    props = {"flow_sid": "{{flow.variables.sub}}", "flow_revision": "LatestPublished"}
    result = validate_definition(single("run-subflow", props))
    assert errors(result) == [(f"{P}/flow_sid", "liquid_not_allowed")]


def test_it_rejects_a_run_subflow_sid_that_is_not_a_flow_sid() -> None:
    result = validate_definition(
        single("run-subflow", {"flow_sid": "ZS123", "flow_revision": "LatestPublished"})
    )
    assert errors(result) == [(f"{P}/flow_sid", "flow_sid")]
    assert result.errors[0]["message"] == "must be a valid, non-liquid flow sid"


@pytest.mark.parametrize("revision", ["LatestPublished", "LatestRevision", "LatestDraft", "4"])
def test_it_accepts_the_run_subflow_revision_tokens_and_numbers(revision: str) -> None:
    props = {"flow_sid": "FW" + "a" * 32, "flow_revision": revision}
    assert validate_definition(single("run-subflow", props)).valid


def test_it_rejects_an_unknown_run_subflow_revision_token() -> None:
    props = {"flow_sid": "FW" + "a" * 32, "flow_revision": "Newest"}
    assert errors(validate_definition(single("run-subflow", props))) == [
        (f"{P}/flow_revision", "flow_revision")
    ]


def test_it_rejects_send_to_flex_task_timeouts_beyond_two_weeks() -> None:
    props = {"workflow": "WW1", "channel": "TC1", "timeout": "1209601"}
    assert errors(validate_definition(single("send-to-flex", props))) == [(f"{P}/timeout", "range")]


def test_it_rejects_a_twiml_redirect_wait_beyond_four_hours() -> None:
    props = {"url": "https://example.com/twiml", "timeout": "14401"}
    assert errors(validate_definition(single("add-twiml-redirect", props))) == [(f"{P}/timeout", "range")]


def test_it_warns_about_task_attributes_that_are_not_json() -> None:
    props = {"workflow_sid": "WW1", "task_attributes": "{not json"}
    result = validate_definition(single("enqueue-call", props))
    assert result.valid
    assert warnings(result) == [(f"{P}/task_attributes", "json")]


def test_it_leaves_json_attributes_with_liquid_to_run_time() -> None:
    props = {"workflow_sid": "WW1", "task_attributes": '{"from": "{{trigger.call.From}}"}'}
    assert validate_definition(single("enqueue-call", props)).warnings == []


def test_it_rejects_an_unknown_capture_payments_card_type() -> None:
    result = validate_definition(single("capture-payments", {"valid_card_types": ["visa", "paypal"]}))
    assert errors(result) == [(f"{P}/valid_card_types/1", "enum")]


def test_it_rejects_a_machine_detection_timeout_out_of_range() -> None:
    props = {
        "to": "{{contact.channel.address}}",
        "from": "{{flow.channel.address}}",
        "machine_detection_timeout": "2",
    }
    result = validate_definition(single("make-outgoing-call-v2", props))
    assert errors(result) == [(f"{P}/machine_detection_timeout", "range")]
