"""Import, undo/redo, copy/paste across flows, revision diffs and stale saves on the canvas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.helpers import api_json, create_flow, drop_widget, node, select
from tests.support import CORPUS_DIR

pytestmark = pytest.mark.e2e

CORPUS = CORPUS_DIR


def corpus_file(name: str) -> Path:
    found = sorted(CORPUS.rglob(name))
    assert found, f"corpus flow {name} not found in {CORPUS}"
    return found[0]


def expected_counts(path: Path) -> tuple[int, int]:
    data = json.loads(path.read_text())
    definition = data if "states" in data else data["definition"]
    names = {s["name"] for s in definition["states"]}
    edges = sum(1 for s in definition["states"] for t in s.get("transitions", []) if t.get("next") in names)
    return len(names), edges


def viewport_zoom(page: Any) -> float:
    return float(
        page.eval_on_selector(
            ".react-flow__viewport", "el => new DOMMatrixReadOnly(getComputedStyle(el).transform).a"
        )
    )


def assert_opens_readable(page: Any) -> None:
    page.wait_for_timeout(300)
    assert viewport_zoom(page) >= 0.5 - 1e-3
    pane = page.locator(".react-flow__pane").bounding_box()
    box = page.locator("[data-widget-name=Trigger]").bounding_box()
    assert pane["x"] <= box["x"] and box["x"] + box["width"] <= pane["x"] + pane["width"]
    assert pane["y"] <= box["y"] and box["y"] + box["height"] <= pane["y"] + pane["height"]


@pytest.mark.parametrize("name", ["23-plastik-bank-ivr.json", "11-flex-interactive-webchat-bot.json"])
def test_it_draws_every_widget_and_edge_of_an_imported_corpus_flow(app: Any, name: str) -> None:
    page = app
    path = corpus_file(name)
    widgets, edges = expected_counts(path)
    page.goto(f"{page.base}/")
    page.set_input_files("[data-testid=import-file]", str(path))
    page.fill("[data-testid=import-flow-name]", name)
    page.click("[data-testid=import-flow-button]")
    page.wait_for_url("**/flows/FW*")
    # It opens at a readable zoom on the Trigger, not shrunk to fit; "Zoom to fit" shows it all.
    page.wait_for_selector("[data-widget-name=Trigger]")
    assert_opens_readable(page)
    page.click("[data-testid=fit-view-button]")
    page.wait_for_function("n => document.querySelectorAll('[data-widget-name]').length === n", arg=widgets)
    page.wait_for_function("n => document.querySelectorAll('.react-flow__edge').length === n", arg=edges)
    assert page.locator("[data-widget-name]").count() == widgets
    assert page.locator(".react-flow__edge").count() == edges
    shot(page, f"import-{name.removesuffix('.json')}")


def test_it_imports_pasted_json_and_undoes_and_redoes_a_delete_with_its_edges(app: Any) -> None:
    page = app
    path = corpus_file("06-volunteer-communication.json")
    widgets, edges = expected_counts(path)
    page.goto(f"{page.base}/")
    page.fill("[data-testid=import-json]", path.read_text())
    page.click("[data-testid=import-flow-button]")
    page.wait_for_url("**/flows/FW*")
    page.wait_for_function("n => document.querySelectorAll('.react-flow__edge').length === n", arg=edges)

    data = json.loads(path.read_text())
    definition = data if "states" in data else data["definition"]
    # The most connected non-trigger widget, and the edges that touch it.
    names = {s["name"] for s in definition["states"]}
    links = [
        (s["name"], t["next"])
        for s in definition["states"]
        for t in s.get("transitions", [])
        if t.get("next") in names
    ]
    candidates = [s["name"] for s in definition["states"] if s["type"] != "trigger"]
    touching = {n: sum(1 for a, b in links if n in (a, b)) for n in candidates}
    victim = max(candidates, key=lambda n: touching[n])
    select(page, victim)
    page.click("[data-testid=delete-button]")
    page.wait_for_function(
        "n => document.querySelectorAll('[data-widget-name]').length === n", arg=widgets - 1
    )
    assert page.locator(".react-flow__edge").count() == edges - touching[victim]

    page.click("[data-testid=undo-button]")
    page.wait_for_function("n => document.querySelectorAll('[data-widget-name]').length === n", arg=widgets)
    page.wait_for_function("n => document.querySelectorAll('.react-flow__edge').length === n", arg=edges)

    page.click("[data-testid=redo-button]")
    page.wait_for_function(
        "n => document.querySelectorAll('[data-widget-name]').length === n", arg=widgets - 1
    )

    # Keyboard: Ctrl+Z brings it back, Ctrl+Shift+Z removes it again.
    page.locator(".react-flow__pane").click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+z")
    page.wait_for_function("n => document.querySelectorAll('.react-flow__edge').length === n", arg=edges)
    page.keyboard.press("Control+Shift+z")
    page.wait_for_function(
        "n => document.querySelectorAll('[data-widget-name]').length === n", arg=widgets - 1
    )
    assert node(page, victim).count() == 0

    # An edge alone: select it, Delete cuts it; undo puts it back.
    page.keyboard.press("Control+z")
    page.wait_for_function("n => document.querySelectorAll('.react-flow__edge').length === n", arg=edges)
    page.locator(".react-flow__edge").first.dispatch_event("click")
    page.keyboard.press("Delete")
    page.wait_for_function("n => document.querySelectorAll('.react-flow__edge').length === n", arg=edges - 1)
    assert page.locator("[data-widget-name]").count() == widgets
    page.click("[data-testid=undo-button]")
    page.wait_for_function("n => document.querySelectorAll('.react-flow__edge').length === n", arg=edges)


def test_it_copies_widgets_from_one_flow_and_pastes_them_into_another(app: Any) -> None:
    page = app
    create_flow(page, "Source", template="sms-survey")
    page.wait_for_selector("[data-widget-name=check_answer]")
    select(page, "thanks")
    page.keyboard.down("Shift")
    node(page, "check_answer").locator(".widget-type").dispatch_event("click")
    page.keyboard.up("Shift")
    page.click("[data-testid=copy-button]")
    page.wait_for_selector("[data-testid=status]:has-text('Copied 2')")

    # Paste twice into the same flow: names are de-duplicated.
    page.click("[data-testid=paste-button]")
    page.wait_for_selector("[data-widget-name=thanks_1]")
    page.wait_for_selector("[data-widget-name=check_answer_1]")

    create_flow(page, "Target")
    page.click("[data-testid=paste-button]")
    page.wait_for_selector("[data-widget-name=thanks]")
    page.wait_for_selector("[data-widget-name=check_answer]")
    # The match branch of the pasted split still leads to the pasted send-message.
    assert page.locator(".react-flow__edge").count() == 1
    assert node(page, "check_answer").get_attribute("data-widget-type") == "split-based-on"
    page.click("[data-testid=paste-button]")
    page.wait_for_selector("[data-widget-name=thanks_1]")
    page.click("[data-testid=save-button]")
    page.wait_for_selector("[data-testid=status]:has-text('Saved revision 2')")
    shot(page, "paste-across-flows")


def test_it_draws_a_revision_diff_and_restores_an_old_revision(app: Any) -> None:
    page = app
    sid = create_flow(page, "Diffed", template="sms-survey")
    # Revision 2: add a widget, change a body, move a widget.
    added = drop_widget(page, "send-message", 700, 150)
    select(page, "thanks")
    page.fill("[data-testid=prop-body]", "Great, thank you!")
    box = node(page, "sorry").locator(".widget-type").bounding_box()
    page.mouse.move(box["x"] + 10, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] - 60, box["y"] + 40, steps=5)
    page.mouse.up()
    page.click("[data-testid=save-button]")
    page.wait_for_selector("[data-testid=status]:has-text('Saved revision 2')")

    page.click("[data-testid=history-button]")
    page.wait_for_selector("[data-testid=revision-2]")
    page.click("[data-testid=show-diff-button]")
    page.wait_for_selector("[data-testid=diff-summary]")
    assert node(page, added).get_attribute("data-mark") == "added"
    assert node(page, "thanks").get_attribute("data-mark") == "changed"
    assert node(page, "sorry").get_attribute("data-mark") == "moved"
    assert node(page, "ask").get_attribute("data-mark") is None
    shot(page, "revision-diff")

    # Swap the direction: the new widget shows as removed (a ghost).
    page.check("[aria-label='Diff from revision 2']")
    page.check("[aria-label='Diff to revision 1']")
    page.click("[data-testid=show-diff-button]")
    page.wait_for_function(
        "n => document.querySelector(`[data-widget-name='${n}']`)?.dataset.mark === 'removed'", arg=added
    )
    page.click("[data-testid=close-diff-button]")

    page.click("[data-testid=restore-1]")
    page.wait_for_selector("[data-testid=status]:has-text('Restored revision 1 as revision 3')")
    assert node(page, added).count() == 0
    detail = api_json(page, "GET", f"/api/console/flows/{sid}")
    assert detail["body"]["revision"] == 3


def test_it_shows_a_conflict_dialog_instead_of_overwriting_a_newer_revision(app: Any) -> None:
    page = app
    sid = create_flow(page, "Contended")
    drop_widget(page, "send-message", 300, 300)
    # Someone else saves revision 2 meanwhile.
    current = api_json(page, "GET", f"/api/console/flows/{sid}")["body"]
    other = api_json(
        page,
        "POST",
        f"/api/console/flows/{sid}/revisions",
        {
            "definition": current["definition"],
            "expected_revision": 1,
            "status": "draft",
            "commit_message": "theirs",
        },
    )
    assert other["status"] == 201
    page.click("[data-testid=save-button]")
    page.wait_for_selector("[data-testid=conflict-dialog]")
    shot(page, "conflict")
    page.click("[data-testid=conflict-overwrite]")
    page.wait_for_selector("[data-testid=status]:has-text('Saved revision 3')")
    saved = api_json(page, "GET", f"/api/console/flows/{sid}")["body"]
    assert [s["name"] for s in saved["definition"]["states"]] == ["Trigger", "send_message_1"]
