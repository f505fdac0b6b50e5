"""Flow definitions and small factories shared by the flows tests."""

from __future__ import annotations

import copy
import json
from typing import Any

from accounts.models import Account
from studio import revisions
from studio.models import Flow

MESSAGE_FLOW: dict[str, Any] = {
    "description": "Reply once",
    "states": [
        {
            "name": "Trigger",
            "type": "trigger",
            "transitions": [
                {"event": "incomingMessage", "next": "send_reply"},
                {"event": "incomingCall"},
                {"event": "incomingRequest"},
            ],
            "properties": {"offset": {"x": 0, "y": 0}},
        },
        {
            "name": "send_reply",
            "type": "send-message",
            "transitions": [{"event": "sent"}, {"event": "failed"}],
            "properties": {
                "offset": {"x": 20, "y": 200},
                "service": "{{trigger.message.InstanceSid}}",
                "channel": "{{trigger.message.ChannelSid}}",
                "from": "{{flow.channel.address}}",
                "to": "{{contact.channel.address}}",
                "body": "Hello {{trigger.message.Body}}",
            },
        },
    ],
    "initial_state": "Trigger",
    "flags": {"allow_concurrent_calls": True},
}

# An event the trigger does not have: Twilio's 81022 ("must be a constant value").
BROKEN_FLOW: dict[str, Any] = {
    **copy.deepcopy(MESSAGE_FLOW),
    "states": [
        {
            "name": "Trigger",
            "type": "trigger",
            "transitions": [{"event": "incomingTelegram"}],
            "properties": {"offset": {"x": 0, "y": 0}},
        }
    ],
}


def message_flow(body: str = "Hello {{trigger.message.Body}}") -> dict[str, Any]:
    definition = copy.deepcopy(MESSAGE_FLOW)
    definition["states"][1]["properties"]["body"] = body
    return definition


def broken_flow() -> dict[str, Any]:
    return copy.deepcopy(BROKEN_FLOW)


def as_json(definition: dict[str, Any]) -> str:
    return json.dumps(definition)


def make_flow(
    account: Account,
    name: str = "Support",
    *,
    status: str = "published",
    definition: dict[str, Any] | None = None,
) -> Flow:
    flow, _ = revisions.create_flow(
        account, friendly_name=name, definition=definition or message_flow(), status=status
    )
    return flow
