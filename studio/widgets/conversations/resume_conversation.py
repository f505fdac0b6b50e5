from __future__ import annotations

from studio.widgets.conversations.start_conversation import CONVERSATION_OUTPUTS, adopt
from studio.widgets.props import Prop
from studio.widgets.runtime import Outcome, WidgetCall
from studio.widgets.widget import Widget


class ResumeConversation(Widget):
    """Property keys from [AI-SKILL] only (spec open question 4); other keys kept as is."""

    type = "resume-conversation"
    family = "Conversations"
    label = "Resume Conversation"
    description = "Attach a REST-triggered execution to an existing Conversation."
    channel = "messaging"
    rest_only = True
    properties = [
        Prop(
            "conversation_sid", "string", required=True, liquid=True, label="Conversation", description="CH…"
        ),
        Prop(
            "conversation_service_sid", "string", liquid=True, label="Conversation service", description="IS…"
        ),
        Prop("close_conversation_on_execution_end", "boolean", default=False, label="Close on execution end"),
        Prop("webhook_filters", "string", label="Webhook filters"),
    ]
    events = ["resumed", "failed"]
    outputs = CONVERSATION_OUTPUTS
    open_outputs = True
    open_properties = True
    name_prefix = "resume_conversation"
    failure_event = "failed"

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        sid = str(call.properties.get("conversation_sid") or "")
        service = str(call.properties.get("conversation_service_sid") or "")
        return adopt(call, "resumed", lambda: call.services.resume_conversation(sid, service))
