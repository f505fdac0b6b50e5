"""The simulator's transcript of any sender, its REST tab and the executions list, in Chromium."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.test_simulator import CORPUS, open_flow, send

pytestmark = pytest.mark.e2e


def test_it_shows_every_bot_message_of_corpus_flow_11_sent_as_nfm_lending(app: Any) -> None:
    page = app
    data = json.loads((CORPUS / "11-flex-interactive-webchat-bot.json").read_text())
    open_flow(page, "Webchat bot", data.get("definition", data))
    send(page, "hello")
    outbound = page.locator(".sim-msg.outbound")
    outbound.first.wait_for()
    assert outbound.first.locator(".sim-body").inner_text() == "Please enter your first name"
    assert outbound.first.get_by_test_id("sim-sender").inner_text() == "NFM Lending"
    send(page, "Ada")
    page.wait_for_function("() => document.querySelectorAll('.sim-msg.outbound').length === 2")
    assert outbound.nth(1).locator(".sim-body").inner_text() == "Please enter your last name"
    page.wait_for_selector("[data-widget-name=enter_lastname][data-live=active]")
    shot(page, "simulator-nfm-lending")
