"""Every widget's events are exactly the ones the spec (§2.0) lists."""

from __future__ import annotations

import pytest

from studio import widgets

SPEC_EVENTS: dict[str, list[str]] = {
    "trigger": [
        "incomingMessage",
        "incomingCall",
        "incomingConversationMessage",
        "incomingRequest",
        "incomingParent",
    ],
    "split-based-on": ["noMatch", "match"],
    "set-variables": ["next"],
    "say-play": ["audioComplete"],
    "gather-input-on-call": ["keypress", "speech", "timeout"],
    "connect-call-to": ["callCompleted", "hangup"],
    "make-outgoing-call-v2": ["answered", "busy", "noAnswer", "failed"],
    "record-voicemail": ["recordingComplete", "noAudio", "hangup"],
    "record-call": ["success", "failed"],
    "enqueue-call": ["callComplete", "failedToEnqueue", "callFailure"],
    "capture-payments": [
        "success",
        "maxFailedAttempts",
        "providerError",
        "payInterrupted",
        "hangup",
        "validationError",
    ],
    "fork-stream": ["next"],
    "connect-virtual-agent": ["return", "hangup"],
    "connect-virtual-agent-v2": ["completed", "live-agent-handoff", "hangup", "failed", "paused", "timeout"],
    "run-conversation-relay": ["success", "failed"],
    "send-message": ["sent", "failed"],
    "send-and-wait-for-reply": ["incomingMessage", "timeout", "deliveryFailure"],
    "start-conversation": ["created", "failed"],
    "resume-conversation": ["resumed", "failed"],
    "make-http-request": ["success", "failed"],
    "run-function": ["success", "fail"],
    "add-twiml-redirect": ["return", "timeout", "fail"],
    "run-subflow": ["completed", "failed"],
    "send-to-flex": ["callComplete", "failedToEnqueue", "callFailure"],
    "send-to-auto-pilot": ["sessionEnded", "failure", "timeout"],
    # Unverified ([AI-SKILL]): v1 had answeredByMachine and hangup besides the v2 events.
    "make-outgoing-call-v1": ["answered", "answeredByMachine", "busy", "noAnswer", "failed", "hangup"],
}

# Legacy/unverified types whose events are not publicly known: any event is kept.
OPEN_EVENT_TYPES = [
    "add-member-to-chat-channel",
    "create-chat-channel",
    "create-task",
    "understand",
    "update-sync-object",
    "run-function-v2",
    "run-model-inference",
]


def test_it_covers_every_registered_type_in_this_table() -> None:
    assert sorted([*SPEC_EVENTS, *OPEN_EVENT_TYPES]) == sorted(widgets.REGISTRY)


@pytest.mark.parametrize(("type_str", "events"), SPEC_EVENTS.items())
def test_it_lists_the_spec_events(type_str: str, events: list[str]) -> None:
    widget = widgets.get(type_str)
    assert widget is not None
    assert widget.events == events
    assert widget.events_for(widget.defaults()) == events


@pytest.mark.parametrize("type_str", OPEN_EVENT_TYPES)
def test_it_accepts_any_event_for_types_with_unknown_events(type_str: str) -> None:
    widget = widgets.get(type_str)
    assert widget is not None
    assert widget.open_events is True
    assert widget.events == []


def test_it_names_the_run_function_failure_fail_not_failed() -> None:
    assert "fail" in widgets.get("run-function").events  # type: ignore[union-attr]
    assert "failed" not in widgets.get("run-function").events  # type: ignore[union-attr]


def test_it_lets_a_split_repeat_only_the_match_event() -> None:
    assert widgets.get("split-based-on").repeatable_events == {"match"}  # type: ignore[union-attr]


def test_it_keeps_split_events_the_same_whatever_the_input() -> None:
    split = widgets.get("split-based-on")
    assert split is not None
    assert split.events_for({"input": "{{trigger.message.Body}}"}) == ["noMatch", "match"]


def test_it_accepts_the_unverified_flex_composer_event_without_offering_it() -> None:
    flex = widgets.get("send-to-flex")
    assert flex is not None
    assert flex.extra_events == ["composerStarted"]
    assert "composerStarted" not in flex.events
