from __future__ import annotations

from studio.widgets.base import Prop, Widget

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
