from __future__ import annotations

from typing import Any

from studio.widgets.props import CALL_PARAMS, Problem, Prop, is_blank
from studio.widgets.runtime import Outcome, WaitSpec, WidgetCall
from studio.widgets.voice.voice_twiml import as_int, is_hangup, node, outputs_of, truthy, xml
from studio.widgets.widget import Widget

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

    # -- runtime: <Dial action=callback>; the action request ends the widget ------------------

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        props = call.properties
        noun = str(props.get("noun") or "number")
        to = str(props.get("to") or "").strip()
        dial = node(
            "Dial",
            None,
            action=call.services.callback_url(call.name),
            method="POST",
            caller_id=props.get("caller_id") or None,
            record="record-from-answer" if truthy(props.get("record")) else None,
            timeout=as_int(props.get("timeout"), 30),
            time_limit=as_int(props.get("time_limit"), None),
        )
        if noun == "number-multi":
            for number in [n.strip() for n in to.split(",") if n.strip()][:10]:
                dial.add("Number", number)
        elif noun == "client":
            dial.add("Client", to)
        elif noun == "sip":
            dial.add(
                "Sip",
                str(props.get("sip_endpoint") or to),
                username=props.get("sip_username") or None,
                password=props.get("sip_password") or None,
            )
        elif noun == "sim":
            dial.add("Sim", to)
        elif noun == "conference":
            dial.add("Conference", to)
        else:
            dial.add("Number", to)
        return Outcome(twiml=[xml(dial)], wait=WaitSpec())

    @classmethod
    def resume(cls, call: WidgetCall) -> Outcome | None:
        inbound = call.inbound
        if inbound is None or inbound.kind not in ("callback", "call_status"):
            return None
        outputs = outputs_of(inbound.payload)
        # The caller hanging up ends the Dial too: its action then reports CallStatus=completed.
        if is_hangup(inbound):
            return Outcome(event="hangup", outputs=outputs)
        return Outcome(event="callCompleted", outputs=outputs)
