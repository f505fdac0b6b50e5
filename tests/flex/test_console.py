"""The agent console and the supervisor view: a console user linked to a worker
(``contact_uri`` ``client:<username>``) goes Available, sees a reservation arrive live,
accepts, wraps up and completes it; a supervisor sees queues and workers."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.test import override_settings

from flex.models import Task, Worker
from tests.flex.helpers import status, task, worker, workspace
from tests.studio.console import post

pytestmark = pytest.mark.django_db(transaction=True)
MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def agent_state(console: Any) -> dict[str, Any]:
    response = console.get("/api/console/flex/agent")
    assert response.status_code == 200
    return response.json()


def test_the_pages_need_a_login() -> None:
    from django.test import Client

    anonymous = Client()
    assert anonymous.get("/flex/agent").status_code == 302
    assert anonymous.get("/api/console/flex/agent").status_code in (401, 403)


def test_the_agent_page_is_served_to_a_console_user(console: Any) -> None:
    response = console.get("/flex/agent")
    assert response.status_code == 200 and b"/static/flex/console.js" in response.content
    script = console.get("/static/flex/console.js")  # a file: the console's CSP allows no inline script
    assert script.status_code == 200 and b"/api/console/flex/" in b"".join(script.streaming_content)


def test_an_agent_goes_available_and_works_a_task_to_completion(console: Any, alice: Any) -> None:
    ws = workspace(alice)
    me = worker(ws, "Alice the agent", available=False, contact_uri="client:alice")
    worker(ws, "someone else", available=False, contact_uri="client:carol")
    waiting = task(ws, name="Bob", channel="chat")
    state = agent_state(console)
    assert [w["friendly_name"] for w in state["workers"]] == ["Alice the agent"]
    available = next(a for a in state["workers"][0]["activities"] if a["friendly_name"] == "Available")

    after = post(
        console, f"/api/console/flex/agent/{me.sid}/activity", {"activity_sid": available["sid"]}
    ).json()
    assert after["activity_name"] == "Available"
    (offer,) = after["reservations"]
    assert offer["reservation_status"] == "pending" and offer["task"]["attributes"] == {"name": "Bob"}

    path = f"/api/console/flex/agent/{me.sid}/reservations/{offer['sid']}"
    assert (
        post(console, path, {"action": "accept"}).json()["reservations"][0]["reservation_status"]
        == "accepted"
    )
    assert status(waiting) == "assigned"
    assert (
        post(console, path, {"action": "wrap"}).json()["reservations"][0]["reservation_status"] == "wrapping"
    )
    assert post(console, path, {"action": "complete"}).json()["reservations"] == []
    assert status(waiting) == "completed"
    again = post(console, path, {"action": "accept"})
    assert again.status_code == 400 and again.json()["code"] == 20001


def test_an_agent_cannot_act_for_another_worker(console: Any, alice: Any) -> None:
    ws = workspace(alice)
    theirs = worker(ws, "carol", contact_uri="client:carol")
    offline = ws.activities.get(friendly_name="Offline")
    refused = post(console, f"/api/console/flex/agent/{theirs.sid}/activity", {"activity_sid": offline.sid})
    assert refused.status_code == 404
    assert Worker.objects.get(pk=theirs.pk).available is True


def test_the_supervisor_sees_queues_waiting_tasks_and_workers(console: Any, alice: Any, bob: Any) -> None:
    ws = workspace(alice)
    worker(ws, "offline agent", available=False)
    task(ws, name="first")
    task(ws, name="second")
    workspace(bob)
    data = console.get("/api/console/flex/supervisor").json()
    (mine,) = data["workspaces"]
    (everyone,) = mine["queues"]
    assert [t["attributes"]["name"] for t in everyone["waiting"]] == ["first", "second"]
    assert (everyone["eligible_workers"], everyone["available_workers"]) == (1, 0)
    assert [(w["friendly_name"], w["activity_name"]) for w in mine["workers"]] == [
        ("offline agent", "Offline")
    ]


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_a_reservation_is_announced_to_its_worker_live(alice: Any) -> None:
    layer = get_channel_layer()
    ws = workspace(alice)
    agent = worker(ws, "agent", contact_uri="client:alice")
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"flex.worker.{agent.sid}", channel)
    created = task(ws, name="Bob")
    notices = [async_to_sync(layer.receive)(channel)]
    while notices[-1]["event_type"] != "reservation.created":
        notices.append(async_to_sync(layer.receive)(channel))
    assert notices[-1] == {
        "type": "flex.changed",
        "event_type": "reservation.created",
        "task_sid": created.sid,
    }
    assert Task.objects.get(pk=created.pk).assignment_status == "reserved"


def test_the_agent_talks_with_the_texting_contact(console: Any, alice: Any) -> None:
    from django.test import Client

    from executions.models import Message
    from flex.flex_defaults import seed_account
    from flex.lifecycle import set_activity
    from studio.models import Flow
    from tests.executions.support import send_sms

    ws = seed_account(alice, console.user)
    me = Worker.objects.get(workspace=ws, friendly_name="alice")
    set_activity(me, ws.activities.get(friendly_name="Available"))
    flow = Flow.objects.get(account=alice, friendly_name="Messaging Flow")
    send_sms(Client(), flow, "+15551230000", "+15550001111", "my order is late")

    (offer,) = agent_state(console)["workers"][0]["reservations"]
    assert offer["conversation"] is True and offer["messages"] == []  # shown once accepted
    path = f"/api/console/flex/agent/{me.sid}/reservations/{offer['sid']}"
    early = post(console, f"{path}/messages", {"body": "hi"})
    assert early.status_code == 400
    post(console, path, {"action": "accept"})
    sent = post(console, f"{path}/messages", {"body": "Sorry! Let me check."})
    assert sent.status_code == 201
    reply = Message.objects.get(body="Sorry! Let me check.")
    assert (reply.from_address, reply.to_address) == ("+15550001111", "+15551230000")

    send_sms(Client(), flow, "+15551230000", "+15550001111", "thanks")  # joins the open task
    assert Task.objects.filter(workspace=ws).count() == 1
    (held,) = agent_state(console)["workers"][0]["reservations"]
    assert [(m["direction"], m["body"]) for m in held["messages"]] == [
        ("inbound", "my order is late"),
        ("outbound", "Sorry! Let me check."),
        ("inbound", "thanks"),
    ]
