from __future__ import annotations

import uuid
from email.utils import formatdate
from typing import Any

from studio.widgets.props import Problem, Prop
from studio.widgets.runtime import Outcome, WidgetCall
from studio.widgets.voice.voice_twiml import on_call, truthy
from studio.widgets.widget import Widget

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

    # -- runtime: a Call Recording started/stopped on the live call (REST, no TwiML) ----------

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        trigger_call = (call.context.get("trigger") or {}).get("call") or {}
        call_sid = str(trigger_call.get("CallSid") or "")
        if not on_call(call) or not call_sid:
            # Only incoming calls can be recorded (spec §2.8).
            return Outcome(event="failed", outputs={"ErrorCode": 21220, "Status": "failed"})
        start = truthy(call.properties.get("record_call"))
        previous = call.previous_outputs or {}
        sid = str(previous.get("Sid") or "") if not start else ""
        sid = sid or "RE" + uuid.uuid4().hex
        account = str(trigger_call.get("AccountSid") or "")
        now = formatdate(usegmt=True)
        outputs = {
            "AccountSid": account,
            "ApiVersion": "2010-04-01",
            "CallSid": call_sid,
            "Channels": 2 if (call.properties.get("recording_channels") or "dual") == "dual" else 1,
            "ConferenceSid": None,
            "DateCreated": previous.get("DateCreated") if not start else now,
            "DateUpdated": now,
            "Duration": -1,
            "EncryptionDetails": None,
            "ErrorCode": None,
            "Price": None,
            "PriceUnit": "USD",
            "Sid": sid,
            "Uri": f"/2010-04-01/Accounts/{account}/Calls/{call_sid}/Recordings/{sid}.json",
            "Source": "StartCallRecordingAPI",
            "StartTime": previous.get("StartTime") if not start else now,
            "Status": "in-progress" if start else "stopped",
        }
        return Outcome(event="success", outputs=outputs)
