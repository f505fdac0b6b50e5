from __future__ import annotations

from typing import Any

from studio.widgets.messaging.send_message import (
    COMMON_MESSAGE_PROPS,
    MESSAGE_OUTPUTS,
    check_message_rules,
    send,
)
from studio.widgets.props import Problem, Prop
from studio.widgets.runtime import Outcome, WaitSpec, WidgetCall
from studio.widgets.widget import Widget


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

    # -- runtime ---------------------------------------------------------------------------
    failure_event = "deliveryFailure"

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        contact = call.context.get("contact", {}).get("channel", {}).get("address") or ""
        outbound = send(call, str(contact))
        if outbound.get("Status") == "failed":
            return Outcome(event="deliveryFailure", outputs={"outbound": outbound})
        return Outcome(
            outputs={"outbound": outbound},
            wait=WaitSpec(
                timeout_seconds=timeout_seconds(call.properties.get("timeout")), data={"outbound": outbound}
            ),
        )

    @classmethod
    def resume(cls, call: WidgetCall) -> Outcome | None:
        inbound = call.inbound
        outbound = dict(call.state.get("outbound") or {})
        if inbound is None:
            return None
        if inbound.kind == "message":
            return Outcome(
                event="incomingMessage", outputs={"outbound": outbound, "inbound": dict(inbound.payload)}
            )
        if inbound.kind == "timeout":
            return Outcome(event="timeout", outputs={"outbound": outbound})
        if inbound.kind == "message_status" and inbound.payload.get("MessageSid") == outbound.get("Sid"):
            status = str(inbound.payload.get("MessageStatus") or "")
            outbound["Status"] = status
            if inbound.payload.get("ErrorCode"):
                outbound["ErrorCode"] = inbound.payload.get("ErrorCode")
            if status in ("failed", "undelivered"):
                return Outcome(event="deliveryFailure", outputs={"outbound": outbound})
            # A progress update (sent/delivered): keep waiting, same timer.
            return Outcome(outputs={"outbound": outbound})
        return None


def timeout_seconds(value: Any) -> float:
    try:
        seconds = float(str(value).strip())
    except (TypeError, ValueError):
        return 3600.0
    return seconds if seconds >= 0 else 3600.0
