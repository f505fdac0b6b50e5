from __future__ import annotations

from typing import Any

from studio.widgets.props import Problem, Prop, is_blank
from studio.widgets.runtime import Outcome, WaitSpec, WidgetCall
from studio.widgets.voice.voice_twiml import as_int, enqueue_event, node, outputs_of, xml
from studio.widgets.widget import Widget


class EnqueueCall(Widget):
    type = "enqueue-call"
    family = "Voice"
    label = "Enqueue Call"
    description = "Put the call in a queue or hand it to a TaskRouter workflow."
    channel = "voice"
    properties = [
        Prop("queue_name", "string", liquid=True, max_length=64, label="Queue name"),
        Prop("workflow_sid", "string", liquid=True, label="TaskRouter workflow SID"),
        Prop("task_attributes", "json-string", liquid=True, max_length=1024, label="Task attributes (JSON)"),
        Prop("priority", "integer", default=0, label="Task priority"),
        # Task TTL must stay under two weeks; absent = no timeout.
        Prop("timeout", "integer", minimum=0, maximum=1209599, label="Task timeout (seconds)"),
        Prop("wait_url", "string", liquid=True, label="Hold music TwiML URL"),
        Prop("wait_url_method", "enum", allowed=("GET", "POST"), default="GET", label="Hold music method"),
    ]
    events = ["callComplete", "failedToEnqueue", "callFailure"]
    outputs = [
        "AccountSid",
        "ApiVersion",
        "CallSid",
        "CallStatus",
        "CallerName",
        "Direction",
        "ForwardedFrom",
        "From",
        "ParentCallSid",
        "QueueResult",
        "QueueSid",
        "QueueTime",
        "To",
    ]
    open_outputs = True

    @classmethod
    def check_rules(cls, properties: dict[str, Any]) -> list[Problem]:
        has_queue = not is_blank(properties.get("queue_name"))
        has_workflow = not is_blank(properties.get("workflow_sid"))
        if not has_queue and not has_workflow:
            return [Problem("queue_name", "either queue_name or workflow_sid is required", "required")]
        if has_queue and has_workflow:
            return [
                Problem("workflow_sid", "queue_name and workflow_sid are mutually exclusive", "exclusive")
            ]
        return []

    # -- runtime: <Enqueue action=callback>; QueueResult picks the event ----------------------

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        props = call.properties
        workflow = str(props.get("workflow_sid") or "").strip()
        enqueue = node(
            "Enqueue",
            None if workflow else str(props.get("queue_name") or "").strip(),
            action=call.services.callback_url(call.name),
            method="POST",
            wait_url=props.get("wait_url") or None,
            wait_url_method=(props.get("wait_url_method") or "GET") if props.get("wait_url") else None,
            workflow_sid=workflow or None,
        )
        if workflow:
            enqueue.add(
                "Task",
                str(props.get("task_attributes") or "{}"),
                priority=as_int(props.get("priority"), None),
                timeout=as_int(props.get("timeout"), None),
            )
        return Outcome(twiml=[xml(enqueue)], wait=WaitSpec())

    @classmethod
    def resume(cls, call: WidgetCall) -> Outcome | None:
        inbound = call.inbound
        if inbound is None or inbound.kind != "callback":
            return None
        return Outcome(event=enqueue_event(inbound.payload), outputs=outputs_of(inbound.payload))
