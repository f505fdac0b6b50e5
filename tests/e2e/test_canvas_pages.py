"""Validation problems on the canvas, the flows list, and export."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.helpers import create_flow, drop_widget, node, select

pytestmark = pytest.mark.e2e


def test_it_shows_server_validation_errors_on_the_widget_and_jumps_to_them(app: Any) -> None:
    page = app
    create_flow(page, "Broken")
    name = drop_widget(page, "send-message", 300, 300)
    # A fresh Send Message has no body yet: the server's validator says so, on that widget.
    badge = node(page, name).locator("[data-testid=widget-error-badge]")
    badge.wait_for()
    assert node(page, "Trigger").locator("[data-testid=widget-error-badge]").count() == 0
    problem = page.locator("[data-testid=problem-error]").first
    assert name in problem.inner_text() and "#/states/1/properties/body" in problem.inner_text()

    select(page, "Trigger")
    problem.click()
    page.wait_for_selector(f"[data-testid=widget-name-input][value='{name}']")

    page.click("[data-testid=publish-button]")
    page.wait_for_selector("[data-testid=status]:has-text('Not published')")
    shot(page, "validation-errors")

    page.fill("[data-testid=prop-body]", "Hello")
    badge.wait_for(state="detached")
    page.click("[data-testid=publish-button]")
    page.wait_for_selector("[data-testid=status]:has-text('Published')")


def test_it_lists_searches_duplicates_and_deletes_flows(app: Any) -> None:
    page = app
    create_flow(page, "Alpha line", template="sms-auto-reply")
    create_flow(page, "Beta line")
    page.goto(f"{page.base}/")
    rows = page.locator("[data-testid=flows-table] tbody tr")
    rows.nth(1).wait_for()
    assert rows.count() == 2
    page.fill("[data-testid=flows-search]", "alpha")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=flows-table] tbody tr').length === 1"
    )
    alpha = page.locator("tr[data-flow-name='Alpha line']")
    assert "draft" in alpha.inner_text()
    page.fill("[data-testid=flows-search]", "")
    alpha.locator("button", has_text="Duplicate").click()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=flows-table] tbody tr').length === 3"
    )
    page.locator("tr[data-flow-name='Beta line'] button", has_text="Delete").click()
    page.locator("tr[data-flow-name='Beta line'] button", has_text="Really delete?").click()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=flows-table] tbody tr').length === 2"
    )
    assert page.locator("tr[data-flow-name='Beta line']").count() == 0
    shot(page, "flows-list")


def test_it_exports_the_definition_as_json(app: Any) -> None:
    page = app
    create_flow(page, "Exported", template="sms-survey")
    with page.expect_download() as download:
        page.click("[data-testid=export-button]")
    exported = json.loads(open(download.value.path()).read())
    assert exported["initial_state"] == "Trigger"
    assert [s["name"] for s in exported["states"]] == ["Trigger", "ask", "check_answer", "thanks", "sorry"]
