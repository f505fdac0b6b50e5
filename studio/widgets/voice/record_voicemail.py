from __future__ import annotations

from studio.widgets.props import Prop
from studio.widgets.runtime import Outcome, WaitSpec, WidgetCall
from studio.widgets.voice.voice_twiml import (
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


class RecordVoicemail(Widget):
    type = "record-voicemail"
    family = "Voice"
    label = "Record Voicemail"
    description = "Record the caller's message."
    channel = "voice"
    properties = [
        Prop("timeout", "integer", minimum=0, default=5, label="Stop recording after silence (seconds)"),
        Prop("finish_on_key", "string", pattern=r"[0-9#*]*", default="#", label="Stop recording on key"),
        Prop(
            "max_length",
            "integer",
            minimum=1,
            maximum=14400,
            default=3600,
            label="Max recording length (seconds)",
        ),
        Prop("transcribe", "boolean", default=False, label="Transcribe"),
        Prop("transcription_callback_url", "string", liquid=True, label="Transcription callback URL"),
        Prop(
            "trim",
            "enum",
            allowed=("trim-silence", "do-not-trim"),
            default="trim-silence",
            label="Trim silence",
        ),
        Prop("play_beep", "boolean", string_encoded=True, default="true", label="Play beep"),
        Prop("recording_status_callback_url", "string", liquid=True, label="Recording status callback URL"),
    ]
    # noAudio only fires on legacy accounts per the docs; exports still list it.
    events = ["recordingComplete", "noAudio", "hangup"]
    outputs = [
        "AccountSid",
        "ApiVersion",
        "CallSid",
        "CallStatus",
        "Channels",
        "DateCreated",
        "DateUpdated",
        "Price",
        "PriceUnit",
        "RecordingUrl",
        "RecordingSid",
        "RecordingDuration",
        "Sid",
        "Source",
        "Uri",
        "Digits",
    ]
    open_outputs = True

    # -- runtime: <Record action=callback>, then a <Redirect> that only runs when nothing was
    # recorded (Twilio skips the action of an empty recording and goes on with the next verb).

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        props = call.properties
        transcribe = truthy(props.get("transcribe"))
        record = node(
            "Record",
            None,
            action=call.services.callback_url(call.name),
            method="POST",
            timeout=as_int(props.get("timeout"), 5),
            finish_on_key=props.get("finish_on_key") or None,
            max_length=as_int(props.get("max_length"), 3600),
            play_beep=truthy(props.get("play_beep"), True),
            trim=props.get("trim") or "trim-silence",
            transcribe=True if transcribe else None,
            transcribe_callback=(props.get("transcription_callback_url") or None) if transcribe else None,
            recording_status_callback=props.get("recording_status_callback_url") or None,
        )
        return Outcome(twiml=[xml(record), redirect_back(call, "noAudio")], wait=WaitSpec())

    @classmethod
    def resume(cls, call: WidgetCall) -> Outcome | None:
        inbound = call.inbound
        if inbound is None or inbound.kind not in ("callback", "call_status"):
            return None
        payload = inbound.payload
        outputs = outputs_of(payload)
        if payload.get("RecordingSid"):
            outputs.setdefault("Sid", payload["RecordingSid"])
            outputs.setdefault(
                "Uri",
                f"/2010-04-01/Accounts/{payload.get('AccountSid', '')}"
                f"/Recordings/{payload['RecordingSid']}.json",
            )
            outputs.setdefault("Source", "RecordVerb")
            outputs.setdefault("Channels", 1)
        if payload.get("Digits") == "hangup" or is_hangup(inbound):
            return Outcome(event="hangup", outputs=outputs)
        if studio_event(inbound) == "noAudio":
            return Outcome(event="noAudio", outputs=outputs)
        return Outcome(event="recordingComplete", outputs=outputs)
