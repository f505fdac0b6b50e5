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


def rest_flow() -> dict[str, Any]:
    trigger = {"event": "incomingRequest", "next": "greet"}
    return {
        "description": "REST e2e",
        "initial_state": "Trigger",
        "flags": {"allow_concurrent_calls": True},
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "transitions": [{"event": "incomingMessage"}, {"event": "incomingCall"}, trigger],
                "properties": {"offset": {"x": 0, "y": 0}},
            },
            {
                "name": "greet",
                "type": "send-and-wait-for-reply",
                "transitions": [
                    {"event": "incomingMessage", "next": "bye"},
                    {"event": "timeout"},
                    {"event": "deliveryFailure"},
                ],
                "properties": {
                    "offset": {"x": 0, "y": 220},
                    "from": "{{flow.channel.address}}",
                    "body": "Hello {{flow.data.name}}, confirm?",
                    "timeout": "3600",
                },
            },
            {
                "name": "bye",
                "type": "send-message",
                "transitions": [{"event": "sent"}, {"event": "failed"}],
                "properties": {
                    "offset": {"x": 0, "y": 440},
                    "from": "{{flow.channel.address}}",
                    "to": "{{contact.channel.address}}",
                    "body": "Got {{widgets.greet.inbound.Body}}",
                },
            },
        ],
    }


def test_it_triggers_a_rest_execution_from_the_simulator_and_follows_it(app: Any) -> None:
    page = app
    open_flow(page, "REST flow", rest_flow())
    page.click("[data-testid=sim-tab-rest]")
    page.fill("[data-testid=sim-rest-params]", "[1]")
    page.click("[data-testid=sim-rest-start]")
    assert "JSON object" in page.get_by_test_id("sim-rest-error").inner_text()
    page.fill("[data-testid=sim-rest-params]", '{"name": "Ada"}')
    page.click("[data-testid=sim-rest-start]")
    messages = page.get_by_test_id("sim-rest-messages")
    messages.locator(".sim-msg.outbound").first.wait_for()
    assert messages.locator(".sim-msg.outbound .sim-body").first.inner_text() == "Hello Ada, confirm?"
    assert page.get_by_test_id("sim-rest-step").first.inner_text() == "Trigger —incomingRequest→ greet"
    page.wait_for_selector("[data-widget-name=greet][data-live=active]")
    page.fill("[data-testid=sim-rest-reply]", "yes")
    page.press("[data-testid=sim-rest-reply]", "Enter")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=sim-rest-messages] .sim-msg.outbound').length === 2"
    )
    page.wait_for_function("() => document.querySelectorAll('[data-testid=sim-rest-step]').length === 3")
    assert "ended" in page.get_by_test_id("sim-rest-execution").inner_text()
    shot(page, "simulator-rest")


def write_beside_the_server(write: Any) -> None:
    """The live server shares the in-memory SQLite database: a write waits out its reads."""
    import time

    from django.db import OperationalError

    for _ in range(50):
        try:
            write()
            return
        except OperationalError:
            time.sleep(0.1)
    write()


def test_it_filters_ends_deletes_and_flags_stuck_executions_in_the_list(app: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from executions.models import Execution, Wait
    from tests.e2e.test_simulator import survey

    page = app
    open_flow(page, "Executions list", survey())
    for contact in ("+15550100011", "+15550100022"):
        page.fill("[data-testid=sim-from]", contact)
        send(page, "hi")
        page.wait_for_selector(f".sim-msg.outbound[data-to='{contact}']")

    def idle_for_hours() -> None:
        # Waiting with no timer (as a voice widget waits for its callback) for two hours.
        Execution.objects.filter(contact_channel_address="+15550100022").update(
            date_updated=timezone.now() - dt.timedelta(hours=2)
        )
        Wait.objects.filter(execution__contact_channel_address="+15550100022").delete()

    write_beside_the_server(idle_for_hours)
    page.click("[data-testid=sim-tab-executions]")
    rows = page.locator("[data-testid=execution-row]")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=execution-row]').length === 2")
    page.wait_for_selector("[data-testid=execution-row][data-stuck=idle]")
    page.fill("[data-testid=executions-contact]", "0011")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=execution-row]').length === 1")
    assert "+15550100011" in rows.first.inner_text()
    rows.first.get_by_test_id("execution-end").click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=execution-row]').length === 0")
    assert Execution.objects.filter(contact_channel_address="+15550100011").get().status == "ended"
    page.fill("[data-testid=executions-contact]", "")
    page.click("[data-testid=executions-stuck]")
    page.wait_for_selector("[data-testid=executions-end-stuck]")
    shot(page, "executions-stuck")
    page.click("[data-testid=executions-end-stuck]")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=execution-row]').length === 0")
    page.click("[data-testid=executions-ended]")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=execution-row]').length === 2")
    page.once("dialog", lambda dialog: dialog.accept())
    rows.first.get_by_test_id("execution-delete").click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=execution-row]').length === 1")
    assert Execution.objects.count() == 1


def test_it_draws_path_counts_on_the_edges_when_analytics_is_on(app: Any) -> None:
    from tests.e2e.test_simulator import survey

    page = app
    open_flow(page, "Analytics", survey())
    for contact, texts in (("+15550100031", ("hi", "Ada")), ("+15550100032", ("hi",))):
        page.fill("[data-testid=sim-from]", contact)
        for text in texts:
            send(page, text)
        page.wait_for_selector(f".sim-msg.outbound[data-to='{contact}']")
    page.wait_for_function("() => document.querySelectorAll('.sim-msg.outbound').length === 1")
    assert page.locator(".react-flow__edge-text").count() == 0
    page.check("[data-testid=analytics-toggle]")

    def label(edge_id: str) -> str:
        return str(page.locator(f"[data-testid='rf__edge-{edge_id}'] .react-flow__edge-text").text_content())

    page.wait_for_function(
        "() => document.querySelector(\"[data-testid='rf__edge-Trigger>incomingMessage'] .react-flow__edge-text\")"
        "?.textContent === '2'"
    )
    assert label("ask>incomingMessage") == "1"
    assert "ended at thanks: 1" in page.get_by_test_id("analytics-dropoffs").inner_text()
    shot(page, "analytics-counts")
    # A custom window that ends before the traffic counts none of it.
    steps = page.get_by_test_id("analytics-steps").inner_text()
    assert steps == "4 steps"
    page.select_option("[data-testid=analytics-window]", "custom")
    page.fill("[data-testid=analytics-since]", "2020-01-01T00:00")
    page.fill("[data-testid=analytics-until]", "2020-01-02T00:00")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=analytics-steps]')?.textContent === '0 steps'"
    )
    page.fill("[data-testid=analytics-until]", "")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=analytics-steps]')?.textContent === '4 steps'"
    )
    page.uncheck("[data-testid=analytics-toggle]")
    page.wait_for_function("() => document.querySelectorAll('.react-flow__edge-text').length === 0")
