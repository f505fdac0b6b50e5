from __future__ import annotations

from typing import Any

from studio.widgets.base import CALL_PARAMS, Problem, Prop, Widget, is_blank


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
