"""Flex's defaults: the "Flex Task Assignment" workspace and the three published default flows
(Voice IVR, Messaging Flow, WebChat Flow), each ending in Send to Flex on Assign to Anyone."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import Account
from executions.models import Execution
from flex.flex_defaults import seed_account
from flex.models import Reservation, Task, Worker, Workspace
from studio.models import Flow
from studio.revisions import validate
from tests.executions.support import send_sms

pytestmark = pytest.mark.django_db(transaction=True)
NAMES = ["Messaging Flow", "Voice IVR", "WebChat Flow"]


def test_it_seeds_the_workspace_and_three_valid_published_flows(alice: Any) -> None:
    ws = seed_account(alice)
    assert ws.friendly_name == "Flex Task Assignment"
    assert sorted(ws.activities.values_list("friendly_name", flat=True)) == [
        "Available",
        "Break",
        "Offline",
        "Unavailable",
    ]
    flows = Flow.objects.filter(account=alice).order_by("friendly_name")
    assert [f.friendly_name for f in flows] == NAMES
    workflow = ws.workflows.get(friendly_name="Assign to Anyone")
    for flow in flows:
        assert flow.status == "published"
        definition = flow.latest_revision().definition
        assert validate(definition).valid, validate(definition).errors
        (to_flex,) = [s for s in definition["states"] if s["type"] == "send-to-flex"]
        assert to_flex["properties"]["workflow"] == workflow.sid
    assert seed_account(alice).pk == ws.pk and Flow.objects.filter(account=alice).count() == 3  # idempotent


def test_a_text_to_the_default_messaging_flow_reaches_the_agent(alice: Any, django_user_model: Any) -> None:
    user = django_user_model.objects.create_user(username="agent007", password="pw")
    ws = seed_account(alice, user)
    agent = Worker.objects.get(workspace=ws)
    assert agent.attrs()["contact_uri"] == "client:agent007" and agent.activity.friendly_name == "Offline"
    from flex.lifecycle import set_activity

    set_activity(agent, ws.activities.get(friendly_name="Available"))
    flow = Flow.objects.get(account=alice, friendly_name="Messaging Flow")
    send_sms(Client(), flow, "+15551230000", "+15550001111", "help me")
    ex = Execution.objects.get(flow=flow)
    task = Task.objects.get(sid=ex.context["widgets"]["SendMessageToAgent"]["TaskSid"])
    assert json.loads(task.attributes)["body"] == "help me" and task.task_channel.unique_name == "sms"
    assert Reservation.objects.get(task=task).worker_id == agent.pk


def test_new_accounts_get_flex_when_the_setting_is_on(settings: Any) -> None:
    settings.FLEX_SEED_NEW_ACCOUNTS = True
    account = Account.objects.create(friendly_name="New")
    assert Workspace.objects.filter(account=account, friendly_name="Flex Task Assignment").exists()
    assert Flow.objects.filter(account=account).count() == 3
    settings.FLEX_SEED_NEW_ACCOUNTS = False
    assert not Workspace.objects.filter(account=Account.objects.create(friendly_name="Other")).exists()


def test_the_command_seeds_a_users_accounts_and_prints_the_webhooks(
    alice: Any, django_user_model: Any
) -> None:
    from accounts.models import Membership

    user = django_user_model.objects.create_user(username="admin", password="pw")
    Membership.objects.create(user=user, account=alice, role=Membership.Role.OWNER)
    out = StringIO()
    call_command("flex_seed", "--user", "admin", stdout=out)
    text = out.getvalue()
    assert f"/v1/Accounts/{alice.sid}/Flows/FW" in text and "Messaging Flow" in text
    assert Worker.objects.filter(workspace__account=alice, friendly_name="admin").exists()
