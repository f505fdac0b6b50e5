from __future__ import annotations

from typing import Any

from studio.widgets.props import CALL_PARAMS, Problem, Prop, is_blank
from studio.widgets.runtime import Outcome, WaitSpec, WidgetCall
from studio.widgets.voice.voice_twiml import (
    add_prompt,
    as_int,
    is_hangup,
    node,
    outputs_of,
    redirect_back,
    studio_event,
    truthy,
    xml,
)
from studio.widgets.widget import Widget


class GatherInputOnCall(Widget):
    type = "gather-input-on-call"
    family = "Voice"
    label = "Gather Input On Call"
    description = "Play a prompt and collect keypad digits and/or speech from the caller."
    channel = "voice"
    properties = [
        Prop("say", "string", liquid=True, label="Text to say"),
        Prop("play", "string", liquid=True, label="URL of audio file"),
        Prop("voice", "string", liquid=True, label="Voice"),
        Prop("language", "string", liquid=True, default="en-US", label="Language"),
        Prop("loop", "integer", minimum=1, maximum=99, default=1, label="Number of loops"),
        # Docs say 0-30, [TF-RJP] says 1-30; 0 is accepted (the more permissive reading).
        Prop("timeout", "integer", minimum=0, maximum=30, default=5, label="Stop gathering after (seconds)"),
        Prop("finish_on_key", "string", pattern=r"[0-9#*]?", default="#", label="Finish on key"),
        Prop("stop_gather", "boolean", default=True, label="Stop gathering on keypress"),
        Prop("number_of_digits", "integer", minimum=0, maximum=30, label="Number of digits"),
        Prop("gather_language", "string", liquid=True, default="en-US", label="Speech recognition language"),
        Prop(
            "speech_timeout",
            "string",
            pattern=r"auto|\d+",
            default="auto",
            label="Speech timeout",
            description='"auto" or seconds as a string',
        ),
        Prop("speech_model", "string", liquid=True, label="Speech model"),
        Prop("hints", "string", liquid=True, label="Hints", description="Comma-separated phrases"),
        Prop(
            "profanity_filter",
            "boolean",
            string_encoded=True,
            default="true",
            label="Profanity filter",
        ),
    ]
    events = ["keypress", "speech", "timeout"]
    outputs = [
        "Digits",
        "SpeechResult",
        "Confidence",
        *CALL_PARAMS,
        "CallerCity",
        "CallerCountry",
        "CallerState",
        "CallerZip",
        "CalledCity",
        "CalledCountry",
        "CalledState",
        "CalledZip",
        "FromCity",
        "FromCountry",
        "FromState",
        "FromZip",
        "ToCity",
        "ToCountry",
        "ToState",
        "ToZip",
    ]
    open_outputs = True
    name_prefix = "gather"

    @classmethod
    def check_rules(cls, properties: dict[str, Any]) -> list[Problem]:
        if not is_blank(properties.get("say")) and not is_blank(properties.get("play")):
            return [Problem("play", "only one of say or play may be set", "exclusive")]
        return []

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        out = super().defaults()
        out["say"] = ""
        return out

    # -- runtime: <Gather action=callback> with the prompt nested, then a <Redirect> for the
    # timeout (Twilio falls through to the next verb when nothing was entered).

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        props = call.properties
        digits = as_int(props.get("number_of_digits"), None)
        speech_timeout = props.get("speech_timeout")
        gather = node(
            "Gather",
            None,
            action=call.services.callback_url(call.name),
            method="POST",
            input=["dtmf", "speech"],
            timeout=as_int(props.get("timeout"), 5),
            finish_on_key=props.get("finish_on_key") if props.get("finish_on_key") is not None else "#",
            num_digits=digits if digits else None,
            barge_in=truthy(props.get("stop_gather"), True),
            language=props.get("gather_language") or None,
            speech_timeout=str(speech_timeout) if not is_blank(speech_timeout) else "auto",
            speech_model=props.get("speech_model") or None,
            hints=props.get("hints") or None,
            profanity_filter=truthy(props.get("profanity_filter"), True),
        )
        if props.get("finish_on_key") == "":
            # An emptied "Stop gathering on key" means no finish key at all (corpus 17):
            # finishOnKey="" — leaving the attribute out would make Twilio stop on "#".
            gather.set("finish_on_key", "")
        add_prompt(gather, props)
        return Outcome(twiml=[xml(gather), redirect_back(call, "timeout")], wait=WaitSpec())

    @classmethod
    def resume(cls, call: WidgetCall) -> Outcome | None:
        inbound = call.inbound
        if inbound is None or inbound.kind != "callback" or is_hangup(inbound):
            return None  # no hangup transition on Gather: the engine logs 81002
        payload = inbound.payload
        outputs = outputs_of(payload)
        if studio_event(inbound) != "timeout":
            if not is_blank(payload.get("Digits")):
                return Outcome(event="keypress", outputs=outputs)
            if not is_blank(payload.get("SpeechResult")):
                return Outcome(event="speech", outputs=outputs)
        return Outcome(event="timeout", outputs=outputs)
