from __future__ import annotations

from studio.widgets.props import Prop, kv_array
from studio.widgets.runtime import Outcome, WaitSpec, WidgetCall
from studio.widgets.voice.voice_twiml import kv_pairs, node, outputs_of, truthy, xml
from studio.widgets.widget import Widget


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

    # -- runtime: <Connect action=callback><ConversationRelay>; the session's end resumes ----

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        p = call.properties
        connect = node("Connect", None, action=call.services.callback_url(call.name), method="POST")
        relay = connect.add(
            "ConversationRelay",
            url=str(p.get("url") or ""),
            welcome_greeting=p.get("welcome_greeting") or None,
            tts_provider=p.get("tts_provider") or None,
            voice=p.get("voice") or None,
            language=p.get("language") or None,
            transcription_provider=p.get("transcription_provider") or None,
            speech_model=p.get("speech_model") or None,
            dtmf_detection=truthy(p.get("dtmf_detection"))
            if p.get("dtmf_detection") not in (None, "")
            else None,
            interruptible=p.get("interruptible") or None,
        )
        for key, value in kv_pairs(p.get("parameters")):
            relay.add("Parameter", name=key, value=value)
        return Outcome(twiml=[xml(connect)], wait=WaitSpec())

    @classmethod
    def resume(cls, call: WidgetCall) -> Outcome | None:
        inbound = call.inbound
        if inbound is None or inbound.kind != "callback":
            return None
        payload = inbound.payload
        failed = str(payload.get("SessionStatus") or "") == "failed" or bool(payload.get("ErrorCode"))
        return Outcome(event="failed" if failed else "success", outputs=outputs_of(payload))
