from __future__ import annotations

from studio.widgets.base import Prop, Widget


class ConnectVirtualAgent(Widget):
    """Dialogflow ES connector; unsupported by Twilio since 2024-05-27."""

    type = "connect-virtual-agent"
    family = "Legacy"
    label = "Connect Virtual Agent (Dialogflow ES)"
    description = "Legacy Dialogflow ES virtual agent; replaced by Connect Virtual Agent (CX)."
    legacy = True
    channel = "voice"
    properties = [
        Prop("connector", "string", required=True, label="Connector"),
        Prop("language", "string", liquid=True, default="en-US", label="Language"),
        Prop(
            "sentiment_analysis", "boolean", string_encoded=True, default="false", label="Sentiment analysis"
        ),
        Prop("status_callback", "string", liquid=True, label="Status callback URL"),
    ]
    events = ["return", "hangup"]
    outputs = []
    open_outputs = True
    name_prefix = "virtual_agent"
