"""Simulated calls: the interpreter plays the flow through the signed webhook in-process."""

from __future__ import annotations

import json
from typing import Any

import pytest

from executions.models import Call, Execution
from executions.voice import calls
from executions.voice.call_simulator import call_flow
from tests.executions.factories import definition, on, state
from tests.executions.support import start_rest, step_names
from tests.executions.voice_support import CALLER, NUMBER

pytestmark = pytest.mark.django_db(transaction=True)


def ivr() -> dict[str, Any]:
    return definition(
        state(
            "menu",
            "gather-input-on-call",
            [on("keypress", "thanks"), on("speech", "thanks"), on("timeout", "voicemail")],
            say="Press a key or say something",
        ),
        state("thanks", "say-play", [on("audioComplete")], say="You chose {{widgets.menu.Digits}}"),
        state(
            "voicemail",
            "record-voicemail",
            [on("recordingComplete", "bye"), on("noAudio", "bye"), on("hangup")],
            max_length=60,
        ),
        state("bye", "say-play", [on("audioComplete")], say="Bye"),
        trigger=[on("incomingCall", "menu")],
    )


def says(transcript: Any) -> list[str]:
    return [e["text"] for e in transcript.of_type("say")]


def test_it_plays_a_keypress_through_the_flow_end_to_end(flow_factory: Any) -> None:
    sim = call_flow(flow_factory(ivr()), from_=CALLER, to=NUMBER, script={"inputs": ["3"]})
    assert says(sim.transcript) == ["Press a key or say something", "You chose 3"]
    assert sim.transcript.ended == "completed"
    assert sim.execution is not None and sim.execution.status == "ended"
    assert step_names(sim.execution) == [
        "Trigger-incomingCall->menu",
        "menu-keypress->thanks",
        "thanks-audioComplete->Ended",
    ]
    assert sim.call.status == "completed" and sim.call.transcript["events"]


def test_it_plays_silence_into_the_voicemail_and_records(flow_factory: Any) -> None:
    sim = call_flow(
        flow_factory(ivr()),
        from_=CALLER,
        to=NUMBER,
        script={"inputs": ["silence"], "record": [{"duration": 7}]},
    )
    ex = sim.execution
    assert ex is not None and ex.context["widgets"]["voicemail"]["RecordingDuration"] == "7"
    assert step_names(ex)[-2:] == ["voicemail-recordingComplete->bye", "bye-audioComplete->Ended"]


def test_it_ends_the_execution_when_the_scripted_caller_hangs_up(flow_factory: Any) -> None:
    sim = call_flow(flow_factory(ivr()), from_=CALLER, to=NUMBER, script={"inputs": ["hangup"]})
    assert sim.transcript.ended == "caller-hangup"
    assert sim.execution is not None
    sim.execution.refresh_from_db()
    assert sim.execution.status == "ended"
    assert any(entry.get("code") == 81002 for entry in sim.execution.log)


def test_it_simulates_a_call_from_the_console(console: Any, flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    client_csrf(console)
    response = console.post(
        f"/api/console/flows/{flow.sid}/simulate/call",
        json.dumps({"from": CALLER, "to": NUMBER, "script": {"inputs": [{"speech": "sales"}]}}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=console.cookies["csrftoken"].value,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    ex = Execution.objects.get(sid=body["execution_sid"])
    assert ex.context["widgets"]["menu"]["SpeechResult"] == "sales"
    assert [e["text"] for e in body["transcript"]["events"] if e["type"] == "say"][0].startswith("Press")


def test_it_refuses_a_console_simulation_without_from(console: Any, flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    client_csrf(console)
    response = console.post(
        f"/api/console/flows/{flow.sid}/simulate/call",
        json.dumps({"to": NUMBER}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=console.cookies["csrftoken"].value,
    )
    assert response.status_code == 400


def client_csrf(console: Any) -> None:
    console.get("/api/console/me")
    if "csrftoken" not in console.cookies:
        from django.middleware.csrf import _get_new_csrf_string

        console.cookies["csrftoken"] = _get_new_csrf_string()


def outbound(**props: Any) -> dict[str, Any]:
    d = definition(
        state(
            "call_user",
            "make-outgoing-call-v2",
            [
                on("answered", "greet"),
                on("busy", "busy"),
                on("noAnswer", "no_answer"),
                on("failed", "failed"),
            ],
            to="{{contact.channel.address}}",
            **{"from": "{{flow.channel.address}}"},
            **props,
        ),
        state("greet", "gather-input-on-call", [on("keypress"), on("timeout")], say="Press 1 to confirm"),
        state("busy", "set-variables", [on("next")], variables=[{"key": "r", "value": "busy"}]),
        state("no_answer", "set-variables", [on("next")], variables=[{"key": "r", "value": "no-answer"}]),
        state("failed", "set-variables", [on("next")], variables=[{"key": "r", "value": "failed"}]),
        trigger=[on("incomingRequest", "call_user")],
    )
    d["flags"]["allow_concurrent_calls"] = False
    return d


@pytest.mark.parametrize(
    ("outcome", "event", "variable"),
    [("busy", "busy", "busy"), ("no-answer", "noAnswer", "no-answer"), ("failed", "failed", "failed")],
)
def test_it_takes_the_outgoing_calls_unanswered_events(
    flow_factory: Any, outcome: str, event: str, variable: str
) -> None:
    calls.script_outcome("+15557770001", outcome)
    try:
        ex = start_rest(flow_factory(outbound()), to="+15557770001", frm=NUMBER)
    finally:
        calls.script_outcome("+15557770001", None)
    assert step_names(ex)[-2] == f"call_user-{event}->{event if event != 'noAnswer' else 'no_answer'}"
    assert ex.context["flow"]["variables"]["r"] == variable
    assert Call.objects.get().status == outcome


def test_it_answers_the_outgoing_call_and_plays_the_rest_of_the_flow_on_it(flow_factory: Any) -> None:
    calls.script_outcome("+15557770002", {"status": "answered", "script": {"inputs": ["1"]}})
    try:
        ex = start_rest(flow_factory(outbound()), to="+15557770002", frm=NUMBER)
    finally:
        calls.script_outcome("+15557770002", None)
    ex.refresh_from_db()
    assert step_names(ex) == [
        "Trigger-incomingRequest->call_user",
        "call_user-answered->greet",
        "greet-keypress->Ended",
    ]
    out = ex.context["widgets"]["call_user"]
    assert (
        out["CallStatus"] == "in-progress" and out["To"] == "+15557770002" and out["CallSid"].startswith("CA")
    )
    call = Call.objects.get()
    assert call.status == "completed" and call.direction == "outbound-api"
    assert [e["text"] for e in call.transcript["events"] if e["type"] == "say"] == ["Press 1 to confirm"]


def test_it_reports_answering_machine_detection(flow_factory: Any) -> None:
    calls.script_outcome("+15557770003", "machine")
    try:
        ex = start_rest(
            flow_factory(outbound(detect_answering_machine=True, machine_detection="DetectMessageEnd")),
            to="+15557770003",
            frm=NUMBER,
        )
    finally:
        calls.script_outcome("+15557770003", None)
    ex.refresh_from_db()
    assert ex.context["widgets"]["call_user"]["AnsweredBy"] == "machine_start"
    assert Call.objects.get().options["MachineDetection"] == "DetectMessageEnd"
