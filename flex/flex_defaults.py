"""What Flex gives a new account: the "Flex Task Assignment" workspace (activities, channels,
the Everyone queue, the Assign to Anyone workflow) and three published Studio flows — Voice IVR,
Messaging Flow, WebChat Flow — each ending in Send to Flex on that workflow.

``seed_account`` is idempotent (an account that has the workspace is left alone). New accounts
get it from a ``post_save`` hook when ``settings.FLEX_SEED_NEW_ACCOUNTS`` is on; ``manage.py
flex_seed`` seeds existing ones (``make run`` does it for the demo account, with its console user
as an agent).
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from flex.defaults import FLEX_WORKSPACE, seed
from flex.models import Activity, TaskChannel, Worker, WorkerChannel, Workflow, Workspace

VOICE_ATTRIBUTES = '{"type": "inbound", "name": "{{trigger.call.From}}"}'
# A text (trigger.message) or a conversation's message (trigger.conversation): one of each pair
# renders empty. A conversation's task also gets ``conversationSid`` and, for what the template
# leaves empty (``channelType``, ``to``), the customer's fields Send to Flex adds on Twilio
# (executions.engine.services: channelType, customerAddress, from, name, customerName).
MESSAGE_ATTRIBUTES = (
    '{"name": "{{trigger.message.From}}{{trigger.conversation.From}}", '
    '"channelType": "{{trigger.message.ChannelAttributes.channel_type}}", '
    '"channelSid": "{{trigger.message.ChannelSid}}{{trigger.conversation.ChannelSid}}", '
    '"from": "{{trigger.message.From}}{{trigger.conversation.From}}", '
    '"to": "{{trigger.message.To}}", "body": "{{trigger.message.Body}}{{trigger.conversation.Body}}"}'
)


def _state(
    name: str, type_: str, transitions: list[dict[str, Any]], x: int, y: int, **props: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "type": type_,
        "transitions": transitions,
        "properties": {**props, "offset": {"x": x, "y": y}},
    }


def flex_flow(
    description: str,
    trigger_event: str | tuple[str, ...],
    widget: str,
    workflow: str,
    channel: str,
    attrs: str,
) -> dict[str, Any]:
    """A Studio flow whose trigger hands the contact to Flex (Send to Flex, priority 0)."""
    wanted = (trigger_event,) if isinstance(trigger_event, str) else trigger_event
    events = [
        "incomingMessage",
        "incomingCall",
        "incomingConversationMessage",
        "incomingRequest",
        "incomingParent",
    ]
    trigger = [{"event": e, "next": widget} if e in wanted else {"event": e} for e in events]
    return {
        "description": description,
        "initial_state": "Trigger",
        "flags": {"allow_concurrent_calls": True},
        "states": [
            _state("Trigger", "trigger", trigger, 0, 0),
            _state(
                widget,
                "send-to-flex",
                [{"event": "callComplete"}, {"event": "failedToEnqueue"}, {"event": "callFailure"}],
                20,
                200,
                workflow=workflow,
                channel=channel,
                attributes=attrs,
            ),
        ],
    }


def default_flows(workflow: Workflow) -> list[tuple[str, dict[str, Any]]]:
    channels = {c.unique_name: c.sid for c in TaskChannel.objects.filter(workspace=workflow.workspace)}
    return [
        (
            "Voice IVR",
            flex_flow(
                "Voice IVR",
                "incomingCall",
                "SendCallToAgent",
                workflow.sid,
                channels["voice"],
                VOICE_ATTRIBUTES,
            ),
        ),
        (
            "Messaging Flow",
            flex_flow(
                "Messaging Flow",
                ("incomingMessage", "incomingConversationMessage"),  # texts, and Address Configurations
                "SendMessageToAgent",
                workflow.sid,
                channels["sms"],
                MESSAGE_ATTRIBUTES,
            ),
        ),
        ("WebChat Flow", webchat_flow(workflow.sid, channels["chat"])),
    ]


PRE = "trigger.conversation.ChannelAttributes.pre_engagement_data"
WEBCHAT_NAME = (
    "{% if widgets.AskName.inbound.Body %}{{widgets.AskName.inbound.Body}}"
    "{% elsif "
    + PRE
    + ".friendlyName %}{{"
    + PRE
    + ".friendlyName}}{% else %}{{trigger.conversation.Author}}{% endif %}"
)
# The web chat's pre-engagement form lands in the conversation's attributes (webchat.visitors);
# the task gets its answers as Flex's does, under pre_engagement_data, beside the name.
WEBCHAT_ATTRIBUTES = (
    '{"name": "' + WEBCHAT_NAME + '", "channelType": "web", "from": "{{trigger.conversation.Author}}", '
    '"pre_engagement_data": {"friendlyName": "' + WEBCHAT_NAME + '", '
    '"question": "{{' + PRE + '.question}}"}}'
)


def webchat_flow(workflow_sid: str, channel_sid: str) -> dict[str, Any]:
    """Flex's WebChat Flow on Conversations: a visitor's first message starts it; it asks for a
    name when the pre-engagement form gave none, then hands the conversation to an agent."""
    definition = flex_flow(
        "WebChat Flow",
        "incomingConversationMessage",
        "HasName",
        workflow_sid,
        channel_sid,
        WEBCHAT_ATTRIBUTES,
    )
    to_agent = definition["states"][1]
    to_agent["name"] = "SendMessageToAgent"
    to_agent["properties"]["offset"] = {"x": 20, "y": 640}
    has_name = _state(
        "HasName",
        "split-based-on",
        [
            {"event": "noMatch", "next": "AskName"},
            {
                "event": "match",
                "next": "SendMessageToAgent",
                "conditions": [
                    {
                        "friendly_name": "Named",
                        "arguments": ["{{" + PRE + ".friendlyName}}"],
                        "type": "is_not_blank",
                        "value": "Is Not Blank",
                    }
                ],
            },
        ],
        20,
        200,
        input="{{" + PRE + ".friendlyName}}",
    )
    ask_name = _state(
        "AskName",
        "send-and-wait-for-reply",
        [
            {"event": "incomingMessage", "next": "SendMessageToAgent"},
            {"event": "timeout"},
            {"event": "deliveryFailure"},
        ],
        -300,
        420,
        body="Thanks for reaching out! Before I connect you with an agent, what's your name?",
        timeout="3600",
        **{"from": "{{flow.channel.address}}"},
    )
    definition["states"] = [definition["states"][0], has_name, ask_name, to_agent]
    return definition


def agent_for(workspace: Workspace, user: Any) -> Worker:
    """The console user as a worker of the workspace (``contact_uri`` ``client:<username>``)."""
    uri = f"client:{user.get_username()}"
    for worker in Worker.objects.filter(workspace=workspace, attributes__contains=json.dumps(uri)):
        if worker.attrs().get("contact_uri") == uri:
            return worker
    offline = workspace.default_activity or Activity.objects.get(workspace=workspace, friendly_name="Offline")
    now = timezone.now()
    worker = Worker.objects.create(
        workspace=workspace,
        friendly_name=user.get_username(),
        attributes=json.dumps(
            {"contact_uri": uri, "full_name": user.get_username(), "routing": {"skills": []}}
        ),
        activity=offline,
        available=offline.available,
        date_status_changed=now,
        idle_since=now,
    )
    WorkerChannel.objects.bulk_create(
        WorkerChannel(worker=worker, task_channel=c) for c in TaskChannel.objects.filter(workspace=workspace)
    )
    return worker


def seed_account(account: Account, user: Any = None) -> Workspace:
    from studio.models import Flow
    from studio.revisions import create_flow

    with transaction.atomic():
        workspace = Workspace.objects.filter(account=account, friendly_name=FLEX_WORKSPACE).first()
        if workspace is None:
            workspace = Workspace.objects.create(account=account, friendly_name=FLEX_WORKSPACE)
            seed(workspace)
            workflow = Workflow.objects.get(workspace=workspace, friendly_name="Assign to Anyone")
            for name, definition in default_flows(workflow):
                if not Flow.objects.filter(account=account, friendly_name=name).exists():
                    create_flow(
                        account, friendly_name=name, definition=definition, status=Flow.Status.PUBLISHED
                    )
        if user is not None:
            agent_for(workspace, user)
    return workspace
