"""The widget base class: what a widget *is* (properties, events, outputs, defaults) and the
hooks the engine looks for (``run``/``resume``, ``failure_event``, ``unrendered``). The classes are
plain (no metaclass, no registration side effects); ``studio.widgets`` builds the registry from an
explicit list."""

from __future__ import annotations

from typing import Any, ClassVar

from studio.widgets.props import OFFSET, Problem, Prop, check_fields


class Widget:
    """Base class of every widget type. Subclasses set the class attributes below."""

    type: ClassVar[str] = ""
    family: ClassVar[str] = ""
    label: ClassVar[str] = ""
    description: ClassVar[str] = ""
    legacy: ClassVar[bool] = False
    # The error a legacy widget reports when an execution reaches it (spec §2.22, §8.1).
    legacy_error_code: ClassVar[int | None] = None
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
