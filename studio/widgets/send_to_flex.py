from __future__ import annotations

from studio.widgets.base import Prop, Widget


class SendToFlex(Widget):
    type = "send-to-flex"
    family = "Connect Other Products"
    label = "Send to Flex"
    description = "Create a TaskRouter task for a Flex agent (incoming call or chat)."
    channel = "any"
    properties = [
        Prop("workflow", "string", required=True, label="Workflow", description="WW…"),
        Prop("channel", "string", required=True, label="Task channel", description="TC…"),
        Prop(
            "attributes",
            "json-string",
            liquid=True,
            max_length=1024,
            label="Attributes (JSON)",
            default='{"name": "{{trigger.message.ChannelAttributes.from}}", '
            '"channelType": "{{trigger.message.ChannelAttributes.channel_type}}", '
            '"channelSid": "{{trigger.message.ChannelSid}}"}',
        ),
        Prop("priority", "integer", string_encoded=True, liquid=True, label="Priority"),
        Prop(
            "timeout",
            "integer",
            string_encoded=True,
            minimum=0,
            maximum=1209600,
            liquid=True,
            default="3600",
            label="Timeout (seconds)",
        ),
        # camelCase keys are what Studio writes for this widget.
        Prop("waitUrl", "string", liquid=True, label="Hold music TwiML URL"),
        Prop("waitUrlMethod", "enum", allowed=("GET", "POST"), label="Hold music method"),
    ]
    events = ["callComplete", "failedToEnqueue", "callFailure"]
    # composerStarted appears only in [AI-SKILL] (unverified): accepted on import, not offered.
    extra_events = ["composerStarted"]
    outputs = ["Age", "Attributes", "TaskSid"]
    open_outputs = True
    name_prefix = "send_to_flex"
