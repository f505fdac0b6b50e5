"""Building blocks of the TwiML schema: attribute and element specifications.

The schema is plain data. The builder reads it to map Python names to Twilio's attribute names,
the validator checks documents against it, and the interpreter reads defaults from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

AttrKind = Literal["string", "url", "method", "bool", "int", "number", "enum", "list", "pattern"]
TextRule = Literal["none", "optional", "required"]
Severity = Literal["error", "warning"]

METHODS = ("GET", "POST")


@dataclass(frozen=True)
class Attr:
    """One attribute of one element.

    ``values`` are the allowed values for ``enum`` (one value) and ``list`` (space-separated
    values). ``open_values`` marks enums Twilio extends often (voices, languages): an unknown
    value is then a warning, never an error. ``code`` is Twilio's verb-specific error code for
    an invalid value; 12200 (schema validation) when Twilio has none.
    """

    name: str
    kind: AttrKind = "string"
    values: tuple[str, ...] = ()
    default: str | None = None
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    code: int = 12200
    open_values: bool = False
    note: str = ""
    example: str | None = None

    def check(self, value: str) -> str | None:
        """Return why ``value`` is not acceptable, or None when it is."""
        kind = self.kind
        if kind == "method":
            return None if value in METHODS else "must be GET or POST"
        if kind == "bool":
            return None if value in ("true", "false") else "must be true or false"
        if kind in ("int", "number"):
            try:
                number = int(value) if kind == "int" else float(value)
            except ValueError:
                return "must be an integer" if kind == "int" else "must be a number"
            if self.min is not None and number < self.min:
                return f"must be at least {_num(self.min)}"
            if self.max is not None and number > self.max:
                return f"must be at most {_num(self.max)}"
            return None
        if kind == "enum":
            if value in self.values or (self.pattern and re.fullmatch(self.pattern, value)):
                return None
            return "must be one of: " + ", ".join(self.values)
        if kind == "list":
            items = value.split()
            bad = [i for i in items if i not in self.values]
            if not items:
                return "must list at least one of: " + ", ".join(self.values)
            return (
                None
                if not bad
                else f"has unknown value(s) {', '.join(bad)}; allowed: " + ", ".join(self.values)
            )
        if kind == "pattern":
            assert self.pattern is not None
            return None if re.fullmatch(self.pattern, value) else f"must match {self.pattern}"
        if kind == "url":
            return None if value.strip() and not any(c.isspace() for c in value.strip()) else "must be a URL"
        return None

    def sample(self) -> str:
        """A valid value, used by tests and by the simulator's examples."""
        if self.example is not None:
            return self.example
        if self.default is not None and self.check(self.default) is None:
            return self.default
        if self.kind == "method":
            return "GET"
        if self.kind == "bool":
            return "true"
        if self.kind in ("int", "number"):
            return _num(self.min if self.min is not None and self.min > 0 else 1)
        if self.kind in ("enum", "list"):
            return self.values[0] if self.values else "x"
        if self.kind == "url":
            return "https://example.com/" + self.name
        if self.kind == "pattern" and self.name in ("finishOnKey",):
            return "#"
        return "sample-" + self.name


def _num(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else str(n)


@dataclass(frozen=True)
class Element:
    """One element: its Twilio name, attributes, text rule and allowed children.

    ``children`` holds schema keys, usually the child's name; a key like ``Sip@Refer`` names a
    variant of an element that differs by parent (``<Sip>`` under ``<Refer>`` takes only text).
    ``text_arg`` is the name of the positional text argument in twilio-python (``message``,
    ``url``...), so the builder accepts the same keyword.
    """

    name: str
    attrs: tuple[Attr, ...] = ()
    text: TextRule = "none"
    children: tuple[str, ...] = ()
    text_arg: str | None = None
    doc: str = ""
    key: str = ""
    # A verb that ends the document's control flow (nothing after it runs).
    terminal: bool = False
    # Code reported for a child that is not allowed (13320 for Gather, 13215 for Dial, ...).
    nested_code: int = 12200
    attr_map: dict[str, Attr] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.name)
        self.attr_map.update({a.name: a for a in self.attrs})

    def attr(self, name: str) -> Attr | None:
        return self.attr_map.get(name)

    def default(self, name: str) -> str | None:
        a = self.attr_map.get(name)
        return a.default if a else None


class Schema:
    """A set of element specifications reachable from a root ``Response``."""

    def __init__(self, kind: str, elements: Iterable[Element], suspect_top_level: Iterable[str] = ()):
        self.kind = kind
        self.elements: dict[str, Element] = {}
        for e in elements:
            if e.key in self.elements:
                raise ValueError(f"duplicate schema key {e.key}")
            self.elements[e.key] = e
        self.suspect_top_level = frozenset(suspect_top_level)
        for e in self.elements.values():
            for k in e.children:
                if k not in self.elements:
                    raise ValueError(f"{e.key} names unknown child {k}")

    @property
    def root(self) -> Element:
        return self.elements["Response"]

    def child(self, parent: Element, tag: str) -> Element | None:
        """The spec for a ``tag`` element placed under ``parent``, or None if not allowed."""
        for key in parent.children:
            spec = self.elements[key]
            if spec.name == tag:
                return spec
        return None

    def any_named(self, tag: str) -> Element | None:
        """Some spec with this name (for reporting an element placed in the wrong parent)."""
        for spec in self.elements.values():
            if spec.name == tag:
                return spec
        return None


# Small constructors keep the element tables readable.
def s(name: str, default: str | None = None, note: str = "") -> Attr:
    return Attr(name, "string", default=default, note=note)


def url(name: str, code: int = 12200, default: str | None = None) -> Attr:
    return Attr(name, "url", code=code, default=default)


def method(name: str = "method", code: int = 12200, default: str | None = "POST") -> Attr:
    return Attr(name, "method", values=METHODS, default=default, code=code)


def boolean(name: str, default: str | None = None, code: int = 12200) -> Attr:
    return Attr(name, "bool", values=("true", "false"), default=default, code=code)


def integer(
    name: str,
    default: str | None = None,
    min: float | None = None,
    max: float | None = None,
    code: int = 12200,
) -> Attr:
    return Attr(name, "int", default=default, min=min, max=max, code=code)


def number(name: str, default: str | None = None, min: float | None = None, max: float | None = None) -> Attr:
    return Attr(name, "number", default=default, min=min, max=max)


def enum(
    name: str,
    values: str | Iterable[str],
    default: str | None = None,
    code: int = 12200,
    open_values: bool = False,
    pattern: str | None = None,
    note: str = "",
    example: str | None = None,
) -> Attr:
    vals = tuple(values.split()) if isinstance(values, str) else tuple(values)
    return Attr(
        name,
        "enum",
        values=vals,
        default=default,
        code=code,
        open_values=open_values,
        pattern=pattern,
        note=note,
        example=example,
    )


def enum_list(name: str, values: str | Iterable[str], default: str | None = None, code: int = 12200) -> Attr:
    vals = tuple(values.split()) if isinstance(values, str) else tuple(values)
    return Attr(name, "list", values=vals, default=default, code=code)


def pattern(
    name: str, regex: str, default: str | None = None, code: int = 12200, example: str | None = None
) -> Attr:
    return Attr(name, "pattern", pattern=regex, default=default, code=code, example=example)


STATUS_EVENTS = "initiated ringing answered completed"
RECORDING_EVENTS = "in-progress completed absent"
TRIM = "trim-silence do-not-trim"
