"""The execution context (spec §4): the namespaces every template and widget sees."""

from __future__ import annotations

import copy
import json
from typing import Any

from accounts.input_guards import parse_json

TRIGGER_NAMESPACES = {
    "incomingMessage": "message",
    "incomingCall": "call",
    "incomingConversationMessage": "conversation",
    "incomingRequest": "request",
    "incomingParent": "parent",
}

# Attributes Studio parses as JSON in trigger payloads (channel/conversation level only).
_JSON_PARAMS = ("ChannelAttributes", "AddOns")


def trigger_payload(params: dict[str, Any]) -> dict[str, Any]:
    """Webhook parameters as they appear under ``trigger.message|call|conversation``."""
    out: dict[str, Any] = dict(params)
    if out.get("ConversationSid"):
        # A Conversations webhook says `Author`, not `From`; Studio documents
        # `trigger.conversation.From` and `.ChannelSid` (spec §4.2) and real flows read them
        # (corpus 20: `{{trigger.conversation.From}}`). Unverified: the exact mapping — From is
        # the message author, ChannelSid the conversation.
        if not out.get("From") and out.get("Author"):
            out["From"] = out["Author"]
        if not out.get("ChannelSid"):
            out["ChannelSid"] = out["ConversationSid"]
    for key in _JSON_PARAMS:
        value = out.get(key)
        if isinstance(value, str) and value.strip():
            try:
                out[key] = parse_json(value)
            except ValueError:
                pass
    return out


def initial_context(
    *,
    flow_sid: str,
    execution_sid: str,
    trigger_event: str,
    trigger: dict[str, Any],
    contact_address: str,
    channel_address: str,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    namespace = TRIGGER_NAMESPACES.get(trigger_event, "request")
    channel: dict[str, Any] = {"address": channel_address}
    if channel_address.startswith("CH") and namespace == "conversation":
        # A conversation's execution: flow.channel names it (spec §4.1), as Start Conversation's does.
        channel.update(
            sid=channel_address,
            type="conversation",
            status="active",
            details={"chat_service_sid": trigger.get("InstanceSid") or trigger.get("ChatServiceSid")},
        )
    return {
        "trigger": {namespace: trigger},
        "widgets": {},
        "flow": {
            "flow_sid": flow_sid,
            "sid": execution_sid,
            "channel": channel,
            "data": dict(data or {}),
            "variables": {},
        },
        "contact": {"channel": {"address": contact_address}},
    }


def snapshot(context: dict[str, Any]) -> dict[str, Any]:
    """A detached copy (steps keep the context as it was when they ended). The context is JSON
    data, and a JSON round trip copies it several times faster than ``copy.deepcopy``."""
    return snapshot_with_json(context)[0]


def snapshot_with_json(context: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """``snapshot`` and the JSON text it was copied through (None when the context is not JSON
    data and was deep-copied): a step's row reuses the text instead of encoding the copy again."""
    try:
        text = json.dumps(context, separators=(",", ":"))
        copied: dict[str, Any] = json.loads(text)
    except (TypeError, ValueError):
        return copy.deepcopy(context), None
    return copied, text


def summary(context: dict[str, Any], widget: str) -> dict[str, Any]:
    """What live events carry: the widget's outputs and the flow variables, not the whole context."""
    return {
        "widget": (context.get("widgets") or {}).get(widget),
        "variables": (context.get("flow") or {}).get("variables", {}),
    }


def step_payload(execution: Any, step: Any) -> dict[str, Any]:
    """A step as the live monitor receives it (``type: "step"``). ``transitioned_from`` /
    ``transitioned_to`` are the Step resource's names; ``from`` / ``to`` (the same values) are
    what the console's monitor reads."""
    return {
        "type": "step",
        "flow_sid": execution.flow.sid,
        "execution_sid": execution.sid,
        "execution_status": execution.status,
        "step_sid": step.sid,
        "name": step.name,
        "transitioned_from": step.transitioned_from,
        "transitioned_to": step.transitioned_to,
        "from": step.transitioned_from,
        "to": step.transitioned_to,
        "widget_type": step.type,
        "context": summary(step.context, step.transitioned_from),
        "error": step.context.get("error"),
        "date_created": step.date_created.isoformat() if step.date_created else None,
    }


def execution_payload(
    execution: Any, event: str, *, status: str, previous_status: str | None, outcome: str | None = None
) -> dict[str, Any]:
    """An execution's lifecycle as the live monitor receives it (``type: "execution"``):
    ``started`` (status ``active``) before its first steps, ``ended`` (``active`` → ``ended``,
    ``outcome`` ``completed`` or ``failed``) after its last. The dates are stamped when the rows
    are written (``Writes.flush``)."""
    return {
        "type": "execution",
        "event": event,
        "flow_sid": execution.flow.sid,
        "execution_sid": execution.sid,
        "status": status,
        "previous_status": previous_status,
        "contact_channel_address": execution.contact_channel_address,
        "flow_version": execution.flow_version,
        "trigger_event": execution.trigger_event,
        "outcome": outcome,
        "date_created": None,
        "date_updated": None,
        "date_ended": None,
    }
