"""Flow-definition validation: shape, trigger, names, transitions, reachability, limits."""

from __future__ import annotations

from typing import Any

from studio.validation import ValidationResult, validate_definition


def state(
    name: str, type_: str, properties: dict[str, Any] | None = None, transitions: Any = None
) -> dict[str, Any]:
    return {
        "name": name,
        "type": type_,
        "transitions": transitions if transitions is not None else [],
        "properties": {"offset": {"x": 0, "y": 0}, **(properties or {})},
    }


def trigger(to: str | None = "hello", event: str = "incomingMessage") -> dict[str, Any]:
    transitions = [{"event": event, "next": to}] if to else []
    return state("Trigger", "trigger", transitions=transitions)


def hello(name: str = "hello", **transitions: str) -> dict[str, Any]:
    return state(
        name,
        "send-message",
        {"body": "Hi", "from": "{{flow.channel.address}}", "to": "{{contact.channel.address}}"},
        [{"event": e, "next": n} for e, n in transitions.items()] or [{"event": "sent"}, {"event": "failed"}],
    )


def flow(*states: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {
        "description": "A New Flow",
        "states": list(states) if states else [trigger(), hello()],
        "initial_state": "Trigger",
        "flags": {"allow_concurrent_calls": True},
        **top,
    }


def problems(result: ValidationResult, kind: str = "errors") -> list[tuple[str, str]]:
    return [(p["property_path"], p["code"]) for p in getattr(result, kind)]


def test_it_accepts_the_minimal_flow_from_the_twilio_docs() -> None:
    defn = {
        "description": "A New Flow",
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "transitions": [],
                "properties": {"offset": {"x": 0, "y": 0}},
            }
        ],
        "initial_state": "Trigger",
        "flags": {"allow_concurrent_calls": True},
    }
    result = validate_definition(defn)
    assert result.valid
    assert result.errors == [] and result.warnings == []


def test_it_accepts_a_trigger_with_empty_properties() -> None:
    defn = flow({"name": "Trigger", "type": "trigger", "transitions": [], "properties": {}})
    assert validate_definition(defn).valid


def test_it_reports_problems_in_twilio_details_errors_style() -> None:
    result = validate_definition(flow(trigger(), hello(), hello()))
    assert result.errors == [
        {
            "message": "widget name 'hello' is not unique",
            "property_path": "#/states/2/name",
            "code": "name_duplicate",
        }
    ]
    assert result.to_dict()["valid"] is False


def test_it_rejects_a_definition_that_is_not_an_object() -> None:
    assert problems(validate_definition([])) == [("#", "type")]


def test_it_requires_states() -> None:
    defn = flow()
    del defn["states"]
    assert ("#/states", "required") in problems(validate_definition(defn))


def test_it_requires_states_to_be_an_array() -> None:
    assert problems(validate_definition(flow(states={}))) == [("#/states", "type")]


def test_it_requires_at_least_one_state() -> None:
    assert ("#/states", "min_items") in problems(validate_definition(flow(states=[])))


def test_it_requires_initial_state() -> None:
    defn = flow()
    del defn["initial_state"]
    assert problems(validate_definition(defn)) == [("#/initial_state", "required")]


def test_it_rejects_an_initial_state_naming_no_widget() -> None:
    assert problems(validate_definition(flow(initial_state="Start"))) == [
        ("#/initial_state", "initial_state")
    ]


def test_it_rejects_an_initial_state_that_is_not_the_trigger() -> None:
    assert ("#/initial_state", "initial_state") in problems(validate_definition(flow(initial_state="hello")))


def test_it_requires_a_trigger_widget() -> None:
    defn = flow(hello(), initial_state="hello")
    assert ("#/states", "trigger_missing") in problems(validate_definition(defn))


def test_it_allows_only_one_trigger_widget() -> None:
    second = state("Trigger2", "trigger")
    assert ("#/states/2/type", "trigger_duplicate") in problems(
        validate_definition(flow(trigger(), hello(), second))
    )


def test_it_rejects_a_description_that_is_not_a_string() -> None:
    assert problems(validate_definition(flow(description=7))) == [("#/description", "type")]


def test_it_requires_allow_concurrent_calls_inside_flags() -> None:
    assert problems(validate_definition(flow(flags={}))) == [("#/flags/allow_concurrent_calls", "required")]


def test_it_requires_allow_concurrent_calls_to_be_a_boolean() -> None:
    result = validate_definition(flow(flags={"allow_concurrent_calls": "yes"}))
    assert problems(result) == [("#/flags/allow_concurrent_calls", "type")]


def test_it_accepts_a_flow_without_flags() -> None:
    defn = flow()
    del defn["flags"]
    assert validate_definition(defn).valid


def test_it_accepts_only_the_studio_schema_uri() -> None:
    ok = flow(**{"$schema": "https://schemas.twilio.com/studio/draft/2019-09/flow-definition"})
    assert validate_definition(ok).valid
    assert problems(validate_definition(flow(**{"$schema": "x"}))) == [("#/$schema", "const")]


def test_it_warns_about_unknown_top_level_keys() -> None:
    result = validate_definition(flow(layout={}))
    assert result.valid
    assert problems(result, "warnings") == [("#/layout", "unknown_key")]


def test_it_rejects_a_widget_name_with_a_space() -> None:
    defn = flow(trigger("say hi"), hello("say hi"))
    assert ("#/states/1/name", "name_invalid") in problems(validate_definition(defn))


def test_it_rejects_a_widget_name_with_a_period() -> None:
    defn = flow(trigger("say.hi"), hello("say.hi"))
    assert ("#/states/1/name", "name_invalid") in problems(validate_definition(defn))


def test_it_rejects_a_widget_name_starting_with_a_digit() -> None:
    defn = flow(trigger("1st"), hello("1st"))
    assert ("#/states/1/name", "name_invalid") in problems(validate_definition(defn))


def test_it_accepts_hyphens_and_upper_case_in_widget_names() -> None:
    defn = flow(trigger("get-Datetime_Parts"), hello("get-Datetime_Parts"))
    assert validate_definition(defn).valid


def test_it_rejects_duplicate_widget_names() -> None:
    assert problems(validate_definition(flow(trigger(), hello(), hello()))) == [
        ("#/states/2/name", "name_duplicate")
    ]


def test_it_requires_a_widget_name() -> None:
    nameless = hello()
    del nameless["name"]
    assert ("#/states/1/name", "required") in problems(validate_definition(flow(trigger(None), nameless)))


def test_it_rejects_an_unknown_widget_type() -> None:
    defn = flow(trigger("fax"), state("fax", "send-fax"))
    result = validate_definition(defn)
    assert problems(result) == [("#/states/1/type", "widget_type_unknown")]
    assert "does not have a value in the enumeration" in result.errors[0]["message"]


def test_it_accepts_a_legacy_widget_with_a_warning_that_it_cannot_run_here() -> None:
    bot = state(
        "bot",
        "send-to-auto-pilot",
        {"autopilot_assistant_sid": "UA" + "0" * 32, "timeout": 14400},
        [{"event": "sessionEnded"}, {"event": "failure"}, {"event": "timeout"}],
    )
    result = validate_definition(flow(trigger("bot"), bot))
    assert result.valid
    assert problems(result, "warnings") == [("#/states/1/type", "legacy_widget")]
    assert "cannot run here" in result.warnings[0]["message"]


def test_it_keeps_unknown_properties_and_events_of_schema_only_legacy_types() -> None:
    sync = state("sync", "update-sync-object", {"whatever": 1}, [{"event": "anything", "next": "hello"}])
    result = validate_definition(flow(trigger("sync"), sync, hello()))
    assert result.valid
    assert problems(result, "warnings") == [("#/states/1/type", "legacy_widget")]


def test_it_requires_transitions() -> None:
    widget = hello()
    del widget["transitions"]
    assert problems(validate_definition(flow(trigger(), widget))) == [("#/states/1/transitions", "required")]


def test_it_requires_properties() -> None:
    widget = hello()
    del widget["properties"]
    assert ("#/states/1/properties", "required") in problems(validate_definition(flow(trigger(), widget)))


def test_it_warns_about_a_transition_to_a_widget_that_does_not_exist() -> None:
    result = validate_definition(flow(trigger(), hello(sent="goodbye")))
    assert result.valid
    assert problems(result, "warnings") == [("#/states/1/transitions/0/next", "transition_target")]


def test_it_treats_an_empty_next_as_the_end_of_the_branch() -> None:
    assert validate_definition(flow(trigger(), hello(sent="", failed=""))).valid


def test_it_rejects_an_event_the_widget_type_does_not_have() -> None:
    result = validate_definition(flow(trigger(), hello(delivered="")))
    assert problems(result) == [("#/states/1/transitions/0/event", "event_unknown")]
    assert "must be a constant value" in result.errors[0]["message"]


def test_it_rejects_failed_on_run_function_which_says_fail() -> None:
    fn = state("fn", "run-function", {"url": "https://x.twil.io/f"}, [{"event": "failed"}])
    result = validate_definition(flow(trigger("fn"), fn))
    assert problems(result) == [("#/states/1/transitions/0/event", "event_unknown")]


def test_it_rejects_a_transition_without_an_event() -> None:
    widget = hello()
    widget["transitions"] = [{"next": ""}]
    assert problems(validate_definition(flow(trigger(), widget))) == [
        ("#/states/1/transitions/0/event", "required")
    ]


def test_it_warns_about_a_second_transition_for_the_same_event() -> None:
    widget = hello()
    widget["transitions"] = [{"event": "sent"}, {"event": "sent"}]
    result = validate_definition(flow(trigger(), widget))
    assert result.valid
    assert problems(result, "warnings") == [("#/states/1/transitions/1/event", "event_duplicate")]


def test_it_warns_about_a_widget_no_path_reaches_from_the_trigger() -> None:
    result = validate_definition(flow(trigger(), hello(), hello("orphan")))
    assert result.valid
    assert problems(result, "warnings") == [("#/states/2", "unreachable")]


def test_it_follows_every_trigger_event_when_judging_reachability() -> None:
    defn = flow(
        state(
            "Trigger",
            "trigger",
            transitions=[{"event": "incomingMessage", "next": "a"}, {"event": "incomingCall", "next": "b"}],
        ),
        hello("a"),
        hello("b"),
    )
    assert validate_definition(defn).warnings == []


def test_it_follows_cycles_without_looping_forever() -> None:
    defn = flow(trigger("a"), hello("a", sent="b"), hello("b", sent="a"))
    result = validate_definition(defn)
    assert result.valid and result.warnings == []


def test_it_rejects_more_widgets_than_a_definition_may_hold() -> None:
    many = [trigger(None)] + [hello(f"w{i}") for i in range(1000)]
    result = validate_definition(flow(*many))
    assert ("#/states", "too_many_states") in problems(result)


def test_it_accepts_a_definition_at_the_widget_limit() -> None:
    many = [trigger(None)] + [hello(f"w{i}") for i in range(999)]
    assert ("#/states", "too_many_states") not in problems(validate_definition(flow(*many)))


def test_it_takes_a_lower_widget_limit_from_the_caller() -> None:
    result = validate_definition(flow(), max_states=1)
    assert ("#/states", "too_many_states") in problems(result)


def test_it_rejects_start_conversation_after_an_incoming_message() -> None:
    start = state("start", "start-conversation", {}, [{"event": "created"}, {"event": "failed"}])
    result = validate_definition(flow(trigger("start"), start))
    assert problems(result) == [("#/states/1/type", "rest_only")]
    assert "can only be used in flows triggered by the REST API" in result.errors[0]["message"]


def test_it_accepts_start_conversation_after_a_rest_request() -> None:
    start = state("start", "start-conversation", {}, [{"event": "created"}, {"event": "failed"}])
    assert validate_definition(flow(trigger("start", "incomingRequest"), start)).valid


def test_it_warns_when_two_run_subflows_use_different_revisions_of_one_subflow() -> None:
    sid = "FW" + "a" * 32
    one = state(
        "one",
        "run-subflow",
        {"flow_sid": sid, "flow_revision": "LatestPublished"},
        [{"event": "completed", "next": "two"}],
    )
    two = state("two", "run-subflow", {"flow_sid": sid, "flow_revision": "3"}, [{"event": "completed"}])
    result = validate_definition(flow(trigger("one"), one, two))
    assert result.valid
    assert problems(result, "warnings") == [("#/states/2/properties/flow_revision", "subflow_revision")]
