from __future__ import annotations

from studio.widgets.props import Prop
from studio.widgets.runtime import Outcome, WaitSpec, WidgetCall
from studio.widgets.voice.voice_twiml import is_hangup, node, truthy, virtual_agent_outputs, xml
from studio.widgets.widget import Widget


class ConnectVirtualAgent(Widget):
    """Dialogflow ES connector; unsupported by Twilio since 2024-05-27."""

    type = "connect-virtual-agent"
    family = "Legacy"
    label = "Connect Virtual Agent (Dialogflow ES)"
    description = "Legacy Dialogflow ES virtual agent; replaced by Connect Virtual Agent (CX)."
    legacy = True
    legacy_error_code = 81020
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

    # -- runtime: <Connect action=callback><VirtualAgent>; return or hangup ------------------

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        p = call.properties
        connect = node("Connect", None, action=call.services.callback_url(call.name), method="POST")
        connect.add(
            "VirtualAgent",
            connector_name=str(p.get("connector") or ""),
            language=p.get("language") or None,
            sentiment_analysis=truthy(p.get("sentiment_analysis")),
            status_callback=p.get("status_callback") or None,
        )
        return Outcome(twiml=[xml(connect)], wait=WaitSpec())

    @classmethod
    def resume(cls, call: WidgetCall) -> Outcome | None:
        inbound = call.inbound
        if inbound is None or inbound.kind not in ("callback", "call_status"):
            return None
        event = "hangup" if is_hangup(inbound) else "return"
        return Outcome(event=event, outputs=virtual_agent_outputs(inbound.payload))
