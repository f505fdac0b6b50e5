from __future__ import annotations

from studio.widgets.props import Prop, kv_array
from studio.widgets.runtime import Outcome, WaitSpec, WidgetCall
from studio.widgets.voice.voice_twiml import as_int, is_hangup, kv_pairs, node, virtual_agent_outputs, xml
from studio.widgets.widget import Widget

STATUS_EVENTS = {
    "completed": "completed",
    "live-agent-handoff": "live-agent-handoff",
    "failed": "failed",
    "paused": "paused",
}


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

    # -- runtime: <Connect action=callback><VirtualAgent>; VirtualAgentStatus picks the event --

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        p = call.properties
        connect = node("Connect", None, action=call.services.callback_url(call.name), method="POST")
        agent = connect.add(
            "VirtualAgent",
            connector_name=str(p.get("connector_name") or ""),
            status_callback=p.get("status_callback") or None,
            status_callback_method=(p.get("status_callback_method") or "POST")
            if p.get("status_callback")
            else None,
        )
        for key, value in kv_pairs(p.get("configurations")):
            agent.add("Config", name=key, value=value)
        for key, value in kv_pairs(p.get("parameters")):
            agent.add("Parameter", name=key, value=value)
        timeout = as_int(p.get("timeout"), None)
        return Outcome(
            twiml=[xml(connect)], wait=WaitSpec(timeout_seconds=float(timeout) if timeout else None)
        )

    @classmethod
    def resume(cls, call: WidgetCall) -> Outcome | None:
        inbound = call.inbound
        if inbound is None:
            return None
        if inbound.kind == "timeout":
            return Outcome(event="timeout")
        if inbound.kind not in ("callback", "call_status"):
            return None
        outputs = virtual_agent_outputs(inbound.payload)
        status = str(inbound.payload.get("VirtualAgentStatus") or "")
        if status in STATUS_EVENTS:
            return Outcome(event=STATUS_EVENTS[status], outputs=outputs)
        if is_hangup(inbound):
            return Outcome(event="hangup", outputs=outputs)
        return Outcome(event="completed", outputs=outputs)
