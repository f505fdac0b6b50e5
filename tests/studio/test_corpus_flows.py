"""Acceptance: the 31 real, public Studio flows in the shared corpus validate.

The corpus is copied into tests/corpus/studio-flows (SOURCES.md says where each flow comes
from); ``STUDIO_CORPUS_DIR`` points elsewhere.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from studio import widgets
from studio.validation import validate_definition

CORPUS = Path(
    os.environ.get("STUDIO_CORPUS_DIR", Path(__file__).resolve().parents[1] / "corpus" / "studio-flows")
)
FLOWS = sorted(CORPUS.glob("*.json"))

# Flows that use widgets which cannot run here (send-to-auto-pilot): warnings are expected.
LEGACY_FLOWS = {"05-volunteer-communication-center.json", "06-volunteer-communication.json"}

# Corpus 18 comes from an unmerged pull request; its Check_Decision split sends "1" to a
# widget named Goodbye that is not in the file. It must still import: we warn about it.
DANGLING_TRANSITIONS: dict[str, list[str]] = {
    "18-ca-regulatory-subflows.json": ["#/states/16/transitions/1/next"],
}


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def test_it_finds_all_31_flows() -> None:
    assert len(FLOWS) == 31


@pytest.mark.parametrize("path", FLOWS, ids=lambda p: p.name)
def test_it_validates_each_corpus_flow_without_errors(path: Path) -> None:
    result = validate_definition(_load(path))
    assert result.errors == []
    dangling = [w["property_path"] for w in result.warnings if w["code"] == "transition_target"]
    assert dangling == DANGLING_TRANSITIONS.get(path.name, [])


@pytest.mark.parametrize("path", FLOWS, ids=lambda p: p.name)
def test_it_only_warns_about_legacy_widgets_in_legacy_flows(path: Path) -> None:
    result = validate_definition(_load(path))
    legacy_warnings = [w for w in result.warnings if w["code"] == "legacy_widget"]
    assert bool(legacy_warnings) == (path.name in LEGACY_FLOWS)


@pytest.mark.parametrize("path", FLOWS, ids=lambda p: p.name)
def test_it_warns_about_nothing_but_legacy_unreachable_or_dangling(path: Path) -> None:
    result = validate_definition(_load(path))
    assert {w["code"] for w in result.warnings} <= {"legacy_widget", "unreachable", "transition_target"}


def test_it_knows_every_widget_type_the_corpus_uses() -> None:
    used = {state["type"] for path in FLOWS for state in _load(path)["states"]}
    assert used <= set(widgets.REGISTRY)


def test_it_knows_every_event_the_corpus_uses() -> None:
    for path in FLOWS:
        for state in _load(path)["states"]:
            widget = widgets.get(state["type"])
            assert widget is not None
            for transition in state["transitions"]:
                assert transition["event"] in widget.events_for(state["properties"]), (
                    path.name,
                    state["name"],
                )


def test_it_reports_the_unreachable_widgets_of_a_real_flow() -> None:
    result = validate_definition(_load(CORPUS / "09-hls-outreach-postdischarge.json"))
    assert [(w["property_path"], w["code"]) for w in result.warnings] == [("#/states/10", "unreachable")]
