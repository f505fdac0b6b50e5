"""Build canonical TwiML from the schema.

    r = VoiceDoc()
    g = r.add("Gather", input="dtmf", action="/menu", num_digits=1)
    g.add("Say", "Press 1 for sales", voice="alice")
    r.add("Redirect", "/menu")
    r.to_xml()

Attribute keywords may be snake_case (``num_digits``), Twilio camelCase (``numDigits``) or the
twilio-python specials (``from_``, ``xml_lang``, ``interpret_as``, ``for_``); they are written
with Twilio's names, sorted like twilio-python's output. ``True``/``False`` become
``true``/``false``; lists and tuples are joined with spaces (Twilio's form for multi-valued
attributes); dicts (``<Task>`` bodies) are JSON-encoded; ``None`` omits the attribute.

Element and attribute names are checked against the schema (a typo raises
:class:`TwiMLBuildError`); values are not, run :func:`twiml.validate` for that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from .names import SPECIAL, element_name, qualified, twilio_name
from .schema import MESSAGING, VOICE, Element, Schema

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
# XML 1.0 forbids most control characters; user text (an SMS body, a speech result) may
# carry them, and lxml refuses them, so they are dropped rather than failing the response.
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class TwiMLBuildError(ValueError):
    """An element or attribute that the schema does not allow where it was added."""


def _clean(text: str) -> str:
    return _INVALID_XML_CHARS.sub("", text)


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set, frozenset)):
        return " ".join(format_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


class Node:
    """One TwiML element under construction."""

    def __init__(self, schema: Schema, spec: Element, text: Any = None, strict: bool = True, **attrs: Any):
        self.schema = schema
        self.spec = spec
        self.strict = strict
        self.attrs: dict[str, str] = {}
        # Content in document order: str for text, Node for child elements.
        self.content: list[str | Node] = []
        if text is not None and text != "":
            self.content.append(_clean(format_value(text)))
        for key, value in attrs.items():
            self.set(key, value)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def children(self) -> list[Node]:
        return [c for c in self.content if isinstance(c, Node)]

    @property
    def text(self) -> str:
        return "".join(c for c in self.content if isinstance(c, str))

    def set(self, key: str, value: Any) -> Node:
        """Set one attribute (``None`` removes it)."""
        name = self._attr_name(key)
        if value is None:
            self.attrs.pop(name, None)
        else:
            self.attrs[name] = _clean(format_value(value))
        return self

    def _attr_name(self, key: str) -> str:
        spec = self.spec
        if spec.attr(key) is not None:
            return key
        candidate = twilio_name(key)
        if spec.attr(candidate) is not None or not self.strict:
            return candidate
        raise TwiMLBuildError(
            f"<{spec.name}> has no attribute {key!r}; allowed: {', '.join(a.name for a in spec.attrs) or 'none'}"
        )

    def add(self, name: str, text: Any = None, /, **attrs: Any) -> Node:
        """Append a child element and return it (``text`` is its text content)."""
        spec = self.schema.child(self.spec, name)
        if spec is None:
            if self.strict:
                allowed = ", ".join(self.schema.elements[k].name for k in self.spec.children) or "none"
                raise TwiMLBuildError(
                    f"<{name}> is not allowed inside <{self.spec.name}>; allowed: {allowed}"
                )
            spec = Element(name)
        # The text may also come by the name twilio-python gives it (message=, url=, number=...).
        if spec.text_arg and spec.text_arg in attrs and spec.attr(spec.text_arg) is None:
            if text is not None:
                raise TwiMLBuildError(f"<{name}> text given twice")
            text = attrs.pop(spec.text_arg)
        child = Node(self.schema, spec, text, strict=self.strict, **attrs)
        self.content.append(child)
        return child

    def append_text(self, text: Any) -> Node:
        """Append text after the last child (mixed content, e.g. SSML inside ``<Say>``)."""
        self.content.append(_clean(format_value(text)))
        return self

    def __getattr__(self, method: str) -> Any:
        # twilio-python style: r.say(...), g.play(...), say.say_as(...), dial.whats_app(...)
        if method.startswith("_"):
            raise AttributeError(method)
        spec = self.__dict__.get("spec")
        schema = self.__dict__.get("schema")
        if spec is None or schema is None:
            raise AttributeError(method)
        for candidate in (element_name(method), SPECIAL.get(method, method).replace("_", "-")):
            if schema.child(spec, candidate) is not None:
                return lambda *args, **kw: self.add(candidate, *args, **kw)
        raise AttributeError(f"<{spec.name}> has no child element for {method!r}")

    def __iter__(self) -> Iterator[Node]:
        return iter(self.children)

    def __enter__(self) -> Node:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def to_element(self) -> etree._Element:
        el = etree.Element(qualified(self.spec.name) if ":" in self.spec.name else self.spec.name)
        for key in sorted(self.attrs):
            el.set(qualified(key), self.attrs[key])
        last: etree._Element | None = None
        for item in self.content:
            if isinstance(item, Node):
                last = item.to_element()
                el.append(last)
            elif last is None:
                el.text = (el.text or "") + item
            else:
                last.tail = (last.tail or "") + item
        return el

    def to_xml(self, xml_declaration: bool = True, pretty: bool = False) -> str:
        body = etree.tostring(self.to_element(), encoding="unicode", pretty_print=pretty)
        return XML_DECLARATION + body if xml_declaration else body

    def __str__(self) -> str:
        return self.to_xml()

    def __repr__(self) -> str:
        return f"<Node {self.spec.name} {self.attrs!r}>"


class VoiceDoc(Node):
    """A voice ``<Response>``."""

    def __init__(self, strict: bool = True):
        super().__init__(VOICE, VOICE.root, strict=strict)


class MessagingDoc(Node):
    """A messaging ``<Response>``."""

    def __init__(self, strict: bool = True):
        super().__init__(MESSAGING, MESSAGING.root, strict=strict)


def say(text: str, **attrs: Any) -> str:
    """Shortcut: a whole voice document that says ``text`` (``say("Hi", voice="alice")``)."""
    doc = VoiceDoc()
    doc.add("Say", text, **attrs)
    return doc.to_xml()


def message(body: str | None = None, **attrs: Any) -> str:
    """Shortcut: a messaging document with one ``<Message>``; ``media=[...]`` adds ``<Media>``."""
    media = attrs.pop("media", None) or []
    doc = MessagingDoc()
    m = doc.add("Message", body, **attrs)
    for item in [media] if isinstance(media, str) else media:
        m.add("Media", item)
    return doc.to_xml()


def empty(kind: str = "voice") -> str:
    """``<Response/>`` with the XML declaration (the answer to a status callback or a messaging webhook)."""
    return (VoiceDoc() if kind == "voice" else MessagingDoc()).to_xml()
