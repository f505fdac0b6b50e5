from __future__ import annotations

from studio.widgets.base import Prop, Widget


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
