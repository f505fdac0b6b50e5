"""The widget library: one module per Studio widget type, described for the editor."""

from __future__ import annotations

import importlib
import json

import pytest

from studio import widgets
from studio.widgets.props import PROP_TYPES
from studio.widgets.widget import Widget

# spec §2.0: the schema enum plus the types seen in current docs / real exports.
SPEC_TYPES = [
    "add-member-to-chat-channel",
    "add-twiml-redirect",
    "capture-payments",
    "connect-call-to",
    "create-chat-channel",
    "create-task",
    "enqueue-call",
    "fork-stream",
    "gather-input-on-call",
    "make-http-request",
    "make-outgoing-call-v1",
    "make-outgoing-call-v2",
    "record-call",
    "record-voicemail",
    "run-function",
    "run-function-v2",
    "say-play",
    "send-and-wait-for-reply",
    "send-message",
    "send-to-flex",
    "set-variables",
    "split-based-on",
    "run-subflow",
    "trigger",
    "understand",
    "update-sync-object",
    "connect-virtual-agent",
    "connect-virtual-agent-v2",
    "start-conversation",
    "resume-conversation",
    "run-conversation-relay",
    "send-to-auto-pilot",
    "run-model-inference",
]

LEGACY_TYPES = {
    "make-outgoing-call-v1",
    "connect-virtual-agent",
    "send-to-auto-pilot",
    "add-member-to-chat-channel",
    "create-chat-channel",
    "create-task",
    "understand",
    "update-sync-object",
    "run-function-v2",
    "run-model-inference",
}


def test_it_registers_every_spec_type_and_nothing_else() -> None:
    assert sorted(widgets.REGISTRY) == sorted(SPEC_TYPES)


def test_it_has_no_bare_make_outgoing_call_type() -> None:
    assert widgets.get("make-outgoing-call") is None


@pytest.mark.parametrize("type_str", SPEC_TYPES)
def test_it_keeps_each_type_in_its_own_module(type_str: str) -> None:
    # One module per type, named after it, in its family's folder (studio/widgets/<family>/).
    found = widgets.get(type_str)
    assert found is not None
    module = importlib.import_module(found.__module__)
    assert module.__name__.rsplit(".", 1)[1] == type_str.replace("-", "_")
    classes = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Widget) and obj is not Widget
    ]
    own = [cls for cls in classes if cls.__module__ == module.__name__]
    assert len(own) == 1
    assert own[0].type == type_str
    assert widgets.get(type_str) is own[0]


def test_it_returns_none_for_an_unknown_type() -> None:
    assert widgets.get("send-fax") is None


def test_it_builds_a_catalogue_entry_for_every_type() -> None:
    assert [entry["type"] for entry in widgets.catalogue()] != []
    assert sorted(entry["type"] for entry in widgets.catalogue()) == sorted(SPEC_TYPES)


def test_it_serialises_the_catalogue_as_json() -> None:
    assert json.loads(json.dumps(widgets.catalogue())) == widgets.catalogue()


def test_it_describes_each_entry_with_the_keys_the_editor_needs() -> None:
    keys = {
        "type",
        "family",
        "label",
        "description",
        "legacy",
        "channel",
        "properties",
        "events",
        "defaults",
        "outputs",
    }
    for entry in widgets.catalogue():
        assert keys <= set(entry), entry["type"]


def test_it_groups_widgets_into_the_known_families_in_editor_order() -> None:
    families = [entry["family"] for entry in widgets.catalogue()]
    assert set(families) <= set(widgets.FAMILIES)
    assert families == sorted(families, key=widgets.FAMILIES.index)


def test_it_puts_every_legacy_type_in_the_legacy_family() -> None:
    legacy = {entry["type"] for entry in widgets.catalogue() if entry["legacy"]}
    assert legacy == LEGACY_TYPES
    assert {entry["type"] for entry in widgets.catalogue() if entry["family"] == "Legacy"} == LEGACY_TYPES


def test_it_puts_the_conversations_widgets_in_their_family() -> None:
    assert widgets.get("start-conversation").family == "Conversations"  # type: ignore[union-attr]
    assert widgets.get("resume-conversation").family == "Conversations"  # type: ignore[union-attr]


def test_it_labels_each_widget_with_a_channel() -> None:
    for entry in widgets.catalogue():
        assert entry["channel"] in ("voice", "messaging", "any"), entry["type"]


def test_it_uses_only_the_known_property_types() -> None:
    for entry in widgets.catalogue():
        for prop in entry["properties"]:
            assert prop["type"] in PROP_TYPES, (entry["type"], prop["name"])


@pytest.mark.parametrize("type_str", SPEC_TYPES)
def test_it_gives_a_fresh_widget_a_canvas_offset(type_str: str) -> None:
    assert widgets.get(type_str).defaults()["offset"] == {"x": 0, "y": 0}  # type: ignore[union-attr]


@pytest.mark.parametrize("type_str", SPEC_TYPES)
def test_it_gives_a_fresh_widget_defaults_of_the_right_types(type_str: str) -> None:
    widget = widgets.get(type_str)
    assert widget is not None
    problems = [
        p for p in widget.check_properties(widget.defaults()) if p.code in ("type", "enum", "range", "null")
    ]
    assert problems == []


def test_it_writes_studio_string_forms_in_defaults() -> None:
    assert widgets.get("send-and-wait-for-reply").defaults()["timeout"] == "3600"  # type: ignore[union-attr]
    assert widgets.get("gather-input-on-call").defaults()["profanity_filter"] == "true"  # type: ignore[union-attr]
    assert widgets.get("gather-input-on-call").defaults()["timeout"] == 5  # type: ignore[union-attr]


def test_it_defaults_messages_to_the_contact_and_the_flow_address() -> None:
    defaults = widgets.get("send-message").defaults()  # type: ignore[union-attr]
    assert defaults["to"] == "{{contact.channel.address}}"
    assert defaults["from"] == "{{flow.channel.address}}"


def test_it_marks_which_properties_take_liquid() -> None:
    http = {p["name"]: p for p in widgets.get("make-http-request").describe()["properties"]}  # type: ignore[union-attr]
    assert http["url"]["liquid"] is True
    assert http["method"]["liquid"] is False


def test_it_describes_key_value_arrays_with_their_item_schema() -> None:
    props = {p["name"]: p for p in widgets.get("set-variables").describe()["properties"]}  # type: ignore[union-attr]
    items = {f["name"]: f for f in props["variables"]["items"]["properties"]}
    assert items["key"]["liquid"] is False
    assert items["value"]["liquid"] is True


def test_it_describes_split_conditions_with_all_seventeen_operators() -> None:
    entry = widgets.get("split-based-on").describe()  # type: ignore[union-attr]
    fields = {f["name"]: f for f in entry["condition_schema"]["properties"]}
    assert len(fields["type"]["enum"]) == 17
    assert set(fields) == {"friendly_name", "arguments", "type", "value"}


def test_it_documents_outputs_as_keys_under_widgets_name() -> None:
    assert "outbound.Sid" in widgets.get("send-message").outputs  # type: ignore[union-attr]
    assert "inbound.Body" in widgets.get("send-and-wait-for-reply").outputs  # type: ignore[union-attr]
    assert "parsed" in widgets.get("make-http-request").outputs  # type: ignore[union-attr]
    assert "Digits" in widgets.get("gather-input-on-call").outputs  # type: ignore[union-attr]


def test_it_offers_unconnected_transitions_for_every_event_of_a_fresh_widget() -> None:
    assert widgets.get("send-message").default_transitions() == [  # type: ignore[union-attr]
        {"event": "sent"},
        {"event": "failed"},
    ]


def test_it_starts_a_fresh_split_with_only_a_no_match_transition() -> None:
    assert widgets.get("split-based-on").default_transitions() == [{"event": "noMatch"}]  # type: ignore[union-attr]
