from __future__ import annotations

from studio.widgets.base import Outcome, Prop, WaitSpec, Widget, WidgetCall
from studio.widgets.voice_twiml import as_int, enqueue_event, node, on_call, outputs_of, xml


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
    # a Task through executions.backends.flex_gateway.FlexGateway (``run_message``).

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

    # -- runtime, messaging branch (tools side): a Task through executions.backends.flex_gateway.FlexGateway --

    @classmethod
    def run_message(cls, call: WidgetCall) -> Outcome:
        from executions.backends.flex_gateway import send_message_task

        return send_message_task(call)
