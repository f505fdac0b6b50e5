from __future__ import annotations

from studio.widgets.props import Prop, kv_array
from studio.widgets.widget import Widget


class SendToAutoPilot(Widget):
    """Autopilot reached end of life; flows that use it import but cannot run here."""

    type = "send-to-auto-pilot"
    family = "Legacy"
    label = "Send to Autopilot"
    description = "Legacy: hand the conversation to a Twilio Autopilot assistant."
    legacy = True
    legacy_error_code = 81013
    channel = "any"
    properties = [
        Prop(
            "autopilot_assistant_sid", "string", required=True, label="Autopilot assistant", description="UA…"
        ),
        Prop("from", "string", liquid=True, default="{{flow.channel.address}}", label="From"),
        Prop("body", "string", liquid=True, default="{{trigger.message.Body}}", label="Body"),
        Prop("timeout", "integer", minimum=0, default=14400, label="Timeout (seconds)"),
        Prop("target_task", "string", liquid=True, label="Target task"),
        kv_array("memory_parameters", "Memory parameters"),
        Prop(
            "chat_service",
            "string",
            liquid=True,
            default="{{trigger.message.InstanceSid}}",
            label="Chat service",
        ),
        Prop(
            "chat_channel",
            "string",
            liquid=True,
            default="{{trigger.message.ChannelSid}}",
            label="Chat channel",
        ),
        Prop("chat_attributes", "json-string", liquid=True, label="Chat attributes"),
    ]
    events = ["sessionEnded", "failure", "timeout"]
    outputs = []
    open_outputs = True
    name_prefix = "autopilot"
