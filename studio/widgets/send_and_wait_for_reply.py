from __future__ import annotations

from typing import Any

from studio.widgets.base import Problem, Prop, Widget
from studio.widgets.send_message import COMMON_MESSAGE_PROPS, MESSAGE_OUTPUTS, check_message_rules


class SendAndWaitForReply(Widget):
    type = "send-and-wait-for-reply"
    family = "Messaging"
    label = "Send & Wait For Reply"
    description = "Send a message to the contact and wait for the reply (or a timeout)."
    channel = "messaging"
    properties = [
        *COMMON_MESSAGE_PROPS,
        # Studio types this as a string ("3600"); integers are accepted on import. The upper
        # bound is the 30-day execution lifetime (docs advise at most 4 hours).
        Prop(
            "timeout",
            "integer",
            string_encoded=True,
            default="3600",
            minimum=0,
            maximum=30 * 24 * 3600,
            liquid=True,
            label="Stop gathering after (seconds)",
        ),
    ]
    events = ["incomingMessage", "timeout", "deliveryFailure"]
    outputs = [
        *MESSAGE_OUTPUTS,
        "inbound.Body",
        "inbound.From",
        "inbound.To",
        "inbound.MessageSid",
        "inbound.NumMedia",
        "inbound.MediaUrl0",
    ]
    open_outputs = True
    name_prefix = "send_and_reply"

    @classmethod
    def check_rules(cls, properties: dict[str, Any]) -> list[Problem]:
        return check_message_rules(properties)
