"""Flex in Chromium: a contact texts a flow whose Send to Flex routes by skill; the billing agent
sees the task in the agent console, accepts it, replies to the contact, completes it; the
supervisor sees the queue."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from flex.models import Task, TaskQueue, Workflow
from tests.e2e.conftest import shot
from tests.executions.factories import definition, make_flow, on, state
from tests.executions.support import send_sms
from tests.flex.helpers import worker, workspace

pytestmark = pytest.mark.e2e


def billing_routing(ws: Any) -> Workflow:
    import json

    billing = TaskQueue.objects.create(
        workspace=ws, friendly_name="Billing", target_workers="skills HAS 'billing'"
    )
    config = {"task_routing": {"filters": [], "default_filter": {"queue": billing.sid}}}
    return Workflow.objects.create(workspace=ws, friendly_name="Billing", configuration=json.dumps(config))


def texting_flow(account: Any, workflow_sid: str) -> Any:
    return make_flow(
        account,
        definition(
            state(
                "to_agent",
                "send-to-flex",
                [on("callComplete"), on("failedToEnqueue"), on("callFailure")],
                workflow=workflow_sid,
                channel="sms",
                attributes='{"name": "{{trigger.message.From}}", "from": "{{trigger.message.From}}", '
                '"to": "{{trigger.message.To}}", "body": "{{trigger.message.Body}}"}',
            ),
            trigger=[on("incomingMessage", "to_agent")],
        ),
    )


def test_an_sms_contact_reaches_the_billing_agent_who_completes_the_task(app: Any) -> None:
    ws = workspace(app.account)
    worker(ws, "Sales agent", skills=["sales"])  # available, but not for billing
    worker(ws, "Alice", available=False, skills=["billing"], contact_uri="client:alice")
    flow = texting_flow(app.account, billing_routing(ws).sid)

    app.goto(f"{app.base}/flex/agent")
    app.locator("[data-activity=Available]").click()
    app.wait_for_function("() => document.getElementById('activity').textContent === 'Available'")

    send_sms(Client(), flow, "+15551230000", "+15550001111", "My bill is wrong")
    task = Task.objects.get()
    offer = app.locator("[data-reservation]")
    offer.wait_for()
    assert "+15551230000" in offer.inner_text() and "My bill is wrong" in offer.inner_text()
    shot(app, "flex-agent-offer")
    offer.locator("[data-action=accept]").click()
    app.locator("[data-action=complete]").wait_for()
    assert Task.objects.get(pk=task.pk).assignment_status == "assigned"
    app.locator("[data-message=inbound]").first.wait_for()  # the contact's text, in the conversation
    app.locator("[data-reply]").fill("Let me fix that for you")
    app.locator("[data-action=send]").click()
    app.locator("[data-message=outbound]").wait_for()
    assert "Let me fix that for you" in app.locator("[data-message=outbound]").inner_text()
    shot(app, "flex-agent-conversation")
    app.locator("[data-action=complete]").click()
    app.get_by_text("No task for you right now.").wait_for()
    assert Task.objects.get(pk=task.pk).assignment_status == "completed"

    app.goto(f"{app.base}/flex/supervisor")
    row = app.locator("[data-worker=Alice]")
    row.wait_for()
    assert "Available" in row.inner_text()
    assert app.locator("[data-queue=Billing]").inner_text().split("\t")[1].strip() == "0"
    shot(app, "flex-supervisor")
