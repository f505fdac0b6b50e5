"""The property schema vocabulary: ``Prop`` (one property of a widget), ``Problem`` (what the
validator reports), and the value helpers both use."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

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
