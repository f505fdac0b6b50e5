from __future__ import annotations

from typing import Any

from studio.widgets.props import Prop, is_blank
from studio.widgets.runtime import Outcome, WaitSpec, WidgetCall
from studio.widgets.voice.voice_twiml import as_int, outputs_of, studio_event, truthy
from studio.widgets.widget import Widget

STATUS_EVENTS = {"busy": "busy", "no-answer": "noAnswer", "failed": "failed", "canceled": "failed"}

MAKE_CALL_OUTPUTS = [
    "AccountSid",
    "AnsweredBy",
    "CallSid",
    "CallStatus",
    "From",
    "MachineDetectionDuration",
    "To",
]


class MakeOutgoingCallV2(Widget):
    type = "make-outgoing-call-v2"
    family = "Voice"
    label = "Make Outgoing Call"
    description = "Place an outbound call to the contact (REST-triggered flows), with optional answering machine detection."
    channel = "voice"
    properties = [
        Prop(
            "to",
            "string",
            required=True,
            liquid=True,
            default="{{contact.channel.address}}",
            label="Number to call",
        ),
        Prop(
            "from",
            "string",
            required=True,
            liquid=True,
            default="{{flow.channel.address}}",
            label="Call from",
        ),
        Prop("record", "boolean", default=False, label="Record call"),
        Prop(
            "recording_channels", "enum", allowed=("mono", "dual"), default="mono", label="Recording channels"
        ),
        Prop(
            "recording_status_callback", "string", liquid=True, default="", label="Recording status callback"
        ),
        # Twilio's own sample writes "true"; other exports use do-not-trim / trim-silence.
        Prop(
            "trim",
            "enum",
            allowed=("do-not-trim", "trim-silence", "true", "false"),
            default="do-not-trim",
            label="Trim silence",
        ),
        Prop("detect_answering_machine", "boolean", default=False, label="Detect answering machine"),
        Prop(
            "machine_detection",
            "enum",
            allowed=("Enable", "DetectMessageEnd"),
            default="Enable",
            label="Machine detection",
        ),
        Prop(
            "machine_detection_timeout",
            "integer",
            string_encoded=True,
            minimum=3,
            maximum=120,
            default="30",
            label="Machine detection timeout (s)",
        ),
        Prop(
            "machine_detection_speech_threshold",
            "integer",
            string_encoded=True,
            minimum=1000,
            maximum=6000,
            default="2400",
            label="Speech threshold (ms)",
        ),
        Prop(
            "machine_detection_speech_end_threshold",
            "integer",
            string_encoded=True,
            minimum=500,
            maximum=5000,
            default="1200",
            label="Speech end threshold (ms)",
        ),
        Prop(
            "machine_detection_silence_timeout",
            "integer",
            string_encoded=True,
            minimum=2000,
            maximum=10000,
            default="5000",
            label="Silence timeout (ms)",
        ),
        Prop(
            "send_digits",
            "string",
            liquid=True,
            max_length=32,
            pattern=r"[0-9A-DwW#*]*",
            default="",
            label="Send digits",
        ),
        Prop("timeout", "integer", minimum=0, maximum=600, default=60, label="Timeout (seconds)"),
        Prop("sip_auth_username", "string", liquid=True, default="", label="SIP auth username"),
        Prop("sip_auth_password", "string", liquid=True, default="", label="SIP auth password"),
    ]
    events = ["answered", "busy", "noAnswer", "failed"]
    outputs = MAKE_CALL_OUTPUTS
    open_outputs = True
    name_prefix = "call_user"

    # -- runtime: a call placed through the provider's Calls API; its answer URL resumes this
    # widget (answered) and its status callbacks report busy / no-answer / failed.

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        p = call.properties
        to, from_ = str(p.get("to") or "").strip(), str(p.get("from") or "").strip()
        if not to or not from_:
            return Outcome(event="failed", outputs={"CallStatus": "failed", "To": to, "From": from_})
        params: dict[str, Any] = {"To": to, "From": from_, "Timeout": as_int(p.get("timeout"), 60)}
        if truthy(p.get("detect_answering_machine")):
            params["MachineDetection"] = p.get("machine_detection") or "Enable"
            for key, name in (
                ("machine_detection_timeout", "MachineDetectionTimeout"),
                ("machine_detection_speech_threshold", "MachineDetectionSpeechThreshold"),
                ("machine_detection_speech_end_threshold", "MachineDetectionSpeechEndThreshold"),
                ("machine_detection_silence_timeout", "MachineDetectionSilenceTimeout"),
            ):
                if not is_blank(p.get(key)):
                    params[name] = str(p[key])
        if truthy(p.get("record")):
            params["Record"] = "true"
            params["RecordingChannels"] = p.get("recording_channels") or "mono"
            if not is_blank(p.get("recording_status_callback")):
                params["RecordingStatusCallback"] = p["recording_status_callback"]
            if not is_blank(p.get("trim")):
                params["Trim"] = {"true": "trim-silence", "false": "do-not-trim"}.get(
                    str(p["trim"]), p["trim"]
                )
        for key, name in (
            ("send_digits", "SendDigits"),
            ("sip_auth_username", "SipAuthUsername"),
            ("sip_auth_password", "SipAuthPassword"),
        ):
            if not is_blank(p.get(key)):
                params[name] = str(p[key])
        placed = call.services.place_call(call.name, params)
        return Outcome(wait=WaitSpec(data={"CallSid": placed.get("Sid", "")}))

    @classmethod
    def resume(cls, call: WidgetCall) -> Outcome | None:
        inbound = call.inbound
        if inbound is None:
            return None
        payload = inbound.payload
        if call.state.get("CallSid") and payload.get("CallSid") not in (None, call.state["CallSid"]):
            return None  # another call's news
        outputs = {key: payload.get(key) for key in MAKE_CALL_OUTPUTS}
        outputs.update(outputs_of(payload))
        if inbound.kind == "callback" and studio_event(inbound) == "answered":
            return Outcome(event="answered", outputs=outputs)
        if inbound.kind == "call_status":
            return Outcome(
                event=STATUS_EVENTS.get(str(payload.get("CallStatus") or ""), "failed"), outputs=outputs
            )
        return None
