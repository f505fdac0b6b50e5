from __future__ import annotations

from typing import Any

from studio.widgets.base import CALL_PARAMS, Problem, Prop, Widget, is_blank

NOUNS = ("number", "number-multi", "client", "sip", "sim", "conference")


class ConnectCallTo(Widget):
    type = "connect-call-to"
    family = "Voice"
    label = "Connect Call To"
    description = "Dial a number, several numbers (simulring), a client, SIP endpoint, SIM or conference."
    channel = "voice"
    properties = [
        Prop("noun", "enum", required=True, allowed=NOUNS, default="number", label="Connect call to"),
        Prop(
            "to",
            "string",
            liquid=True,
            label="Number / identity / SID",
            description="number-multi: comma-separated, max 10",
        ),
        Prop("sip_endpoint", "string", liquid=True, label="SIP endpoint"),
        Prop("sip_username", "string", liquid=True, label="SIP username"),
        Prop("sip_password", "string", liquid=True, label="SIP password"),
        Prop(
            "caller_id",
            "string",
            required=True,
            liquid=True,
            default="{{contact.channel.address}}",
            label="Caller ID",
        ),
        Prop("record", "boolean", default=False, label="Record call"),
        Prop("timeout", "integer", minimum=1, maximum=600, default=30, label="Timeout (seconds)"),
        Prop(
            "time_limit", "integer", string_encoded=True, minimum=1, liquid=True, label="Time limit (seconds)"
        ),
    ]
    events = ["callCompleted", "hangup"]
    outputs = ["DialCallStatus", "DialCallSid", "DialCallDuration", "RecordingUrl", *CALL_PARAMS]
    open_outputs = True
    name_prefix = "connect_call"

    @classmethod
    def check_rules(cls, properties: dict[str, Any]) -> list[Problem]:
        noun = properties.get("noun")
        if noun == "sip":
            if is_blank(properties.get("sip_endpoint")):
                return [Problem("sip_endpoint", "is required when noun is sip", "required")]
            return []
        if noun in NOUNS and is_blank(properties.get("to")):
            return [Problem("to", f"is required when noun is {noun}", "required")]
        if noun == "number-multi" and isinstance(properties.get("to"), str):
            numbers = [n for n in properties["to"].split(",") if n.strip()]
            if len(numbers) > 10:
                return [Problem("to", "at most 10 numbers can be dialled at once", "range")]
        return []
