"""Turning what an execution did into a golden scenario (``NAME.test.json``): "Save as test".

A simulator session is an execution: its trigger (the first inbound message, the REST request or
the call), what the contact did next (replies, fired timers, keys pressed, words said) and what
the flow did (the messages it sent after each of those, its steps, its final status). The
scenario replays the contact's side and expects the flow's side. HTTP responses the flow
received (Make HTTP Request, Run Function) are captured as stubs, in the order they came, from
the widgets' outputs in the steps' context: the replay never reaches the network.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any
from urllib.parse import urlsplit

from executions.models import Call, Execution, InboundEvent, Message, Step
from studio.models import FlowRevision

# Widgets whose outputs are an HTTP response (status_code, content_type, body).
HTTP_WIDGETS = ("make-http-request", "run-function")
# Parameters of every voice request: what is left is what the caller or a verb added.
CALL_KEYS = {
    "AccountSid",
    "ApiVersion",
    "CallSid",
    "CallStatus",
    "Called",
    "Caller",
    "Direction",
    "From",
    "To",
    "msg",
    "FinishedOnKey",
    "Confidence",
}
MEDIA_PREFIXES = ("NumMedia", "MediaUrl", "MediaContentType")


def media_params(params: dict[str, Any]) -> dict[str, str]:
    """The media of an inbound message (``NumMedia``, ``MediaUrl0``…), kept in the replay."""
    if str(params.get("NumMedia") or "0") in ("", "0"):
        return {}
    return {k: str(v) for k, v in params.items() if k.startswith(MEDIA_PREFIXES)}


def step_label(step: Step) -> str:
    return f"{step.transitioned_from}-{step.name}->{step.transitioned_to}"


def http_stubs(execution: Execution, steps: list[Step]) -> list[dict[str, Any]]:
    """One stub per HTTP response a widget received, answered once, in order."""
    revision = FlowRevision.objects.filter(flow_id=execution.flow_id, revision=execution.flow_version).first()
    definition = revision.definition if revision is not None else {}
    states = {s.get("name"): s for s in (definition.get("states") or [])}
    stubs: list[dict[str, Any]] = []
    for step in steps:
        state = states.get(step.transitioned_from) or {}
        if state.get("type") not in HTTP_WIDGETS or step.name == "error":
            continue
        out = ((step.context or {}).get("widgets") or {}).get(step.transitioned_from) or {}
        if "status_code" not in out:
            continue
        props = state.get("properties") or {}
        url = str(props.get("url") or props.get("function_url") or "")
        static = url.split("{{", 1)[0].split("{%", 1)[0]
        parts = urlsplit(static)
        prefix = f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else static
        stub: dict[str, Any] = {
            "url_prefix": prefix,
            "status": int(out["status_code"]),
            "body": out.get("body") if out.get("body") is not None else "",
            "once": True,
        }
        if out.get("content_type"):
            stub["content_type"] = str(out["content_type"])
        if state.get("type") == "make-http-request":
            stub["method"] = str(props.get("method") or "GET").upper()
        stubs.append(stub)
    return stubs


def _sent(execution: Execution) -> list[Message]:
    return list(Message.objects.filter(execution=execution).exclude(direction="inbound").order_by("id"))


def _messaging(execution: Execution, steps: list[Step]) -> dict[str, Any]:
    events = list(InboundEvent.objects.filter(execution_sid=execution.sid, kind="message").order_by("id"))
    spec: dict[str, Any] = {}
    # (when, turn): each turn's messages are those sent after it and before the next one.
    marks: list[tuple[dt.datetime, dict[str, Any]]] = []
    if execution.trigger_event == "incomingRequest":
        data = (execution.context.get("flow") or {}).get("data") or {}
        spec["trigger"] = {
            "type": "rest",
            "from": execution.channel_address,
            "to": execution.contact_channel_address,
            "parameters": data,
        }
        marks.append((execution.date_created, spec))
    elif events:
        first = events.pop(0)
        spec["trigger"] = {
            "type": "message",
            "from": first.contact_channel_address,
            "to": first.channel_address,
            "body": str((first.params or {}).get("Body") or ""),
        }
        if media_params(first.params or {}):
            spec["trigger"]["params"] = media_params(first.params or {})
        marks.append((first.date_created, spec))
    else:
        raise ValueError(f"execution {execution.sid} has no trigger this recorder knows")
    turns: list[dict[str, Any]] = []
    for ev in events:
        turn: dict[str, Any] = {"message": str((ev.params or {}).get("Body") or "")}
        if media_params(ev.params or {}):
            turn["params"] = media_params(ev.params or {})
        turns.append(turn)
        marks.append((ev.date_created, turns[-1]))
    for previous, step in zip(steps, steps[1:], strict=False):
        if step.name == "timeout":
            turns.append({"timeout": True})
            marks.append((previous.date_created, turns[-1]))  # its run starts after that step
    marks.sort(key=lambda m: m[0])
    ordered = [turn for _, turn in marks if turn is not spec]
    for _, holder in marks:
        holder["expect_messages"] = []
    for message in _sent(execution):
        holder = marks[0][1]
        for when, turn in marks:
            if when < message.date_created:
                holder = turn
        holder["expect_messages"].append({"to": message.to_address, "body": message.body})
    if ordered:
        spec["turns"] = ordered
    return spec


def _voice(execution: Execution, call: Call) -> dict[str, Any]:
    spec: dict[str, Any] = {"call": {"from": call.from_address, "to": call.to_address}}
    turns: list[dict[str, Any]] = []
    requests = list((call.transcript or {}).get("requests") or [])
    for entry in requests[1:]:
        params = entry.get("params") or {}
        if "Digits" in params:
            turns.append({"digits": params["Digits"]})
        elif "SpeechResult" in params:
            turns.append({"speech": params["SpeechResult"]})
        elif params.get("CallStatus") == "completed":
            turns.append({"hangup": True})
        else:
            extra = {k: v for k, v in params.items() if k not in CALL_KEYS}
            turns.append({"action": extra} if extra else {"redirect": True})
    if call.status in ("completed", "canceled") and not (turns and turns[-1].get("hangup")):
        turns.append({"hangup": True})
    # What the caller heard: each answer's TwiML must say what it said (the Says that followed
    # each request, request 0 being the ring, request k the k-th turn's).
    said: dict[int, list[str]] = {}
    index = -1
    for event in (call.transcript or {}).get("events") or []:
        if event.get("type") == "request":
            index += 1
        elif event.get("type") == "say" and event.get("text") and index >= 0:
            said.setdefault(index, []).append(html.escape(str(event["text"]), quote=False))
    for k, texts in said.items():
        holder = spec if k == 0 else (turns[k - 1] if k - 1 < len(turns) else None)
        if holder is not None:
            holder["expect_twiml"] = {"contains": list(dict.fromkeys(texts))}
    if turns:
        spec["turns"] = turns
    return spec


def scenario_for(execution: Execution, description: str = "") -> dict[str, Any]:
    """The scenario (without its ``flow`` key) that replays ``execution`` and expects what it did."""
    steps = list(Step.objects.filter(execution=execution).order_by("date_created", "id"))
    call = None
    if execution.trigger_event == "incomingCall":
        call = Call.objects.filter(sid=execution.initiated_by).first()
    spec = _voice(execution, call) if call is not None else _messaging(execution, steps)
    stubs = http_stubs(execution, steps)
    ordered: dict[str, Any] = {"description": description or f"Recorded from execution {execution.sid}"}
    ordered.update({k: spec[k] for k in ("trigger", "call") if k in spec})
    ordered["http"] = stubs
    ordered.update({k: v for k, v in spec.items() if k not in ordered})
    expect: dict[str, Any] = {"status": execution.status, "steps": [step_label(s) for s in steps]}
    if execution.status == "active" and execution.current_widget:
        expect["widget"] = execution.current_widget
    ordered["expect"] = expect
    return ordered
