"""Send to Flex from a conversation (Flex Conversations): the task names the conversation, the
flow's Studio webhook leaves it, the agent joins it on accepting and talks in it from the
console, and wrapping up the task closes it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from conversations import services
from conversations.models import Conversation, ConversationWebhook
from executions.models import Execution
from flex.flex_defaults import seed_account
from flex.lifecycle import set_activity
from flex.live import worker_group
from flex.models import Task, Worker, Workflow
from tests.executions.factories import definition, make_flow, on, state
from tests.studio.console import post

pytestmark = pytest.mark.django_db(transaction=True)


def handoff_flow(workflow_sid: str) -> dict[str, Any]:
    return definition(
        state(
            "ask",
            "send-and-wait-for-reply",
            [on("incomingMessage", "to_agent"), on("timeout"), on("deliveryFailure")],
            body="What is your name?",
            **{"from": "{{flow.channel.address}}"},
        ),
        state(
            "to_agent",
            "send-to-flex",
            [on("callComplete"), on("failedToEnqueue"), on("callFailure")],
            workflow=workflow_sid,
            channel="chat",
            attributes='{"name": "{{widgets.ask.inbound.Body}}", "channelType": "web"}',
        ),
        trigger=[on("incomingConversationMessage", "ask")],
    )


def say(conv: Any, author: str, body: str) -> None:
    with transaction.atomic():
        services.add_message(conv, author=author, body=body)


def test_the_visitor_is_handed_to_an_agent_who_chats_in_the_conversation(console: Any, alice: Any) -> None:
    ws = seed_account(alice, console.user)
    me = Worker.objects.get(workspace=ws, friendly_name="alice")
    set_activity(me, ws.activities.get(friendly_name="Available"))
    flow = make_flow(alice, handoff_flow(Workflow.objects.get(workspace=ws).sid))
    with transaction.atomic():
        conv = services.create_conversation(alice)
        services.add_participant(conv, identity="visitor-1")
        conv.webhooks.create(account=alice, target="studio", flow_sid=flow.sid)
    say(conv, "visitor-1", "hello")
    say(conv, "visitor-1", "Ann")

    ex = Execution.objects.get(flow=flow)
    task = Task.objects.get(sid=ex.context["widgets"]["to_agent"]["TaskSid"])
    assert json.loads(task.attributes) == {
        "name": "Ann",
        "channelType": "web",
        "conversationSid": conv.sid,
        "from": "visitor-1",  # what Send to Flex adds for a conversation's customer
        "customerAddress": "visitor-1",
        "customerName": "Ann",
    }
    assert not ConversationWebhook.objects.filter(conversation=conv, target="studio").exists()

    state_now = console.get("/api/console/flex/agent").json()
    (offer,) = state_now["workers"][0]["reservations"]
    assert offer["conversation"] is True and offer["messages"] == []
    path = f"/api/console/flex/agent/{me.sid}/reservations/{offer['sid']}"
    post(console, path, {"action": "accept"})
    agent = conv.participants.get(identity="alice")  # joined as a chat participant
    assert json.loads(agent.attributes)["role"] == "agent"

    sent = post(console, f"{path}/messages", {"body": "Hi Ann, <b>how</b> can I help?"})
    assert sent.status_code == 201
    layer = get_channel_layer()
    inbox = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(worker_group(me.sid), inbox)
    say(conv, "visitor-1", "my order is late")  # no flow any more: only the agent hears it
    event = async_to_sync(layer.receive)(inbox)  # at once, over the console's live socket
    assert (event["type"], event["message"]["body"]) == ("flex.message", "my order is late")
    assert Execution.objects.filter(flow=flow).count() == 1
    (held,) = console.get("/api/console/flex/agent").json()["workers"][0]["reservations"]
    assert [(m["direction"], m["from"], m["body"]) for m in held["messages"]] == [
        ("inbound", "visitor-1", "hello"),
        ("outbound", "system", "What is your name?"),
        ("inbound", "visitor-1", "Ann"),
        ("outbound", "alice", "Hi Ann, <b>how</b> can I help?"),
        ("inbound", "visitor-1", "my order is late"),
    ]

    post(console, path, {"action": "wrap"})
    assert Conversation.objects.get(pk=conv.pk).state == "closed"
    post(console, path, {"action": "complete"})
    assert Task.objects.get(pk=task.pk).assignment_status == "completed"


def test_completing_a_conversation_task_closes_the_conversation(alice: Any, django_user_model: Any) -> None:
    from flex.lifecycle import complete_task
    from tests.flex.helpers import task as make_task
    from tests.flex.helpers import workspace

    ws = workspace(alice)
    conv = services.create_conversation(alice)
    row = make_task(ws, conversationSid=conv.sid)
    row.assignment_status = "assigned"
    row.save()
    with transaction.atomic():
        complete_task(row, "done")
    assert Conversation.objects.get(pk=conv.pk).state == "closed"


def test_an_sms_through_an_address_configuration_reaches_an_agent_by_the_seeded_messaging_flow(
    console: Any, alice: Any
) -> None:
    from conversations.addresses import receive_sms
    from conversations.models import AddressConfiguration
    from studio.models import Flow

    ws = seed_account(alice, console.user)
    set_activity(
        Worker.objects.get(workspace=ws, friendly_name="alice"), ws.activities.get(friendly_name="Available")
    )
    flow = Flow.objects.get(account=alice, friendly_name="Messaging Flow")
    AddressConfiguration.objects.create(
        account=alice, address="+15550009999", auto_creation_type="studio", studio_flow_sid=flow.sid
    )
    conv = receive_sms(alice, {"From": "+15551230001", "To": "+15550009999", "Body": "my order is late"})
    assert conv is not None
    task = Task.objects.get(workspace=ws)
    assert task.attrs()["conversationSid"] == conv.sid
    assert (task.attrs()["name"], task.attrs()["body"]) == ("+15551230001", "my order is late")
    (offer,) = console.get("/api/console/flex/agent").json()["workers"][0]["reservations"]
    me = Worker.objects.get(workspace=ws, friendly_name="alice")
    path = f"/api/console/flex/agent/{me.sid}/reservations/{offer['sid']}"
    post(console, path, {"action": "accept"})
    post(console, f"{path}/messages", {"body": "Looking into it"})
    from executions.models import Message

    sms = Message.objects.exclude(direction="inbound").get()
    assert (sms.to_address, sms.from_address, sms.body) == ("+15551230001", "+15550009999", "Looking into it")
    post(console, path, {"action": "complete"})
    assert Conversation.objects.get(pk=conv.pk).state == "closed"


def test_the_contacts_next_text_after_the_close_opens_a_fresh_conversation_and_task(
    console: Any, alice: Any
) -> None:
    from conversations.addresses import receive_sms
    from conversations.models import AddressConfiguration
    from flex.lifecycle import complete_task
    from studio.models import Flow

    ws = seed_account(alice, console.user)
    flow = Flow.objects.get(account=alice, friendly_name="Messaging Flow")
    AddressConfiguration.objects.create(
        account=alice, address="+15550009999", auto_creation_type="studio", studio_flow_sid=flow.sid
    )
    text = {"From": "+15551230001", "To": "+15550009999", "Body": "first"}
    first = receive_sms(alice, text)
    assert first is not None
    done = Task.objects.get(workspace=ws)
    done.assignment_status = "assigned"
    done.save()
    with transaction.atomic():
        complete_task(done, "resolved")
    assert Conversation.objects.get(pk=first.pk).state == "closed"

    second = receive_sms(alice, {**text, "Body": "one more thing"})
    assert second is not None and second.pk != first.pk
    assert [m.body for m in second.messages.all()] == ["one more thing"]
    fresh = Task.objects.exclude(pk=done.pk).get(workspace=ws)
    assert fresh.attrs()["conversationSid"] == second.sid and fresh.attrs()["body"] == "one more thing"
    assert Execution.objects.filter(flow=flow).count() == 2
