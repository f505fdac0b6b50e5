"""The widget base class and the property schema vocabulary.

A widget module declares *what* a widget is (properties, events, outputs, defaults); the
engine adds *how it runs* later by defining ``run``/``resume`` on the same classes. The
classes are plain (no metaclass, no registration side effects); ``studio.widgets`` builds
the registry from an explicit list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

PROP_TYPES = ("string", "integer", "number", "boolean", "enum", "object", "array", "json-string")

LIQUID_MARKERS = ("{{", "{%")

_INT_RE = re.compile(r"^\s*[+-]?\d+\s*$")
_NUM_RE = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


def has_liquid(value: object) -> bool:
    return isinstance(value, str) and any(m in value for m in LIQUID_MARKERS)


@dataclass(frozen=True)
class Problem:
    """A property-level problem relative to the widget's ``properties`` object.

    ``path`` is a JSON-pointer suffix such as ``"timeout"`` or ``"variables/2/key"``.
    """

    path: str
    message: str
    code: str
    warning: bool = False


@dataclass(frozen=True)
class Prop:
    """One property of a widget, as the inspector and the validator see it.

    ``type`` is the *meaning* of the value. ``string_encoded`` marks values Studio stores as
    JSON strings even though they mean a number/boolean (``"timeout": "3600"``,
    ``"profanity_filter": "true"``); the validator accepts both JSON forms because real
    exports contain both, and ``defaults()`` produces the Studio form.
    """

    name: str
    type: str = "string"
    required: bool = False
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    default: Any = None
    liquid: bool = False
    label: str = ""
    description: str = ""
    string_encoded: bool = False
    # Arrays of objects / objects: the fields of one item (or of the object).
    fields: tuple[Prop, ...] | None = None
    # Arrays of scalars: the item type (e.g. "enum" with ``allowed``).
    item_type: str | None = None
    max_length: int | None = None
    pattern: str | None = None
    # Enums whose value list is advisory (other values are only warned about).
    open_enum: bool = False
    # Text that must be literal (spec §2.A: subflow SID/revision, Set Variables keys).
    # Other non-Liquid strings (labels, SIDs) may contain braces; they are just not rendered.
    no_liquid: bool = False

    def __post_init__(self) -> None:
        if self.type not in PROP_TYPES:
            raise ValueError(f"unknown property type {self.type!r} for {self.name!r}")

    # -- description ---------------------------------------------------------------------

    def to_schema(self) -> dict[str, Any]:
        """A JSON-schema-ish description for the editor's generated inspector form."""
        out: dict[str, Any] = {"name": self.name, "type": self.type, "required": self.required}
        if self.label:
            out["label"] = self.label
        if self.description:
            out["description"] = self.description
        if self.no_liquid:
            out["no_liquid"] = True
        if self.allowed is not None:
            out["enum"] = list(self.allowed)
            if self.open_enum:
                out["open_enum"] = True
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        if self.max_length is not None:
            out["maxLength"] = self.max_length
        if self.pattern is not None:
            out["pattern"] = self.pattern
        if self.default is not None:
            out["default"] = self.default
        out["liquid"] = self.liquid
        if self.string_encoded:
            out["string_encoded"] = True
        if self.type == "array":
            if self.fields is not None:
                out["items"] = {
                    "type": "object",
                    "properties": [f.to_schema() for f in self.fields],
                }
            elif self.item_type is not None:
                out["items"] = {"type": self.item_type}
        elif self.type == "object" and self.fields is not None:
            out["properties"] = [f.to_schema() for f in self.fields]
        return out

    # -- validation ----------------------------------------------------------------------

    def check(self, value: Any, path: str) -> list[Problem]:
        """Type, enum, range and nested checks of one present value."""
        if value is None:
            return [Problem(path, "must not be null", "null")]
        checker = getattr(self, "_check_" + self.type.replace("-", "_"))
        problems: list[Problem] = checker(value, path)
        return problems

    def _type_error(self, value: Any, path: str, expected: str) -> list[Problem]:
        return [Problem(path, f"{json_type(value)} found, {expected} expected", "type")]

    def _literal_or_liquid(self, value: Any, path: str) -> tuple[str | None, list[Problem]]:
        """Normalise scalars to text; report Liquid where the schema does not allow it."""
        if isinstance(value, bool):
            return ("true" if value else "false"), []
        if isinstance(value, (int, float)):
            return str(value), []
        if not isinstance(value, str):
            return None, self._type_error(value, path, "string")
        if has_liquid(value) and (self.no_liquid or (self.type == "enum" and not self.liquid)):
            return None, [
                Problem(path, "must be a literal value; Liquid is not allowed here", "liquid_not_allowed")
            ]
        return value, []

    def _check_string(self, value: Any, path: str) -> list[Problem]:
        # Numbers/booleans in a string property are accepted: Studio exports are not consistent
        # (spec §2.A says accept both JSON forms on import).
        text, problems = self._literal_or_liquid(value, path)
        if text is None:
            return problems
        out: list[Problem] = []
        if self.max_length is not None and not has_liquid(text) and len(text) > self.max_length:
            out.append(Problem(path, f"must be at most {self.max_length} characters long", "max_length"))
        if (
            self.pattern is not None
            and not has_liquid(text)
            and text
            and not re.fullmatch(self.pattern, text)
        ):
            out.append(Problem(path, f"does not match the pattern {self.pattern}", "pattern"))
        return out

    def _check_enum(self, value: Any, path: str) -> list[Problem]:
        text, problems = self._literal_or_liquid(value, path)
        if text is None:
            return problems
        assert self.allowed is not None
        if has_liquid(text) or text in self.allowed:
            return []
        if text == "" and not self.required:
            return []
        message = f"does not have a value in the enumeration {json.dumps(list(self.allowed))}"
        return [Problem(path, message, "enum", warning=self.open_enum)]

    def _check_number_like(self, value: Any, path: str, integer: bool) -> list[Problem]:
        expected = "integer" if integer else "number"
        if isinstance(value, bool):
            return self._type_error(value, path, expected)
        if isinstance(value, int):
            number: float = value
        elif isinstance(value, float):
            if integer and not value.is_integer():
                return self._type_error(value, path, expected)
            number = value
        elif isinstance(value, str):
            if has_liquid(value):
                if self.liquid:
                    return []
                return [
                    Problem(path, "must be a literal value; Liquid is not allowed here", "liquid_not_allowed")
                ]
            if value.strip() == "" and not self.required:
                return []
            if not (_INT_RE if integer else _NUM_RE).match(value):
                return [Problem(path, f"{value!r} is not a valid {expected}", "type")]
            number = float(value)
        else:
            return self._type_error(value, path, expected)
        return self._check_range(number, path)

    def _check_range(self, number: float, path: str) -> list[Problem]:
        if self.minimum is not None and number < self.minimum:
            return [Problem(path, f"must be greater than or equal to {_fmt(self.minimum)}", "range")]
        if self.maximum is not None and number > self.maximum:
            return [Problem(path, f"must be less than or equal to {_fmt(self.maximum)}", "range")]
        return []

    def _check_integer(self, value: Any, path: str) -> list[Problem]:
        return self._check_number_like(value, path, integer=True)

    def _check_number(self, value: Any, path: str) -> list[Problem]:
        return self._check_number_like(value, path, integer=False)

    def _check_boolean(self, value: Any, path: str) -> list[Problem]:
        if isinstance(value, bool):
            return []
        if isinstance(value, str):
            if value.strip().lower() in ("true", "false"):
                return []
            if has_liquid(value) and self.liquid:
                return []
        return self._type_error(value, path, "boolean")

    def _check_json_string(self, value: Any, path: str) -> list[Problem]:
        text, problems = self._literal_or_liquid(value, path)
        if text is None:
            return problems
        out: list[Problem] = []
        if self.max_length is not None and not has_liquid(text) and len(text) > self.max_length:
            out.append(Problem(path, f"must be at most {self.max_length} characters long", "max_length"))
        # With Liquid inside, the JSON can only be judged after rendering (engine, 81027).
        if text.strip() and not has_liquid(text):
            try:
                json.loads(text)
            except ValueError as exc:
                out.append(Problem(path, f"is not valid JSON: {exc}", "json", warning=True))
        return out

    def _check_object(self, value: Any, path: str) -> list[Problem]:
        if not isinstance(value, dict):
            return self._type_error(value, path, "object")
        return check_fields(self.fields, value, path) if self.fields is not None else []

    def _check_array(self, value: Any, path: str) -> list[Problem]:
        if not isinstance(value, list):
            return self._type_error(value, path, "array")
        out: list[Problem] = []
        for i, item in enumerate(value):
            item_path = f"{path}/{i}"
            if self.fields is not None:
                if not isinstance(item, dict):
                    out.extend(self._type_error(item, item_path, "object"))
                else:
                    out.extend(check_fields(self.fields, item, item_path))
            elif self.item_type is not None:
                item_prop = Prop(
                    name=self.name, type=self.item_type, allowed=self.allowed, liquid=self.liquid
                )
                out.extend(item_prop.check(item, item_path))
        return out


def check_fields(fields: tuple[Prop, ...], obj: dict[str, Any], path: str) -> list[Problem]:
    """Check the keys of one object against its field list (required, types)."""
    out: list[Problem] = []
    for f in fields:
        sub = f"{path}/{f.name}" if path else f.name
        if f.name not in obj:
            if f.required:
                out.append(Problem(sub, "is missing but it is required", "required"))
            continue
        out.extend(f.check(obj[f.name], sub))
    return out


def kv_array(name: str, label: str, *, key_liquid: bool = False, description: str = "") -> Prop:
    """The ubiquitous ``[{"key": ..., "value": ...}]`` array (parameters, variables, …)."""
    return Prop(
        name,
        "array",
        label=label,
        description=description,
        fields=(
            Prop("key", "string", required=True, liquid=key_liquid, label="Key"),
            Prop("value", "string", required=True, liquid=True, label="Value"),
        ),
    )


OFFSET = Prop(
    "offset",
    "object",
    label="Canvas position",
    description="Cosmetic canvas position; not part of the flow logic.",
    fields=(Prop("x", "number", required=True), Prop("y", "number", required=True)),
)


class Widget:
    """Base class of every widget type. Subclasses set the class attributes below."""

    type: ClassVar[str] = ""
    family: ClassVar[str] = ""
    label: ClassVar[str] = ""
    description: ClassVar[str] = ""
    legacy: ClassVar[bool] = False
    channel: ClassVar[str] = "any"  # "voice" | "messaging" | "any"
    properties: ClassVar[list[Prop]] = []
    events: ClassVar[list[str]] = []
    # Events accepted in imported JSON but not offered on the canvas (unverified names).
    extra_events: ClassVar[list[str]] = []
    # Events a widget may carry more than one transition for (split ``match``).
    repeatable_events: ClassVar[frozenset[str]] = frozenset()
    outputs: ClassVar[list[str]] = []
    # True when the widget stores an open-ended callback payload under widgets.NAME.*.
    open_outputs: ClassVar[bool] = False
    # Types whose property/event lists are not publicly known: keep what the JSON says.
    open_properties: ClassVar[bool] = False
    open_events: ClassVar[bool] = False
    # Only usable in REST-triggered executions (start/resume conversation).
    rest_only: ClassVar[bool] = False
    name_prefix: ClassVar[str] = ""

    # -- runtime hooks (used by the execution engine; see executions/ENGINE.md) -----------
    # A widget type runs when its class defines ``run(cls, call: WidgetCall) -> Outcome`` (a
    # classmethod); waiting widgets also define ``resume(cls, call) -> Outcome | None``.
    # The event taken when a property's Liquid fails to render (81018); None ends the execution.
    failure_event: ClassVar[str | None] = None
    # Property names the engine must not render (literal by spec, or rendered by the widget).
    unrendered: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def prop(cls, name: str) -> Prop | None:
        for p in cls.properties:
            if p.name == name:
                return p
        return None

    @classmethod
    def events_for(cls, properties: dict[str, Any]) -> list[str]:
        """The events this widget can emit given its properties (default: the static list)."""
        return list(cls.events)

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Properties of a fresh widget dropped on the canvas, in Studio's JSON form."""
        out: dict[str, Any] = {p.name: p.default for p in cls.properties if p.default is not None}
        out["offset"] = {"x": 0, "y": 0}
        return out

    @classmethod
    def default_transitions(cls) -> list[dict[str, Any]]:
        """Console style: every event listed, none connected."""
        return [{"event": e} for e in cls.events_for(cls.defaults()) if e not in cls.repeatable_events]

    @classmethod
    def liquid_props(cls) -> list[Prop]:
        return [p for p in cls.properties if p.liquid]

    @classmethod
    def check_properties(cls, properties: dict[str, Any]) -> list[Problem]:
        """Schema checks (required, types, enums, ranges) plus widget-specific rules."""
        out = check_fields((OFFSET, *cls.properties), properties, "")
        if not cls.open_properties:
            known = {p.name for p in cls.properties} | {"offset"}
            for key in properties:
                if key not in known:
                    out.append(
                        Problem(
                            key,
                            f"unknown property {key!r} for {cls.type}; kept as is",
                            "unknown_property",
                            True,
                        )
                    )
        out.extend(cls.check_rules(properties))
        return out

    @classmethod
    def check_rules(cls, properties: dict[str, Any]) -> list[Problem]:
        """Cross-property rules; override in widgets that have them."""
        return []

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """The catalogue entry: JSON-serialisable."""
        defaults = cls.defaults()
        return {
            "type": cls.type,
            "family": cls.family,
            "label": cls.label,
            "description": cls.description,
            "legacy": cls.legacy,
            "channel": cls.channel,
            "rest_only": cls.rest_only,
            "name_prefix": cls.name_prefix or cls.type.replace("-", "_"),
            "properties": [p.to_schema() for p in cls.properties],
            "open_properties": cls.open_properties,
            "events": cls.events_for(defaults),
            "repeatable_events": sorted(cls.repeatable_events),
            "extra_events": list(cls.extra_events),
            "open_events": cls.open_events,
            "defaults": defaults,
            "default_transitions": cls.default_transitions(),
            "outputs": list(cls.outputs),
            "open_outputs": cls.open_outputs,
        }


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def json_type(value: Any) -> str:
    """The JSON Schema name of a value's type, as Twilio's validator words it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _fmt(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else str(n)


# Standard voice webhook parameters, stored by callback-driven voice widgets.
CALL_PARAMS: list[str] = [
    "AccountSid",
    "ApiVersion",
    "CallSid",
    "CallStatus",
    "Called",
    "Caller",
    "Direction",
    "From",
    "To",
]


# -- runtime vocabulary ------------------------------------------------------------------
# Plain data shared by the engine (executions.engine) and widget ``run``/``resume`` methods.
# Kept here, not in executions/, so widget modules never import the engine (studio → twiml
# only; executions → studio).


@dataclass(frozen=True)
class Inbound:
    """An event arriving at a waiting execution.

    ``kind``: ``"message"`` (inbound SMS/chat: Twilio's webhook parameters in ``payload``),
    ``"timeout"`` (a Wait fired), ``"message_status"`` (an outbound message of this execution
    changed status: ``{"MessageSid", "MessageStatus", "ErrorCode"}``), ``"callback"`` (a
    TwiML action/redirect URL of the waiting widget was requested: the request parameters),
    ``"call_status"`` (voice status callback, e.g. hangup), ``"request"``/``"call"`` (a new
    REST request or call reaching an execution that is already active).
    """

    kind: str
    payload: dict[str, Any]
    key: str = ""


@dataclass
class WaitSpec:
    """Returned by a widget that suspends the execution until an event arrives.

    ``timeout_seconds`` arms a ``Wait`` row that delivers ``Inbound("timeout")`` to the
    widget's ``resume``; ``data`` is handed back as ``call.state`` on resume.
    """

    timeout_seconds: float | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class SendMessageEffect:
    """Ask the engine to send a message; it is accepted in the transaction, dispatched after commit."""

    to: str
    from_: str
    body: str = ""
    media_urls: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """What a widget run/resume returns.

    - ``event``: the transition to take (``None`` together with ``wait`` = suspend).
    - ``transition``: the exact transition object to follow (split ``match`` branches); when
      absent the engine follows the first transition whose ``event`` equals ``event``.
    - ``outputs``: stored as ``widgets.NAME`` (replacing the previous entry); None = unchanged.
    - ``variables``: merged into ``flow.variables``.
    - ``twiml``: TwiML verbs (without ``<Response>``) that answer the current voice webhook;
      the engine concatenates the verbs of every widget that ran during the request.
    - ``wait``: suspend here (see WaitSpec).
    - ``error``/``error_code``: a fatal error; the execution ends with an error step.
    - ``warnings``: ``(code, message)`` pairs recorded on the execution log.
    """

    event: str | None = None
    transition: dict[str, Any] | None = None
    outputs: dict[str, Any] | None = None
    variables: dict[str, Any] | None = None
    twiml: list[str] = field(default_factory=list)
    wait: WaitSpec | None = None
    error: str | None = None
    error_code: int | None = None
    warnings: list[tuple[int, str]] = field(default_factory=list)


class Services(Protocol):
    """Engine services a widget may call synchronously while it runs (inside the transaction)."""

    def send_message(self, to: str, from_: str, body: str, media_urls: list[str]) -> dict[str, Any]:
        """Accept an outbound message (dispatched after commit); returns the Message resource
        fields (``Sid``, ``Status``, ``ErrorCode`` …). ``Status == "failed"`` means the
        Messaging API refused it."""
        ...

    def callback_url(self, widget: str, **params: str) -> str:
        """An absolute URL that resumes this execution at ``widget`` with ``Inbound("callback")``
        (voice action/redirect targets). Extra ``params`` are added to the query string."""
        ...


@dataclass
class WidgetCall:
    """Everything a widget's ``run``/``resume`` receives.

    ``properties`` are rendered (Liquid) except ``Widget.unrendered`` keys; ``raw`` is the
    state object as written in the flow; ``context`` is the execution context (read it, do
    not mutate it; return ``outputs``/``variables`` instead). ``render(template)`` renders
    any further template (raises ``TemplateError``). ``inbound`` and ``state`` are set on
    resume only.
    """

    name: str
    type: str
    properties: dict[str, Any]
    raw: dict[str, Any]
    transitions: list[dict[str, Any]]
    context: dict[str, Any]
    render: Callable[[str], str]
    services: Services
    trigger_kind: str = ""
    inbound: Inbound | None = None
    state: dict[str, Any] = field(default_factory=dict)
    previous_outputs: dict[str, Any] | None = None


class TemplateError(Exception):
    """A Liquid template failed to parse or render (Studio warning 81018)."""
