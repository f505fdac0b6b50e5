from __future__ import annotations

from studio.widgets.base import Prop, Widget, kv_array


class ConnectVirtualAgentV2(Widget):
    """Dialogflow CX connector. Property keys come from [AI-SKILL] only (spec open question 4),
    so keys beyond them are kept without warnings."""

    type = "connect-virtual-agent-v2"
    family = "Voice"
    label = "Connect Virtual Agent"
    description = "Hand the call or conversation to a Dialogflow CX virtual agent."
    channel = "any"
    properties = [
        Prop("channel", "enum", allowed=("voice", "conversations"), default="voice", label="Channel"),
        Prop("connector_name", "string", required=True, label="Connector name"),
        kv_array("configurations", "Configurations"),
        kv_array("parameters", "Parameters"),
        Prop("status_callback", "string", liquid=True, label="Status callback URL"),
        Prop(
            "status_callback_method",
            "enum",
            allowed=("GET", "POST"),
            default="POST",
            label="Status callback method",
        ),
        Prop("timeout", "integer", string_encoded=True, minimum=0, label="Timeout (seconds)"),
        Prop("session_behavior", "string", label="Session behaviour"),
        Prop("resume_session_identification_method", "string", label="Resume session identified by"),
        Prop("resume_session_identification_value", "string", liquid=True, label="Resume session value"),
        Prop("resume_session_event_name", "string", liquid=True, label="Resume session event name"),
    ]
    events = ["completed", "live-agent-handoff", "hangup", "failed", "paused", "timeout"]
    outputs = [
        "VirtualAgentProvider",
        "VirtualAgentStatus",
        "VirtualAgentProviderData",
        "VirtualAgentError",
        "VirtualAgentErrorCode",
    ]
    open_outputs = True
    open_properties = True
    name_prefix = "virtual_agent"
