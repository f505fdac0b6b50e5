from __future__ import annotations

from typing import Any

from studio.widgets.base import Problem, Prop, Widget

CALLBACK_EVENTS = ("in-progress", "completed", "absent")


class RecordCall(Widget):
    type = "record-call"
    family = "Voice"
    label = "Call Recording"
    description = "Start or stop recording the current (incoming) call."
    channel = "voice"
    properties = [
        Prop("record_call", "boolean", required=True, default=False, label="Record call (start / stop)"),
        Prop("recording_status_callback", "string", liquid=True, label="Recording status callback"),
        Prop(
            "recording_status_callback_method",
            "enum",
            allowed=("GET", "POST"),
            default="POST",
            label="Callback method",
        ),
        Prop(
            "recording_status_callback_events",
            "string",
            default="completed",
            label="Callback events",
            description="Space-separated subset of: in-progress completed absent",
        ),
        Prop(
            "recording_channels", "enum", allowed=("mono", "dual"), default="dual", label="Recording channels"
        ),
        Prop(
            "trim",
            "enum",
            allowed=("trim-silence", "do-not-trim"),
            default="do-not-trim",
            label="Trim silence",
        ),
    ]
    events = ["success", "failed"]
    outputs = [
        "AccountSid",
        "ApiVersion",
        "CallSid",
        "Channels",
        "ConferenceSid",
        "DateCreated",
        "DateUpdated",
        "Duration",
        "EncryptionDetails",
        "ErrorCode",
        "Price",
        "PriceUnit",
        "Sid",
        "Uri",
        "Source",
        "StartTime",
        "Status",
    ]
    open_outputs = True
    name_prefix = "call_recording"

    @classmethod
    def check_rules(cls, properties: dict[str, Any]) -> list[Problem]:
        events = properties.get("recording_status_callback_events")
        if isinstance(events, str):
            bad = [e for e in events.replace(",", " ").split() if e not in CALLBACK_EVENTS]
            if bad:
                return [
                    Problem(
                        "recording_status_callback_events",
                        f"unknown callback events {bad}; allowed: {list(CALLBACK_EVENTS)}",
                        "enum",
                    )
                ]
        return []
