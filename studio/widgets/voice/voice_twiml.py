"""Shared runtime helpers of the voice widgets: TwiML verbs built with ``twiml``, callback
payloads turned into outputs, hangup detection.

Voice widgets answer the current call webhook with TwiML verbs (``Outcome.twiml``) whose
action/redirect URLs come from ``services.callback_url`` and resume the waiting widget.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from studio.widgets.props import is_blank
from studio.widgets.runtime import Inbound, WidgetCall
from twiml import VoiceDoc
from twiml.builder import Node

# Query parameters our callback URLs add; never copied into a widget's outputs.
INTERNAL_PARAMS = frozenset({"Widget", "Seq", "StudioEvent", "FlowEvent"})
# Call statuses after which there is no call any more (REST/TwiML status callbacks).
ENDED_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
EVENT = "StudioEvent"


def node(name: str, text: Any = None, /, **attrs: Any) -> Node:
    """A detached voice verb (add children to it, then ``xml(node)``)."""
    return VoiceDoc().add(name, text, **{k: v for k, v in attrs.items() if not _absent(v)})


def xml(n: Node) -> str:
    return n.to_xml(xml_declaration=False)


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def truthy(value: Any, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes", "on")


def as_int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(str(value).strip()) if not is_blank(value) else default
    except (TypeError, ValueError):
        return default


def say_xml(text: str, *, voice: Any = None, language: Any = None, loop: Any = None) -> str:
    """``<Say>``; SSML in the text (``<break/>``, ``<prosody>`` …) is kept as markup when well formed."""
    n = node("Say", None, voice=voice, language=language, loop=loop)
    plain = xml(n.append_text(text)) if text else xml(n)
    if "<" not in (text or ""):
        return plain
    try:
        el = etree.fromstring(f"<Say>{text}</Say>".encode())
    except etree.XMLSyntaxError:
        return plain
    speak = el[0] if len(el) == 1 and el[0].tag == "speak" and not (el.text or "").strip() else None
    if speak is not None:  # Studio accepts a <speak> document; TwiML wants its content
        el.text, el[:] = speak.text, list(speak)
    if not _own_text(el).strip():
        # Twilio's <Say> needs text of its own (13520): paragraphs/sentences give theirs.
        for child in [c for c in el if c.tag in ("p", "s")]:
            _unwrap(child)
    for key, value in n.attrs.items():
        el.set(key, value)
    return etree.tostring(el, encoding="unicode")


def _own_text(el: etree._Element) -> str:
    return (el.text or "") + "".join(c.tail or "" for c in el)


def _unwrap(child: etree._Element) -> None:
    parent = child.getparent()
    assert parent is not None
    index = parent.index(child)
    text, tail = child.text or "", child.tail or ""
    previous = parent[index - 1] if index > 0 else None
    if previous is None:
        parent.text = (parent.text or "") + text
    else:
        previous.tail = (previous.tail or "") + text
    grandchildren = list(child)
    for offset, grandchild in enumerate(grandchildren):
        parent.insert(index + offset, grandchild)
    last = grandchildren[-1] if grandchildren else None
    if last is not None:
        last.tail = (last.tail or "") + tail
    elif previous is None:
        parent.text = (parent.text or "") + tail
    else:
        previous.tail = (previous.tail or "") + tail
    parent.remove(child)


def add_prompt(parent: Node, props: dict[str, Any]) -> None:
    """Nest the widget's say/play prompt (voice, language, loop) in ``parent`` (Gather)."""
    loop = as_int(props.get("loop"), None)
    if not is_blank(props.get("say")):
        parent.add(
            "Say",
            str(props["say"]),
            voice=props.get("voice") or None,
            language=props.get("language") or None,
            loop=loop if loop and loop != 1 else None,
        )
    elif not is_blank(props.get("play")):
        parent.add("Play", str(props["play"]), loop=loop if loop and loop != 1 else None)


def redirect_back(call: WidgetCall, event: str = "", **params: str) -> str:
    """``<Redirect>`` to this widget's callback (what runs when the verbs before it finish)."""
    extra = {EVENT: event, **params} if event else dict(params)
    return xml(node("Redirect", call.services.callback_url(call.name, **extra), method="POST"))


def outputs_of(payload: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A callback's parameters as widget outputs (our own routing parameters removed)."""
    out = {k: v for k, v in payload.items() if k not in INTERNAL_PARAMS}
    out.update(extra)
    return out


def studio_event(inbound: Inbound | None) -> str:
    return str((inbound.payload if inbound else {}).get(EVENT) or "")


def is_hangup(inbound: Inbound | None) -> bool:
    """A status callback or an action request that says the caller is gone."""
    if inbound is None:
        return False
    if inbound.kind == "call_status":
        return True
    return inbound.kind == "callback" and str(inbound.payload.get("CallStatus") or "") in ENDED_STATUSES


def on_call(call: WidgetCall) -> bool:
    """Does this execution have a live call (incoming call, or an answered outgoing call)?"""
    trigger = call.context.get("trigger") or {}
    if "call" in trigger:
        return True
    for value in (call.context.get("widgets") or {}).values():
        if isinstance(value, dict) and value.get("CallSid") and value.get("CallStatus") == "in-progress":
            return True
    return False


def kv_pairs(items: Any) -> list[tuple[str, str]]:
    """``[{key, value}]`` property arrays (rendered) as pairs; blank keys dropped."""
    out: list[tuple[str, str]] = []
    for item in items or []:
        if isinstance(item, dict) and not is_blank(item.get("key")):
            out.append((str(item["key"]), str(item.get("value") or "")))
    return out


def enqueue_event(payload: dict[str, Any]) -> str:
    """The Enqueue action's ``QueueResult`` as a widget event (enqueue-call, send-to-flex)."""
    result = str(payload.get("QueueResult") or "")
    if result == "queue-full":
        return "failedToEnqueue"
    if result in ("system-error", "error"):
        return "callFailure"
    return "callComplete"  # bridged, bridging-in-progress, redirected, leave, hangup


def virtual_agent_outputs(payload: dict[str, Any]) -> dict[str, Any]:
    """Connect action parameters of a virtual agent, ``VirtualAgentProviderData`` parsed."""
    out = outputs_of(payload)
    data = out.get("VirtualAgentProviderData")
    if isinstance(data, str) and data.strip():
        try:
            out["VirtualAgentProviderData"] = json.loads(data)
        except ValueError:
            pass
    return out
