from __future__ import annotations

from studio.widgets.base import Prop, Widget, kv_array


class RunConversationRelay(Widget):
    """Properties from [AI-SKILL] only; other keys are kept without warnings."""

    type = "run-conversation-relay"
    family = "Voice"
    label = "Conversation Relay"
    description = "Connect the call to an AI application over a ConversationRelay WebSocket."
    channel = "voice"
    properties = [
        Prop("url", "string", required=True, liquid=True, label="WebSocket URL (wss://)"),
        Prop("welcome_greeting", "string", liquid=True, label="Welcome greeting"),
        Prop("tts_provider", "string", label="Text-to-speech provider"),
        Prop("voice", "string", liquid=True, label="Voice"),
        Prop("language", "string", liquid=True, default="en-US", label="Language"),
        Prop("transcription_provider", "string", label="Transcription provider"),
        Prop("speech_model", "string", liquid=True, label="Speech model"),
        Prop("dtmf_detection", "boolean", string_encoded=True, label="DTMF detection"),
        Prop("interruptible", "string", label="Interruptible"),
        kv_array("parameters", "Custom parameters"),
    ]
    events = ["success", "failed"]
    outputs = ["HandoffData", "SessionId", "SessionStatus", "SessionDuration"]
    open_outputs = True
    open_properties = True
    name_prefix = "conversation_relay"
