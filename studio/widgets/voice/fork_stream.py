from __future__ import annotations

from typing import Any

from studio.widgets.props import Problem, Prop, is_blank, kv_array
from studio.widgets.runtime import Outcome, WidgetCall
from studio.widgets.voice.voice_twiml import kv_pairs, node, xml
from studio.widgets.widget import Widget


class ForkStream(Widget):
    type = "fork-stream"
    family = "Voice"
    label = "Fork Stream"
    description = "Start or stop streaming the call audio to a WebSocket or SIPREC connector."
    channel = "voice"
    properties = [
        Prop(
            "stream_action",
            "enum",
            required=True,
            allowed=("start", "stop"),
            default="start",
            label="Stream action",
        ),
        Prop("stream_name", "string", liquid=True, label="Stream name"),
        Prop(
            "stream_transport_type",
            "enum",
            allowed=("websocket", "siprec"),
            default="websocket",
            label="Stream type",
        ),
        Prop("stream_url", "string", liquid=True, label="Stream URL (wss://)"),
        # [RJP-SDK] (FlowValidate-tested) spells it `stream_connector`; [AI-SKILL] says
        # `stream_connector_name`. Both are accepted; the former is the one we write.
        Prop("stream_connector", "string", liquid=True, label="SIPREC connector name"),
        Prop("stream_connector_name", "string", liquid=True, label="SIPREC connector name (alias)"),
        Prop(
            "stream_track",
            "enum",
            allowed=("inbound_track", "outbound_track", "both_tracks"),
            default="inbound_track",
            label="Tracks",
        ),
        kv_array("stream_parameters", "Stream parameters"),
    ]
    events = ["next"]
    outputs = []
    name_prefix = "stream"

    @classmethod
    def check_rules(cls, properties: dict[str, Any]) -> list[Problem]:
        if properties.get("stream_action") != "start":
            if properties.get("stream_action") == "stop" and is_blank(properties.get("stream_name")):
                return [Problem("stream_name", "is required to stop a stream", "required")]
            return []
        if properties.get("stream_transport_type") == "siprec":
            if is_blank(properties.get("stream_connector")) and is_blank(
                properties.get("stream_connector_name")
            ):
                return [Problem("stream_connector", "is required for a SIPREC stream", "required")]
        elif is_blank(properties.get("stream_url")):
            return [Problem("stream_url", "is required to start a WebSocket stream", "required")]
        return []

    # -- runtime: <Start><Stream|Siprec> or <Stop>; never waits --------------------------------

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        p = call.properties
        name = p.get("stream_name") or None
        if p.get("stream_action") == "stop":
            stop = node("Stop")
            stop.add("Siprec" if p.get("stream_transport_type") == "siprec" else "Stream", name=name)
            return Outcome(event="next", twiml=[xml(stop)])
        start = node("Start")
        track = p.get("stream_track") or None
        if p.get("stream_transport_type") == "siprec":
            fork = start.add(
                "Siprec",
                name=name,
                connector_name=p.get("stream_connector") or p.get("stream_connector_name") or None,
                track=track,
            )
        else:
            fork = start.add("Stream", name=name, url=p.get("stream_url") or None, track=track)
        for key, value in kv_pairs(p.get("stream_parameters")):
            fork.add("Parameter", name=key, value=value)
        return Outcome(event="next", twiml=[xml(start)])
