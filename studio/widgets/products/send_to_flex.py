from __future__ import annotations

import json
from typing import Any

from accounts.input_guards import parse_json
from studio.widgets.props import Prop
from studio.widgets.runtime import FlexError, Outcome, WaitSpec, WidgetCall
from studio.widgets.voice.voice_twiml import as_int, enqueue_event, node, on_call, outputs_of, xml
from studio.widgets.widget import Widget


class SendToFlex(Widget):
    type = "send-to-flex"
    family = "Connect Other Products"
    label = "Send to Flex"
    description = "Create a TaskRouter task for a Flex agent (incoming call or chat)."
    channel = "any"
    properties = [
        Prop("workflow", "string", required=True, label="Workflow", description="WW…"),
        Prop("channel", "string", required=True, label="Task channel", description="TC…"),
        Prop(
            "attributes",
            "json-string",
            liquid=True,
            max_length=1024,
            label="Attributes (JSON)",
            default='{"name": "{{trigger.message.ChannelAttributes.from}}", '
            '"channelType": "{{trigger.message.ChannelAttributes.channel_type}}", '
            '"channelSid": "{{trigger.message.ChannelSid}}"}',
        ),
        Prop("priority", "integer", string_encoded=True, liquid=True, label="Priority"),
        Prop(
            "timeout",
            "integer",
            string_encoded=True,
            minimum=0,
            maximum=1209600,
            liquid=True,
            default="3600",
            label="Timeout (seconds)",
        ),
        # camelCase keys are what Studio writes for this widget.
        Prop("waitUrl", "string", liquid=True, label="Hold music TwiML URL"),
        Prop("waitUrlMethod", "enum", allowed=("GET", "POST"), label="Hold music method"),
    ]
    events = ["callComplete", "failedToEnqueue", "callFailure"]
    # composerStarted appears only in [AI-SKILL] (unverified): accepted on import, not offered.
    extra_events = ["composerStarted"]
    outputs = ["Age", "Attributes", "TaskSid"]
    open_outputs = True
    name_prefix = "send_to_flex"

    # -- runtime. Voice: <Enqueue workflowSid action=callback><Task>attributes</Task>; messaging:
    # a Task through executions.engine.ports.FlexGateway (``run_message``).

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        return cls.run_voice(call) if on_call(call) else cls.run_message(call)

    @classmethod
    def resume(cls, call: WidgetCall) -> Outcome | None:
        if call.state.get("channel") == "voice":
            return cls.resume_voice(call)
        return None  # a messaging task hands the contact over and ends; nothing comes back

    @classmethod
    def run_voice(cls, call: WidgetCall) -> Outcome:
        p = call.properties
        wait_url = p.get("waitUrl") or None
        enqueue = node(
            "Enqueue",
            None,
            action=call.services.callback_url(call.name),
            method="POST",
            workflow_sid=str(p.get("workflow") or ""),
            wait_url=wait_url,
            wait_url_method=(p.get("waitUrlMethod") or "POST") if wait_url else None,
        )
        enqueue.add(
            "Task",
            str(p.get("attributes") or "{}"),
            priority=as_int(p.get("priority"), None),
            timeout=as_int(p.get("timeout"), None),
        )
        return Outcome(twiml=[xml(enqueue)], wait=WaitSpec(data={"channel": "voice"}))

    @classmethod
    def resume_voice(cls, call: WidgetCall) -> Outcome | None:
        inbound = call.inbound
        if inbound is None or inbound.kind != "callback":
            return None
        return Outcome(event=enqueue_event(inbound.payload), outputs=outputs_of(inbound.payload))

    # -- runtime, messaging branch (tools side): a Task through executions.engine.ports.FlexGateway --

    @classmethod
    def run_message(cls, call: WidgetCall) -> Outcome:
        return send_message_task(call)


# -- messaging branch: a Task through the engine's Flex gateway (services.create_flex_task) --

MAX_ATTRIBUTES = 1024
MAX_TIMEOUT = 1_209_600
DEFAULT_TIMEOUT = 3600
MESSAGING_TRIGGERS = ("message", "conversation")


def _int(value: Any, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _refused(code: int, message: str) -> Outcome:
    return Outcome(event="failedToEnqueue", outputs={}, warnings=[(code, message)])


def send_message_task(call: WidgetCall) -> Outcome:
    """The messaging branch of ``send-to-flex``: create the Task, ``callComplete`` at once."""
    trigger = call.context.get("trigger") or {}
    channel = (call.context.get("flow") or {}).get("channel") or {}
    on_conversation = channel.get("type") == "conversation"  # Start/Resume Conversation attached one
    if not on_conversation and not any(key in trigger for key in MESSAGING_TRIGGERS):
        return _refused(81020, f"{call.name}: Send to Flex needs an incoming call or chat/message")
    props = call.properties
    text = str(props.get("attributes") or "{}")
    if len(text) > MAX_ATTRIBUTES:
        return _refused(81015, f"{call.name}: attributes exceed {MAX_ATTRIBUTES} characters")
    try:
        attributes = parse_json(text)
    except ValueError as exc:
        return _refused(81015, f"{call.name}: attributes are not valid JSON: {exc}")
    if not isinstance(attributes, dict):
        return _refused(81015, f"{call.name}: attributes must be a JSON object")
    priority = max(0, _int(props.get("priority"), 0))
    timeout = min(max(1, _int(props.get("timeout"), DEFAULT_TIMEOUT)), MAX_TIMEOUT)
    try:
        task_sid = call.services.create_flex_task(
            str(props.get("workflow") or "").strip(),
            str(props.get("channel") or "").strip(),
            attributes,
            priority,
            timeout,
        )
    except FlexError as exc:
        return _refused(81015, f"{call.name}: failed to create the task: {exc}")
    outputs = {"TaskSid": task_sid, "Attributes": json.dumps(attributes), "Age": 0}
    return Outcome(event="callComplete", outputs=outputs)
