"""Where real flows met Twilio's semantics during acceptance QA: each test states the rule."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest

from executions.engine import templates
from executions.models import Execution
from scenarios.stubs import Stub
from tests.executions.factories import corpus_definition, definition, make_flow, on, state
from tests.executions.support import start_rest, step_names
from tests.executions.voice_support import call_params, follow, ring, twiml_of

pytestmark = pytest.mark.django_db(transaction=True)


def render(template: str, context: dict[str, Any]) -> str:
    return templates.render(0, template, context)


# -- Liquid output of objects ---------------------------------------------------------------


def test_it_prints_an_object_the_way_twilio_does_as_key_equals_value() -> None:
    # Twilio's patient-appointment template passes {{flow.data}} to a Function that parses
    # "{k1=v1, k2=v2}"; a Python dict repr ({'k1': 'v1'}) would break it.
    ctx = {"flow": {"data": {"appointment_id": "A1", "patient_id": "P9", "when": {"day": "Mon"}}}}
    assert render("{{flow.data}}", ctx) == "{appointment_id=A1, patient_id=P9, when={day=Mon}}"


def test_it_prints_lists_inside_objects_like_java_and_top_level_lists_run_together() -> None:
    ctx = {"x": {"tags": ["a", "b"], "ok": True, "none": None}, "items": ["a", "b", {"k": 1}]}
    assert render("{{x}}", ctx) == "{tags=[a, b], ok=true, none=null}"
    assert render("{{items}}", ctx) == "ab{k=1}"


def test_it_still_serialises_objects_as_json_with_to_json() -> None:
    assert render("{{x | to_json}}", {"x": {"a": [1, "b"]}}) == '{"a":[1,"b"]}'


# -- Liquid date ----------------------------------------------------------------------------


def test_it_reads_now_in_pacific_time() -> None:
    fixed = dt.datetime(2024, 7, 4, 18, 30, tzinfo=dt.UTC)
    with mock.patch.object(templates, "pacific_now", lambda: fixed.astimezone(templates._pacific())):
        assert render("{{ 'now' | date: '%Y-%m-%d %H:%M %Z' }}", {}) == "2024-07-04 11:30 PDT"


def test_it_evaluates_now_at_every_render_not_once() -> None:
    first = dt.datetime(2024, 1, 10, 20, 0, tzinfo=dt.UTC)
    later = dt.datetime(2024, 1, 10, 21, 15, tzinfo=dt.UTC)
    template = "{{ 'now' | date: '%H:%M' }}"
    with mock.patch.object(templates, "pacific_now", lambda: first.astimezone(templates._pacific())):
        assert render(template, {}) == "12:00"
    with mock.patch.object(templates, "pacific_now", lambda: later.astimezone(templates._pacific())):
        assert render(template, {}) == "13:15"


def test_it_formats_epoch_seconds_in_pacific_time_and_dates_as_written() -> None:
    assert render("{{ 1700000000 | date: '%Y-%m-%d %H:%M' }}", {}) == "2023-11-14 14:13"
    assert render("{{ '2021-03-04 09:05' | date: '%b %d, %Y %H:%M' }}", {}) == "Mar 04, 2021 09:05"
    assert render("{{ 'not a date' | date: '%Y' }}", {}) == "not a date"


def test_it_computes_pacific_time_without_a_tz_database() -> None:
    pacific = templates._UsPacific()
    summer = dt.datetime(2024, 7, 4, 18, 30, tzinfo=dt.UTC).astimezone(pacific)
    winter = dt.datetime(2024, 1, 4, 18, 30, tzinfo=dt.UTC).astimezone(pacific)
    assert summer.strftime("%H:%M %Z") == "11:30 PDT"
    assert winter.strftime("%H:%M %Z") == "10:30 PST"


# -- transitions ----------------------------------------------------------------------------


def test_it_ends_the_execution_when_next_names_a_widget_that_does_not_exist(flow_factory: Any) -> None:
    flow = flow_factory(
        definition(
            state("vars", "set-variables", [on("next", "Goodbye")], variables=[{"key": "a", "value": "1"}]),
            trigger=[on("incomingRequest", "vars")],
        )
    )
    ex = start_rest(flow)
    assert ex.status == "ended"
    assert step_names(ex) == ["Trigger-incomingRequest->vars", "vars-next->Ended"]
    assert not any(entry.get("level") == "error" for entry in ex.log)


# -- say/play ---------------------------------------------------------------------------------


def say_flow(say: str) -> dict[str, Any]:
    return definition(
        state("fetch", "set-variables", [on("next", "optional")], variables=[{"key": "m", "value": ""}]),
        state("optional", "say-play", [on("audioComplete", "bye")], say=say, voice="Polly.Joanna", loop=1),
        state("bye", "say-play", [on("audioComplete")], say="Goodbye"),
        trigger=[on("incomingCall", "fetch")],
    )


def test_it_speaks_nothing_when_a_say_renders_empty_and_goes_on(alice: Any) -> None:
    flow = make_flow(alice, say_flow("{{flow.variables.m}}"))
    params = call_params()
    root = twiml_of(ring(flow, params))
    assert [el.tag for el in root] == ["Redirect"]  # never a <Play/> without a URL
    root = twiml_of(follow(flow.account, root[0].text, CallSid=params["CallSid"]))
    assert [el.tag for el in root] == ["Say", "Redirect"] and root[0].text == "Goodbye"


def test_it_plays_the_configured_verb_when_its_liquid_renders(alice: Any) -> None:
    flow = make_flow(alice, say_flow("{{flow.variables.m}}Hello {{trigger.call.From}}"))
    root = twiml_of(ring(flow, call_params(frm="+15551112222")))
    assert root[0].tag == "Say" and root[0].text == "Hello +15551112222"


# -- corpus --------------------------------------------------------------------------------------


def test_it_passes_flow_data_to_a_function_the_way_twilio_templates_parse_it(
    alice: Any, stub: Stub, allow_local: None
) -> None:
    import json

    stub.route("/get-datetime-parts", body={"readable_datetime": "Monday, May 3 at 10:00 AM"})
    stub.route("/save-booked", body={"status": "saved"})
    text = json.dumps(corpus_definition("02-patient-appointment-management.json"))
    text = text.replace("https://YOUR_TWILIO_ENVIRONMENT_DOMAIN_NAME", stub.base)
    flow = make_flow(alice, json.loads(text))
    ex = start_rest(
        flow,
        data={
            "event_type": "BOOKED",
            "appointment_id": "A1",
            "patient_id": "P1",
            "patient_first_name": "Zeke",
        },
    )
    saved = next(r for r in stub.requests if r.path == "/save-booked")
    appointment = saved.form["appointment"]
    # the Function's own parser: strip braces, split on ",", then on "="
    parsed = dict(kv.split("=") for kv in appointment.strip("{}").split(", "))
    assert parsed["appointment_id"] == "A1" and parsed["event_type"] == "BOOKED"
    assert Execution.objects.get(pk=ex.pk).current_widget == "send_booked"


def test_it_prints_objects_the_same_way_inside_tags() -> None:
    ctx = {"t": {"linkedin": {"value": "bo"}}}
    assert render("{% if t.linkedin %}in: {{t.linkedin}}{% endif %}", ctx) == "in: {value=bo}"
    assert render("{% unless t.x %}{{t.linkedin}}{% endunless %}", ctx) == "{value=bo}"
    assert render("{% case 1 %}{% when 1 %}{{t.linkedin}}{% endcase %}", ctx) == "{value=bo}"


# -- Conversations trigger --------------------------------------------------------------------


def test_it_exposes_the_conversation_author_as_trigger_conversation_from(client: Any, alice: Any) -> None:
    from tests.executions.support import post_webhook

    flow = make_flow(
        alice,
        definition(
            state(
                "vars",
                "set-variables",
                [on("next")],
                variables=[
                    {"key": "customerNumber", "value": "{{trigger.conversation.From}}"},
                    {"key": "conversationSid", "value": "{{trigger.conversation.ConversationSid}}"},
                ],
            ),
            trigger=[on("incomingConversationMessage", "vars")],
        ),
    )
    params = {
        "AccountSid": alice.sid,
        "ConversationSid": "CH" + "1" * 32,
        "MessageSid": "IM" + "5" * 32,
        "MessagingServiceSid": "MG" + "2" * 32,
        "Author": "+15550001",
        "ParticipantSid": "MB" + "3" * 32,
        "Body": "hello",
        "Source": "SMS",
        "EventType": "onMessageAdded",
    }
    assert post_webhook(client, flow, params).status_code == 200
    ex = Execution.objects.get(flow=flow)
    assert ex.context["trigger"]["conversation"]["From"] == "+15550001"
    assert ex.context["flow"]["variables"] == {
        "customerNumber": "+15550001",
        "conversationSid": "CH" + "1" * 32,
    }


def test_it_replays_golden_scenarios_for_at_least_twenty_corpus_flows() -> None:
    import json
    from pathlib import Path

    here = Path(__file__).parent
    specs = [*here.glob("golden/*.test.json"), *here.glob("golden_voice/*.test.json")]
    flows = {json.loads(p.read_text()).get("flow", "") for p in specs}
    corpus = {f for f in flows if f.startswith("corpus:")}
    assert len(corpus) >= 20, sorted(corpus)


def test_it_keeps_an_empty_finish_on_key_as_no_finish_key(alice: Any) -> None:
    from twiml import validate

    flow = make_flow(alice, corpus_definition("17-webinar-flow.json"))
    response = ring(flow, call_params())
    text = response.content.decode()
    assert 'finishOnKey=""' in text  # Twilio's default ("#") would end the input early
    assert not [p for p in validate(text) if p.severity == "error"]
