from __future__ import annotations

from typing import Any

from studio.widgets.base import CALL_PARAMS, Problem, Prop, Widget, is_blank

DIGITS_PATTERN = r"[0-9A-DwW#*]+"


class SayPlay(Widget):
    type = "say-play"
    family = "Voice"
    label = "Say/Play"
    description = "Speak text, play an audio file or send DTMF digits on the call."
    channel = "voice"
    properties = [
        Prop("say", "string", liquid=True, label="Text to say", description="Liquid and SSML allowed."),
        Prop("play", "string", liquid=True, label="URL of audio file"),
        Prop("digits", "string", liquid=True, pattern=DIGITS_PATTERN, label="Digits"),
        Prop("voice", "string", liquid=True, label="Voice", description="e.g. alice, Polly.Mia-Neural"),
        Prop("language", "string", liquid=True, default="en-US", label="Language"),
        Prop("loop", "integer", minimum=1, maximum=99, default=1, label="Number of loops"),
    ]
    events = ["audioComplete"]
    outputs = ["language", "voice", *CALL_PARAMS]
    open_outputs = True

    @classmethod
    def check_rules(cls, properties: dict[str, Any]) -> list[Problem]:
        present = [k for k in ("say", "play", "digits") if not is_blank(properties.get(k))]
        if not present:
            return [Problem("say", "one of say, play or digits is required", "required")]
        if len(present) > 1:
            return [
                Problem(
                    present[1], f"only one of say, play or digits may be set (found {present})", "exclusive"
                )
            ]
        return []

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        out = super().defaults()
        out["say"] = ""
        return out
