from __future__ import annotations

from typing import Any

from studio.widgets.props import CALL_PARAMS, Problem, Prop, is_blank
from studio.widgets.runtime import Outcome, WaitSpec, WidgetCall
from studio.widgets.voice.voice_twiml import as_int, is_hangup, node, outputs_of, redirect_back, say_xml, xml
from studio.widgets.widget import Widget

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

    # -- runtime: <Say>/<Play> then a <Redirect> back; audioComplete when it is requested ----

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        props = call.properties
        loop = as_int(props.get("loop"), 1)
        loop_attr = loop if loop != 1 else None
        # The verb is the one the author configured (say, play or digits), chosen on the
        # property as written: a `say` whose Liquid renders empty (e.g. an optional message
        # read from an HTTP response) stays a Say — with no text there is nothing to speak, so
        # no verb is emitted and the call goes straight on (an empty <Say> is refused by
        # Twilio, 13520; it must never turn into a <Play> without a URL).
        kind = _configured(call)
        verbs: list[str] = []
        if kind == "say":
            if not is_blank(props.get("say")):
                verbs.append(
                    say_xml(
                        str(props["say"]),
                        voice=props.get("voice") or None,
                        language=props.get("language") or None,
                        loop=loop_attr,
                    )
                )
        elif kind == "play":
            if not is_blank(props.get("play")):
                verbs.append(xml(node("Play", str(props["play"]).strip(), loop=loop_attr)))
        elif not is_blank(props.get("digits")):
            verbs.append(xml(node("Play", None, digits=str(props.get("digits")).strip())))
        data = {"voice": props.get("voice") or "", "language": props.get("language") or "en-US"}
        return Outcome(twiml=[*verbs, redirect_back(call)], wait=WaitSpec(data=data))

    @classmethod
    def resume(cls, call: WidgetCall) -> Outcome | None:
        if call.inbound is None or is_hangup(call.inbound) or call.inbound.kind != "callback":
            return None
        extra = {"language": call.state.get("language", ""), "voice": call.state.get("voice", "")}
        return Outcome(event="audioComplete", outputs=outputs_of(call.inbound.payload, **extra))


def _configured(call: WidgetCall) -> str:
    """Which of say/play/digits the widget was given (as written, before Liquid)."""
    raw = (call.raw or {}).get("properties") or {}
    for key in ("say", "play", "digits"):
        if not is_blank(raw.get(key)):
            return key
    return "say"
