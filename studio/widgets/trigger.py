from __future__ import annotations

from studio.widgets.base import Widget


class Trigger(Widget):
    type = "trigger"
    family = "Flow Control"
    label = "Trigger"
    description = (
        "Start of the flow: an incoming message, call, conversation message, REST request or parent flow."
    )
    channel = "any"
    properties = []
    events = [
        "incomingMessage",
        "incomingCall",
        "incomingConversationMessage",
        "incomingRequest",
        "incomingParent",
    ]
    # The trigger fills trigger.* rather than widgets.Trigger.*.
    outputs = []
    name_prefix = "Trigger"
