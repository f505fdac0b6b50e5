"""Walk twilio-python's TwiML classes to enumerate every element/attribute it can build.

Used by the tests as the oracle: for each builder method we produce one document with every
attribute set, once with twilio-python and once with our builder.
"""

from __future__ import annotations

import inspect
import re
from collections import deque
from dataclasses import dataclass
from typing import Any

from twilio.twiml import messaging_response as mr
from twilio.twiml import voice_response as vr

from twiml.builder import MessagingDoc, Node, VoiceDoc
from twiml.names import twilio_name
from twiml.schema import MESSAGING, VOICE, Schema

TEXT_SAMPLES = {
    "Number": "+15551234567",
    "Dial": "+15551234567",
    "WhatsApp": "+15551234567",
    "Sip": "sip:alice@example.com",
    "Uri": "sip:bob@example.com",
    "Task": '{"type": "support"}',
    "Play": "https://example.com/hold.mp3",
    "Redirect": "/next?step=2&x=1",
    "Media": "https://example.com/cat.png",
    "Enqueue": "support",
    "Sim": "DE" + "a" * 32,
    "Application": "AP" + "b" * 32,
    "ApplicationSid": "AP" + "b" * 32,
}


@dataclass
class Case:
    kind: str
    path: list[tuple[str, str]]  # (method name, element name) from the root to the parent
    method: str
    element: str
    text_param: str | None
    params: list[str]

    @property
    def id(self) -> str:
        return "/".join([*(m for m, _ in self.path), self.method])


def _child_class(cls: type, method: str) -> type:
    src = inspect.getsource(getattr(cls, method))
    name = re.search(r"self\.nest\(\s*(\w+)\(", src)
    assert name, (cls, method)
    module = inspect.getmodule(cls)
    return getattr(module, name.group(1))


def _methods(cls: type) -> list[str]:
    return [
        m
        for m, fn in cls.__dict__.items()
        if not m.startswith("_") and callable(fn) and "self.nest(" in inspect.getsource(fn)
    ]


def _text_param(cls: type) -> str | None:
    params = [p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "kwargs")]
    return params[0] if params else None


def cases() -> list[Case]:
    out: list[Case] = []
    for kind, root in (("voice", vr.VoiceResponse), ("messaging", mr.MessagingResponse)):
        seen: set[type] = {root}
        queue: deque[tuple[type, list[tuple[str, str]]]] = deque([(root, [])])
        while queue:
            cls, path = queue.popleft()
            for method in _methods(cls):
                child = _child_class(cls, method)
                fn = getattr(cls, method)
                params = [p for p in inspect.signature(fn).parameters if p not in ("self", "kwargs")]
                text_param = _text_param(child)
                name = "Response" if child in (vr.VoiceResponse, mr.MessagingResponse) else _name(child)
                out.append(Case(kind, path, method, name, text_param, params))
                if child not in seen:
                    seen.add(child)
                    queue.append((child, [*path, (method, name)]))
    return out


def _name(cls: type) -> str:
    obj = cls("x") if _text_param(cls) else cls()
    return obj.name


def spec_for(schema: Schema, path: list[str], element: str):
    spec = schema.root
    for name in [*path, element]:
        child = schema.child(spec, name)
        assert child is not None, f"{name} not allowed under {spec.name}"
        spec = child
    return spec


def sample_text(element: str) -> str:
    return TEXT_SAMPLES.get(element, f"sample {element} text & <more>")


def sample_args(case: Case) -> tuple[str | None, dict[str, Any]]:
    """(text, {python param: value}) covering every parameter twilio-python names."""
    schema = VOICE if case.kind == "voice" else MESSAGING
    spec = spec_for(schema, [e for _, e in case.path], case.element)
    text = sample_text(case.element) if case.text_param else None
    kwargs: dict[str, Any] = {}
    for p in case.params:
        if p == case.text_param:
            continue
        attr = spec.attr(twilio_name(p))
        assert attr is not None, f"our schema lacks <{case.element} {twilio_name(p)}>"
        kwargs[p] = attr.sample()
    return text, kwargs


def _ancestor_text(schema: Schema, spec_path: list[str], element: str) -> str | None:
    spec = spec_for(schema, spec_path, element)
    if spec.text == "required" or spec.key in ("Sip", "Enqueue"):
        return sample_text(element)
    return None


def build_both(case: Case) -> tuple[str, str]:
    schema = VOICE if case.kind == "voice" else MESSAGING
    t_root: Any = vr.VoiceResponse() if case.kind == "voice" else mr.MessagingResponse()
    o_root: Node = VoiceDoc() if case.kind == "voice" else MessagingDoc()
    t_node, o_node = t_root, o_root
    walked: list[str] = []
    for method, element in case.path:
        text = _ancestor_text(schema, walked, element)
        t_node = getattr(t_node, method)(text) if text else getattr(t_node, method)()
        o_node = o_node.add(element, text)
        walked.append(element)
    text, kwargs = sample_args(case)
    if text is not None:
        getattr(t_node, case.method)(text, **kwargs)
    else:
        getattr(t_node, case.method)(**kwargs)
    o_node.add(case.element, text, **kwargs)
    return str(t_root), o_root.to_xml()
