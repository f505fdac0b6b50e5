from __future__ import annotations

from typing import Any

from studio.widgets.props import Prop
from studio.widgets.runtime import ConversationError, Outcome, WidgetCall
from studio.widgets.widget import Widget

CONVERSATION_OUTPUTS = [
    "conversation.sid",
    "conversation.friendly_name",
    "conversation.chat_service_sid",
    "conversation.state",
    "conversation.attributes",
    "webhook_sid",
    "close_channel_on_execution_end",
]

PARTICIPANT_FIELDS: tuple[Prop, ...] = (
    # Exports write "messaging"; [AI-SKILL] also mentions chat/sms — free text.
    Prop("type", "string", required=True, label="Participant type"),
    Prop("messaging_binding_address", "string", liquid=True, label="Address"),
    Prop("messaging_binding_proxy_address", "string", liquid=True, label="Proxy address"),
    Prop("identity", "string", liquid=True, label="Chat identity"),
)

ISO_DURATION = r"P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?"


class StartConversation(Widget):
    type = "start-conversation"
    family = "Conversations"
    label = "Start Conversation"
    description = "Create a Conversation for a REST-triggered execution; inbound messages resume the flow."
    channel = "messaging"
    rest_only = True
    properties = [
        Prop(
            "conversation_service_sid", "string", liquid=True, label="Conversation service", description="IS…"
        ),
        Prop("participants", "array", fields=PARTICIPANT_FIELDS, default=[], label="Participants"),
        Prop("timers_inactive", "string", pattern=ISO_DURATION, label="Inactive timer (ISO-8601 duration)"),
        Prop("timers_closed", "string", pattern=ISO_DURATION, label="Closed timer (ISO-8601 duration)"),
        Prop("close_conversation_on_execution_end", "boolean", default=False, label="Close on execution end"),
        Prop("friendly_name", "string", liquid=True, label="Friendly name"),
        Prop("attributes", "json-string", liquid=True, label="Attributes (JSON)"),
        Prop("messaging_service_sid", "string", liquid=True, label="Messaging service", description="MG…"),
        Prop("webhook_filters", "string", label="Webhook filters"),
    ]
    events = ["created", "failed"]
    outputs = CONVERSATION_OUTPUTS
    open_outputs = True
    # Keys beyond the exported ones are known from [AI-SKILL] only.
    open_properties = True
    name_prefix = "start_conversation"
    failure_event = "failed"

    # -- runtime: the engine's Conversations plug creates it; inbound messages resume the flow --
    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        return adopt(call, "created", lambda: call.services.start_conversation(dict(call.properties)))


def adopt(call: WidgetCall, event: str, attach: Any) -> Outcome:
    """Start/Resume Conversation: ``event`` with the conversation's outputs, ``failed`` (and
    the reason on the execution log) when the plug refuses."""
    try:
        found = attach()
    except ConversationError as exc:
        return Outcome(event="failed", outputs={"error": str(exc)}, warnings=[(81006, f"{call.name}: {exc}")])
    close = bool(call.properties.get("close_conversation_on_execution_end"))
    return Outcome(event=event, outputs={**found, "close_channel_on_execution_end": close})
