"""Every event of every voice widget, reached through the call webhook and engine callbacks.

Each case: a flow whose trigger leads to the widget (every event ends the flow), a call that
reaches it, and the request Twilio would make next (an action/redirect URL of the answer, a
status callback, or a fired timer). The TwiML of each answer is validated with ``twiml``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from executions.engine.timers import sweep
from executions.models import Execution, Wait
from studio import widgets
from tests.executions.factories import definition, on, state
from tests.executions.support import step_names, webhook_path
from tests.executions.voice_support import (
    action_of,
    call_params,
    follow,
    hang_up,
    post_signed,
    ring,
    twiml_of,
    verbs,
)

pytestmark = pytest.mark.django_db(transaction=True)

PROPS: dict[str, dict[str, Any]] = {
    "say-play": {"say": "Hello"},
    "gather-input-on-call": {"say": "Press 1", "number_of_digits": 1},
    "connect-call-to": {"noun": "number", "to": "+15557654321", "caller_id": "{{contact.channel.address}}"},
    "record-voicemail": {
        "max_length": 30,
        "transcribe": True,
        "transcription_callback_url": "https://x.test/t",
    },
    "enqueue-call": {"queue_name": "support"},
    "capture-payments": {"payment_amount": "10.00", "payment_connector": "Stripe"},
    "send-to-flex": {
        "workflow": "WW" + "a" * 32,
        "channel": "TC" + "b" * 32,
        "attributes": '{"type":"inbound"}',
    },
    "connect-virtual-agent-v2": {"connector_name": "cx", "timeout": "60"},
    "connect-virtual-agent": {"connector": "es"},
    "run-conversation-relay": {"url": "wss://relay.test/ws"},
    "add-twiml-redirect": {"url": "https://example.test/twiml", "timeout": "600"},
}

# (widget type, where the next request goes, its parameters, expected event)
CALLBACK_CASES = [
    ("say-play", "Redirect", {}, "audioComplete"),
    ("gather-input-on-call", "Gather", {"Digits": "1"}, "keypress"),
    ("gather-input-on-call", "Gather", {"SpeechResult": "sales", "Confidence": "0.9"}, "speech"),
    ("gather-input-on-call", "Redirect", {}, "timeout"),
    ("connect-call-to", "Dial", {"DialCallStatus": "no-answer", "DialCallSid": "CA1"}, "callCompleted"),
    ("connect-call-to", "Dial", {"DialCallStatus": "completed", "CallStatus": "completed"}, "hangup"),
    ("record-voicemail", "Record", {"RecordingUrl": "https://r", "RecordingSid": "RE1"}, "recordingComplete"),
    ("record-voicemail", "Redirect", {}, "noAudio"),
    ("record-voicemail", "Record", {"RecordingSid": "RE1", "Digits": "hangup"}, "hangup"),
    ("enqueue-call", "Enqueue", {"QueueResult": "bridged", "QueueSid": "QU1"}, "callComplete"),
    ("enqueue-call", "Enqueue", {"QueueResult": "queue-full"}, "failedToEnqueue"),
    ("enqueue-call", "Enqueue", {"QueueResult": "system-error"}, "callFailure"),
    ("send-to-flex", "Enqueue", {"QueueResult": "hangup"}, "callComplete"),
    ("send-to-flex", "Enqueue", {"QueueResult": "queue-full"}, "failedToEnqueue"),
    ("send-to-flex", "Enqueue", {"QueueResult": "system-error"}, "callFailure"),
    ("capture-payments", "Pay", {"Result": "success", "PaymentToken": "tok"}, "success"),
    ("capture-payments", "Pay", {"Result": "too-many-failed-attempts"}, "maxFailedAttempts"),
    ("capture-payments", "Pay", {"Result": "payment-connector-error"}, "providerError"),
    ("capture-payments", "Pay", {"Result": "caller-interrupted-with-star"}, "payInterrupted"),
    ("capture-payments", "Pay", {"Result": "caller-hung-up"}, "hangup"),
    ("capture-payments", "Pay", {"Result": "validation-error"}, "validationError"),
    ("connect-virtual-agent-v2", "Connect", {"VirtualAgentStatus": "completed"}, "completed"),
    (
        "connect-virtual-agent-v2",
        "Connect",
        {"VirtualAgentStatus": "live-agent-handoff"},
        "live-agent-handoff",
    ),
    ("connect-virtual-agent-v2", "Connect", {"VirtualAgentStatus": "failed"}, "failed"),
    ("connect-virtual-agent-v2", "Connect", {"VirtualAgentStatus": "paused"}, "paused"),
    ("connect-virtual-agent-v2", "Connect", {"CallStatus": "completed"}, "hangup"),
    ("connect-virtual-agent", "Connect", {"VirtualAgentStatus": "completed"}, "return"),
    ("connect-virtual-agent", "Connect", {"CallStatus": "completed"}, "hangup"),
    ("run-conversation-relay", "Connect", {"SessionStatus": "completed", "SessionId": "S1"}, "success"),
    ("run-conversation-relay", "Connect", {"SessionStatus": "failed", "ErrorCode": "64101"}, "failed"),
]


def single(wtype: str, **overrides: Any) -> dict[str, Any]:
    cls = widgets.get(wtype)
    assert cls is not None
    props = {**PROPS.get(wtype, {}), **overrides}
    return definition(
        state("w", wtype, [on(event) for event in cls.events_for(props)], **props),
        trigger=[on("incomingCall", "w")],
    )


def last_step(ex: Execution) -> str:
    return step_names(ex)[-1]


@pytest.mark.parametrize(("wtype", "tag", "params", "event"), CALLBACK_CASES)
def test_it_takes_each_event_from_the_twiml_callback(
    flow_factory: Any, wtype: str, tag: str, params: dict[str, str], event: str
) -> None:
    flow = flow_factory(single(wtype))
    root = twiml_of(ring(flow))
    answer = follow(flow.account, action_of(root, tag), **params)
    assert answer.content.decode().endswith("<Response/>")  # the flow ended: the call ends
    ex = Execution.objects.get()
    assert last_step(ex) == f"w-{event}->Ended"
    outputs = ex.context["widgets"]["w"]
    for key, value in params.items():
        if key != "VirtualAgentProviderData":
            assert outputs[key] == value
    assert "Widget" not in outputs and "Seq" not in outputs


@pytest.mark.parametrize(
    ("wtype", "event"),
    [
        ("connect-call-to", "hangup"),
        ("record-voicemail", "hangup"),
        ("capture-payments", "hangup"),
        ("connect-virtual-agent-v2", "hangup"),
        ("connect-virtual-agent", "hangup"),
    ],
)
def test_it_maps_a_status_callback_hangup_to_the_hangup_transition(
    flow_factory: Any, wtype: str, event: str
) -> None:
    flow = flow_factory(single(wtype))
    params = call_params()
    ring(flow, params)
    hang_up(flow, params)
    ex = Execution.objects.get()
    assert last_step(ex) == f"w-{event}->Ended"
    assert not any(entry.get("code") == 81002 for entry in ex.log)


def fire_timer() -> None:
    Wait.objects.update(fire_at=timezone.now())
    sweep()


def test_it_times_out_a_virtual_agent_with_a_timeout(flow_factory: Any) -> None:
    flow = flow_factory(single("connect-virtual-agent-v2"))
    root = twiml_of(ring(flow))
    agent = root.find("Connect/VirtualAgent")
    assert agent.get("connectorName") == "cx"
    fire_timer()
    assert last_step(Execution.objects.get()) == "w-timeout->Ended"


def test_it_returns_from_a_twiml_redirect_with_flow_event_return(flow_factory: Any) -> None:
    flow = flow_factory(single("add-twiml-redirect"))
    params = call_params()
    root = twiml_of(ring(flow, params))
    assert verbs(root) == ["Redirect"] and root.find("Redirect").text == "https://example.test/twiml"
    back = post_signed(
        webhook_path(flow) + "?FlowEvent=return&choice=2",
        flow.account,
        {**params, "CallStatus": "in-progress"},
    )
    assert back.content.decode().endswith("<Response/>")
    ex = Execution.objects.get()
    assert last_step(ex) == "w-return->Ended"
    assert ex.context["widgets"]["w"]["choice"] == "2"


def test_it_times_out_a_twiml_redirect_that_never_returns(flow_factory: Any) -> None:
    flow = flow_factory(single("add-twiml-redirect"))
    ring(flow)
    fire_timer()
    assert last_step(Execution.objects.get()) == "w-timeout->Ended"


def test_it_fails_a_twiml_redirect_to_an_invalid_url(flow_factory: Any) -> None:
    flow = flow_factory(single("add-twiml-redirect", url="not a url"))
    ring(flow)
    assert last_step(Execution.objects.get()) == "w-fail->Ended"


def test_it_starts_and_stops_a_fork_stream_without_waiting(flow_factory: Any) -> None:
    d = definition(
        state(
            "start",
            "fork-stream",
            [on("next", "hello")],
            stream_action="start",
            stream_name="s1",
            stream_url="wss://media.test/{{trigger.call.CallSid}}",
            stream_track="both_tracks",
            stream_parameters=[{"key": "caller", "value": "{{trigger.call.From}}"}],
        ),
        state("hello", "say-play", [on("audioComplete", "stop")], say="Hi"),
        state("stop", "fork-stream", [on("next")], stream_action="stop", stream_name="s1"),
        trigger=[on("incomingCall", "start")],
    )
    flow = flow_factory(d)
    params = call_params()
    root = twiml_of(ring(flow, params))
    assert verbs(root) == ["Start", "Say", "Redirect"]
    stream = root.find("Start/Stream")
    assert (
        stream.get("url") == f"wss://media.test/{params['CallSid']}" and stream.get("track") == "both_tracks"
    )
    assert stream.find("Parameter").get("value") == params["From"]
    end = twiml_of(follow(flow.account, action_of(root, "Redirect")))
    assert verbs(end) == ["Stop"] and end.find("Stop/Stream").get("name") == "s1"
    assert step_names(Execution.objects.get())[-1] == "stop-next->Ended"


@pytest.mark.parametrize(("record", "event"), [(True, "success"), (False, "success")])
def test_it_starts_and_stops_call_recording(flow_factory: Any, record: bool, event: str) -> None:
    d = definition(
        state("rec", "record-call", [on("success", "hello"), on("failed")], record_call=record),
        state("hello", "say-play", [on("audioComplete")], say="Recorded"),
        trigger=[on("incomingCall", "rec")],
    )
    flow = flow_factory(d)
    twiml_of(ring(flow))
    ex = Execution.objects.get()
    assert step_names(ex)[1] == f"rec-{event}->hello"
    out = ex.context["widgets"]["rec"]
    assert out["Sid"].startswith("RE") and out["Status"] == ("in-progress" if record else "stopped")


def test_it_fails_call_recording_without_a_call(flow_factory: Any) -> None:
    from tests.executions.support import start_rest

    d = definition(
        state("rec", "record-call", [on("success"), on("failed")], record_call=True),
        trigger=[on("incomingRequest", "rec")],
    )
    ex = start_rest(flow_factory(d))
    assert step_names(ex)[-1] == "rec-failed->Ended"
