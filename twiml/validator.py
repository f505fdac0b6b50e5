"""Validate TwiML against the schema, reporting problems with Twilio's error codes.

    problems = validate(text, kind="voice")
    ok = not any(p.severity == "error" for p in problems)

Codes: 11750 too large, 12100 malformed XML (DTDs and entities included), 12101 legacy
``version``, 12102 wrong root, 12200 schema violations (unknown element or attribute, bad nesting,
text where none is allowed), and Twilio's verb-specific codes (13xxx, 14xxx) for invalid values.
Twilio logs 12200 as a warning and skips what it does not understand; we still report unknown
verbs and attributes as errors, since a skipped verb is almost always a bug in the document.
Unknown voices and languages, and the builder-only top-level ``<Queue>``/``<Prompt>``, are warnings.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Literal

from lxml import etree

from .errors import TITLES, more_info
from .names import unqualified
from .parse import INLINE_MAX_CHARS, MAX_BYTES, MAX_DEPTH, ParseError, depth_exceeded, parse, to_bytes
from .schema import MESSAGING, SCHEMAS, VOICE, Element, Schema
from .schema.nouns import PHONE

Kind = Literal["voice", "messaging"]

# Inside <Gather>, Twilio reports Say problems with Gather->Say codes.
_GATHER_CODES = {13510: 13322, 13511: 13321}


@dataclass
class Problem:
    code: int
    message: str
    line: int | None = None
    path: str = ""
    element: str = ""
    severity: Literal["error", "warning"] = "error"
    column: int | None = None

    @property
    def title(self) -> str:
        return TITLES.get(self.code, "")

    @property
    def more_info(self) -> str:
        return more_info(self.code)

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["title"] = self.title
        d["more_info"] = self.more_info
        return d


def is_valid(problems: list[Problem]) -> bool:
    return not any(p.severity == "error" for p in problems)


def detect_kind(root: etree._Element) -> Kind:
    """Messaging when the document holds a <Message>, otherwise voice."""
    tags = {c.tag for c in root if isinstance(c.tag, str)}
    return "messaging" if "Message" in tags and tags <= {"Message", "Redirect"} else "voice"


def validate(
    text: str | bytes,
    kind: Kind | None = None,
    *,
    max_bytes: int = MAX_BYTES,
    inline: bool = False,
) -> list[Problem]:
    """All problems in a TwiML document; an empty list means Twilio would run it as written.

    ``kind`` None guesses from the content. ``inline=True`` applies the 4000-character limit of
    the Calls API ``Twiml`` parameter (32018).
    """
    if inline and len(text) > INLINE_MAX_CHARS:
        return [Problem(32018, f"Inline TwiML is {len(text)} characters; the limit is {INLINE_MAX_CHARS}")]
    try:
        root = parse(to_bytes(text), max_bytes=max_bytes)
    except ParseError as exc:
        return [Problem(exc.code, exc.message, exc.line, column=exc.column)]
    return validate_tree(root, kind)


def validate_tree(root: etree._Element, kind: Kind | None = None) -> list[Problem]:
    if root.tag != "Response":
        return [
            Problem(
                12102,
                f"The root element must be Response, not <{root.tag}>",
                root.sourceline,
                "/" + str(root.tag),
                str(root.tag),
            )
        ]
    deep = depth_exceeded(root, MAX_DEPTH)
    if deep is not None:
        return [
            Problem(12100, f"Document parse failure: nesting deeper than {MAX_DEPTH} levels", deep.sourceline)
        ]
    schema = SCHEMAS[kind or detect_kind(root)]
    checker = _Checker(schema)
    checker.check_root(root)
    return checker.problems


class _Checker:
    def __init__(self, schema: Schema):
        self.schema = schema
        self.problems: list[Problem] = []

    def add(self, code: int, message: str, el: etree._Element, path: str, severity: str = "error") -> None:
        self.problems.append(Problem(code, message, el.sourceline, path, str(el.tag), severity))  # type: ignore[arg-type]

    def check_root(self, root: etree._Element) -> None:
        for name, value in root.attrib.items():
            if name == "version":
                self.add(
                    12101,
                    f"Invalid Twilio Markup XML version {value!r}: <Response> takes no version",
                    root,
                    "/Response",
                    "warning",
                )
            else:
                self.unknown_attr(root, "/Response", unqualified(str(name)), self.schema.root)
        self.check_text(root, self.schema.root, "/Response")
        self.check_children(root, self.schema.root, "/Response")

    def check_children(self, el: etree._Element, spec: Element, path: str) -> None:
        counts: dict[str, int] = {}
        for child in el:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            counts[tag] = counts.get(tag, 0) + 1
            child_path = f"{path}/{tag}[{counts[tag]}]"
            child_spec = self.schema.child(spec, tag)
            if child_spec is None:
                self.misplaced(child, spec, child_path)
                continue
            if spec is self.schema.root and tag in self.schema.suspect_top_level:
                self.add(
                    12200,
                    f"<{tag}> is documented only inside "
                    f"<{'Dial' if tag == 'Queue' else 'Pay'}>; at the top level Twilio may ignore it",
                    child,
                    child_path,
                    "warning",
                )
            self.check_element(child, child_spec, child_path, spec)

    def misplaced(self, child: etree._Element, parent: Element, path: str) -> None:
        tag = str(child.tag)
        known = self.schema.any_named(tag) or (VOICE if self.schema is MESSAGING else MESSAGING).any_named(
            tag
        )
        if known is not None:
            code = parent.nested_code
            self.add(code, f"<{tag}> is not allowed inside <{parent.name}>", child, path)
            return
        hint = ""
        for other in self.schema.elements.values():
            if other.name.lower() == tag.lower():
                hint = f" (TwiML is case-sensitive: did you mean <{other.name}>?)"
                break
        code = parent.nested_code if parent.nested_code in (14110,) else 12200
        self.add(code, f"Unknown element <{tag}> inside <{parent.name}>{hint}", child, path)

    def unknown_attr(self, el: etree._Element, path: str, name: str, spec: Element) -> None:
        code = 86004 if self.schema is MESSAGING else 12200
        self.add(code, f"Attribute '{name}' is not allowed to appear in element '{spec.name}'", el, path)

    def check_element(self, el: etree._Element, spec: Element, path: str, parent: Element) -> None:
        for raw, value in el.attrib.items():
            name = unqualified(str(raw))
            attr = spec.attr(name)
            if attr is None:
                self.unknown_attr(el, path, name, spec)
                continue
            why = attr.check(value)
            if why is None:
                continue
            code = attr.code
            if parent.name == "Gather":
                code = _GATHER_CODES.get(code, code)
            severity = "warning" if attr.open_values else "error"
            self.add(code, f"<{spec.name} {name}={value!r}>: {name} {why}", el, path, severity)
        self.check_text(el, spec, path)
        self.check_rules(el, spec, path)
        self.check_children(el, spec, path)

    def check_text(self, el: etree._Element, spec: Element, path: str) -> None:
        text = _own_text(el)
        if spec.text == "none" and text.strip():
            self.add(12200, f"<{spec.name}> takes no text content (found {text.strip()[:40]!r})", el, path)
        elif spec.text == "required" and not text.strip():
            code = {"Say": 13520, "Conference": 13237, "Queue": 14212, "Media": 14103}.get(spec.name, 12200)
            self.add(code, f"<{spec.name}> needs text content", el, path)

    def check_rules(self, el: etree._Element, spec: Element, path: str) -> None:
        """Rules that span several attributes or the text, per element."""
        text = _own_text(el).strip()
        children = [c for c in el if isinstance(c.tag, str)]
        name = spec.key
        if name == "Say" and len("".join(el.itertext())) > 4096:
            self.add(13520, "<Say> text is longer than 4096 characters", el, path, "warning")
        elif name == "Play" and not text and not el.get("digits"):
            self.add(12200, "<Play> needs an audio URL or a digits attribute", el, path)
        elif name == "Dial":
            if not text and not children:
                self.add(
                    13215, "<Dial> needs a number or a noun (<Number>, <Client>, <Conference>...)", el, path
                )
            elif text and children:
                self.add(12200, "<Dial> has both text and nouns; Twilio uses the nouns", el, path, "warning")
            elif text and not _is_phone(text):
                self.add(13223, f"<Dial> number {text!r} is not a phone number", el, path, "warning")
        elif name == "Number" and text and not _is_phone(text):
            self.add(13223, f"<Number> {text!r} is not a phone number", el, path, "warning")
        elif name == "Sip" and text and not text.lower().startswith(("sip:", "sips:")):
            self.add(13243, f"<Sip> {text!r} is not a SIP URI (sip:user@host)", el, path)
        elif name == "Sip" and not text and not any(c.tag == "Uri" for c in children):
            self.add(13243, "<Sip> needs a SIP URI as text or <Uri> children", el, path)
        elif name == "Gather":
            if el.get("speechTimeout") == "auto" and el.get("speechModel") == "default":
                self.add(
                    13335,
                    'speechTimeout="auto" is not supported with speechModel="default"',
                    el,
                    path,
                    "warning",
                )
        elif name == "Enqueue":
            if not text and not el.get("workflowSid"):
                self.add(14204, "<Enqueue> needs a queue name or a workflowSid", el, path)
            elif len(text) > 64:
                self.add(14205, "<Enqueue> queue name is longer than 64 characters", el, path)
        elif name == "Queue" and len(text) > 64:
            self.add(14213, "<Queue> name is longer than 64 characters", el, path)
        elif name == "Task" and text:
            try:
                json.loads(text)
            except ValueError:
                self.add(14221, "<Task> text must be the task attributes as JSON", el, path)
        elif name == "Message":
            body = text + "".join(_own_text(c) for c in children if c.tag == "Body")
            media = [c for c in children if c.tag == "Media"]
            if not body.strip() and not media:
                self.add(14103, "<Message> has neither a body nor media", el, path)
            if len(body) > 1600:
                self.add(14103, f"<Message> body is {len(body)} characters; the limit is 1600", el, path)
            if len(media) > 10:
                self.add(12200, "<Message> holds more than 10 <Media>", el, path)


def _own_text(el: etree._Element) -> str:
    """Text directly inside ``el`` (its text and its children's tails), not the children's text."""
    parts = [el.text or ""]
    parts.extend(c.tail or "" for c in el)
    return "".join(parts)


def _is_phone(text: str) -> bool:
    return re.fullmatch(PHONE, text) is not None


def problems_json(problems: list[Problem]) -> str:
    return json.dumps([p.to_dict() for p in problems], indent=2)


__all__ = ["Problem", "validate", "validate_tree", "is_valid", "detect_kind", "problems_json", "VOICE"]
