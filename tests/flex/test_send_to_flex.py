"""Send to Flex end to end: a contact texts a flow, the flow's Send to Flex creates a TaskRouter
task on the widget's workflow and channel, and the task reaches an available worker."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from executions.models import Execution
from flex.gateway import TaskRouterGateway
from flex.models import Reservation, Task, Workflow
from tests.executions.factories import definition, on, state
from tests.executions.support import send_sms
from tests.flex.helpers import worker, workspace

pytestmark = pytest.mark.django_db(transaction=True)

CONTACT, NUMBER = "+15551230000", "+15550001111"


def flex_flow(workflow_sid: str, channel: str = "sms") -> dict[str, Any]:
    mark = lambda name: state(  # noqa: E731
        name, "set-variables", [on("next")], variables=[{"key": "took", "value": name}]
    )
    return definition(
        state(
            "to_agent",
            "send-to-flex",
            [on("callComplete", "callComplete"), on("failedToEnqueue", "failedToEnqueue"), on("callFailure")],
            workflow=workflow_sid,
            channel=channel,
            attributes='{"name": "{{trigger.message.From}}", "channelType": "sms", "body": "{{trigger.message.Body}}"}',
            priority="4",
        ),
        mark("callComplete"),
        mark("failedToEnqueue"),
        trigger=[on("incomingMessage", "to_agent")],
    )


def test_a_texted_contact_reaches_an_available_agent(flow_factory: Any, alice: Any) -> None:
    ws = workspace(alice)
    agent = worker(ws, "agent")
    flow_sid = Workflow.objects.get(workspace=ws, friendly_name="Assign to Anyone").sid
    flow = flow_factory(flex_flow(flow_sid))
    send_sms(Client(), flow, CONTACT, NUMBER, "I need a person")

    ex = Execution.objects.get(flow=flow)
    assert ex.context["flow"]["variables"]["took"] == "callComplete"
    task = Task.objects.get(sid=ex.context["widgets"]["to_agent"]["TaskSid"])
    assert json.loads(task.attributes) == {"name": CONTACT, "channelType": "sms", "body": "I need a person"}
    assert (task.task_channel.unique_name, task.priority, task.timeout) == ("sms", 4, 3600)
    assert task.assignment_status == "reserved"
    reservation = Reservation.objects.get(task=task)
    assert (reservation.worker_id, reservation.reservation_status) == (agent.pk, "pending")


def test_a_flow_pointing_at_another_accounts_workflow_fails_to_enqueue(
    flow_factory: Any, alice: Any, bob: Any
) -> None:
    theirs = workspace(bob)
    flow_sid = Workflow.objects.get(workspace=theirs).sid
    flow = flow_factory(flex_flow(flow_sid))
    send_sms(Client(), flow, CONTACT, NUMBER, "hello")
    ex = Execution.objects.get(flow=flow)
    assert ex.context["flow"]["variables"]["took"] == "failedToEnqueue"
    assert Task.objects.count() == 0


def test_the_gateway_refuses_an_unknown_channel(alice: Any) -> None:
    from studio.widgets.runtime import FlexError

    ws = workspace(alice)
    flow_sid = Workflow.objects.get(workspace=ws).sid
    with pytest.raises(FlexError, match="TaskChannel fax does not exist"):
        TaskRouterGateway().create_task(alice, flow_sid, "fax", {}, 0, 60)
    channel_sid = ws.task_channels.get(unique_name="chat").sid
    sid = TaskRouterGateway().create_task(alice, flow_sid, channel_sid, {"a": 1}, 0, 60)
    assert Task.objects.get(sid=sid).task_channel.unique_name == "chat"
