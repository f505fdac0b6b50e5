"""User text is shown as text in Chromium, never run: a flow name, a widget name, a message body
and a task attribute holding ``<img src=x onerror=…>`` and ``<script>`` appear literally on the
console pages, no such element is created and nothing runs (the ``app`` fixture also fails on
any Content Security Policy report, which an injected handler would cause)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.test_simulator import send
from tests.executions.factories import definition, make_flow, on, state
from tests.flex.helpers import task, worker, workspace

pytestmark = pytest.mark.e2e

IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "<script>window.__xss=1</script>"
PAYLOAD = IMG + SCRIPT


def assert_inert(page: Any, where: str) -> None:
    ran = page.evaluate("() => window.__xss")
    injected = page.evaluate(
        "() => document.querySelectorAll('img[src=x]').length"
        " + [...document.scripts].filter(s => s.textContent.includes('__xss')).length"
    )
    assert (ran, injected) == (None, 0), where
    assert IMG in page.locator("body").inner_text(), f"{where}: the text is not shown as text"


def test_a_flow_name_a_widget_name_and_a_message_body_render_inert(app: Any) -> None:
    flow = make_flow(
        app.account,
        definition(
            state(
                "say",
                "send-message",
                [on("sent"), on("failed")],
                body=PAYLOAD,
                to="{{contact.channel.address}}",
            ),
            state(PAYLOAD, "set-variables", [on("next")], variables=[]),
            trigger=[on("incomingMessage", "say")],
        ),
        name=PAYLOAD,
        published=False,
    )
    app.goto(f"{app.base}/")
    app.get_by_text(IMG, exact=False).first.wait_for()
    assert_inert(app, "flows list")

    app.goto(f"{app.base}/flows/{flow.sid}")
    app.wait_for_selector("[data-widget-name=Trigger]")
    app.wait_for_selector("[data-widget-name=say]")
    assert_inert(app, "canvas")

    app.click("[data-testid=simulator-button]")
    app.wait_for_selector("[data-testid=simulator-panel]")
    send(app, "hello")
    app.locator(".sim-msg.outbound").first.wait_for()
    assert app.locator(".sim-msg.outbound").first.inner_text() == PAYLOAD
    assert_inert(app, "simulator transcript")
    shot(app, "user-text-inert-canvas")


def test_a_task_attribute_renders_inert_for_the_agent_and_the_supervisor(app: Any) -> None:
    ws = workspace(app.account)
    worker(ws, "Alice", skills=["billing"], contact_uri="client:alice")
    task(ws, name=PAYLOAD, body=PAYLOAD, **{"from": "+15551230000"})

    app.goto(f"{app.base}/flex/agent")
    app.locator("[data-reservation]").wait_for()
    assert_inert(app, "agent console")
    shot(app, "user-text-inert-agent")

    app.goto(f"{app.base}/flex/supervisor")
    app.locator("[data-worker=Alice]").wait_for()
    ran = app.evaluate("() => window.__xss")
    assert ran is None


def test_a_function_log_line_renders_inert(app: Any, settings: Any, tmp_path: Any) -> None:
    from serverless import services
    from serverless.models import Log

    settings.SERVERLESS = {**settings.SERVERLESS, "ROOT": tmp_path, "FUNCTIONS_DOMAIN": ""}
    service = services.create_service(app.account, "inert", "Inert")
    env = services.create_environment(service, "dev", "dev")
    Log.objects.create(account=app.account, service=service, environment=env, message=PAYLOAD)

    app.goto(f"{app.base}/functions/{service.sid}")
    app.wait_for_selector("[data-testid=functions-service]")
    app.locator("label:has-text('live') input[type=checkbox]").check()
    app.wait_for_selector("[data-testid=logs]:has-text('onerror')")
    assert_inert(app, "function logs")
