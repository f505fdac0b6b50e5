from __future__ import annotations

from studio.widgets.runtime import Outcome, WidgetCall
from studio.widgets.widget import Widget


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

    # -- runtime ---------------------------------------------------------------------------

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        # The engine sets trigger_kind to the event that started the execution; trigger.* is
        # already in the context, so the trigger stores no outputs.
        return Outcome(event=call.trigger_kind or "incomingRequest")
