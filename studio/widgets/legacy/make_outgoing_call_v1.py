from __future__ import annotations

from studio.widgets.props import Prop
from studio.widgets.voice.make_outgoing_call_v2 import MAKE_CALL_OUTPUTS
from studio.widgets.widget import Widget


class MakeOutgoingCallV1(Widget):
    """Superseded by make-outgoing-call-v2; existing flows keep it.

    Properties and events are a third-party reconstruction (spec §2.9, unverified), so other
    property keys are kept without complaint and the v1 extra events are accepted.
    """

    type = "make-outgoing-call-v1"
    family = "Legacy"
    label = "Make Outgoing Call (v1)"
    description = "Legacy outbound call widget, replaced by Make Outgoing Call (v2)."
    legacy = True
    channel = "voice"
    properties = [
        Prop(
            "to",
            "string",
            required=True,
            liquid=True,
            default="{{contact.channel.address}}",
            label="Number to call",
        ),
        Prop(
            "from",
            "string",
            required=True,
            liquid=True,
            default="{{flow.channel.address}}",
            label="Call from",
        ),
        Prop("record", "boolean", default=False, label="Record call"),
        Prop("timeout", "integer", minimum=0, maximum=600, default=60, label="Timeout (seconds)"),
    ]
    # [AI-SKILL]: v1 additionally had answeredByMachine and hangup (unverified).
    events = ["answered", "answeredByMachine", "busy", "noAnswer", "failed", "hangup"]
    outputs = MAKE_CALL_OUTPUTS
    open_outputs = True
    open_properties = True
