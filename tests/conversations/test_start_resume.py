"""Start Conversation and Resume Conversation in REST-triggered executions: the conversation
becomes the execution's channel, the flow's messages go into it and the participant's replies
resume the execution."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from conversations import services
from conversations.models import Conversation, ConversationWebhook
from executions.models import Execution, Message
from tests.executions.factories import definition, make_flow, on, state
from tests.executions.support import start_rest

pytestmark = pytest.mark.django_db(transaction=True)

PHONE, NUMBER = "+15551230001", "+15550009999"


def outbound(first: dict[str, Any]) -> dict[str, Any]:
    """A REST-triggered flow: attach the conversation, ask, then thank by name."""
    return definition(
        first,
        state(
            "ask",
            "send-and-wait-for-reply",
            [on("incomingMessage", "thanks"), on("timeout"), on("deliveryFailure")],
            body="Your appointment is tomorrow. Reply with your name to confirm.",
            **{"from": "{{flow.channel.address}}"},
        ),
        state(
            "thanks",
            "send-message",
            [on("sent"), on("failed")],
            body="Confirmed, {{widgets.ask.inbound.Body}}.",
            **{"from": "{{flow.channel.address}}", "to": "{{contact.channel.address}}"},
        ),
        state("gave_up", "set-variables", [on("next")], variables=[{"key": "outcome", "value": "failed"}]),
        trigger=[on("incomingRequest", first["name"])],
    )


def start_widget(**props: Any) -> dict[str, Any]:
    return state(
        "start",
        "start-conversation",
        [on("created", "ask"), on("failed", "gave_up")],
        participants=[
            {
                "type": "messaging",
                "messaging_binding_address": PHONE,
                "messaging_binding_proxy_address": NUMBER,
            }
        ],
        friendly_name="Reminder",
        timers_inactive="PT10M",
        **props,
    )


def test_start_conversation_opens_one_and_the_sms_reply_resumes_the_execution(alice: Any) -> None:
    from conversations.addresses import receive_sms

    flow = make_flow(alice, outbound(start_widget()))
    ex = start_rest(flow, to=PHONE, frm=NUMBER)
    out = ex.context["widgets"]["start"]
    conv = Conversation.objects.get(sid=out["conversation"]["sid"])
    assert (conv.friendly_name, conv.timers_inactive, conv.state) == ("Reminder", 600, "active")
    assert out["webhook_sid"] == ConversationWebhook.objects.get(conversation=conv, target="studio").sid
    assert out["close_channel_on_execution_end"] is False
    channel = ex.context["flow"]["channel"]
    assert (channel["address"], channel["type"]) == (conv.sid, "conversation")
    assert ex.channel_address == conv.sid and ex.contact_channel_address == PHONE
    sms = Message.objects.exclude(direction="inbound").get()
    assert (sms.to_address, sms.from_address) == (PHONE, NUMBER)  # the question, by SMS

    receive_sms(alice, {"From": PHONE, "To": NUMBER, "Body": "Ann"})
    ex.refresh_from_db()
    assert ex.status == "ended"
    assert Execution.objects.filter(flow=flow).count() == 1  # resumed, not a new execution
    assert [m.body for m in services.messages_since(conv)][-1] == "Confirmed, Ann."


def test_resume_conversation_attaches_an_existing_conversation(alice: Any) -> None:
    with transaction.atomic():
        conv = services.create_conversation(alice, friendly_name="Earlier")
        services.add_participant(conv, identity="visitor-1")
    resume = state(
        "resume",
        "resume-conversation",
        [on("resumed", "ask"), on("failed", "gave_up")],
        conversation_sid="{{flow.data.conversation}}",
    )
    flow = make_flow(alice, outbound(resume))
    ex = start_rest(flow, to="visitor-1", data={"conversation": conv.sid})
    assert ex.context["widgets"]["resume"]["conversation"]["friendly_name"] == "Earlier"
    assert [m.author for m in services.messages_since(conv)] == ["system"]
    with transaction.atomic():
        services.add_message(conv, author="visitor-1", body="Bea")
    ex.refresh_from_db()
    assert ex.status == "ended" and services.messages_since(conv)[-1].body == "Confirmed, Bea."


def test_they_fail_on_an_unknown_or_foreign_conversation(alice: Any, bob: Any) -> None:
    theirs = services.create_conversation(bob)
    resume = state(
        "resume",
        "resume-conversation",
        [on("resumed", "ask"), on("failed", "gave_up")],
        conversation_sid=theirs.sid,
    )
    ex = start_rest(make_flow(alice, outbound(resume)))
    assert ex.context["flow"]["variables"]["outcome"] == "failed"
    assert not ConversationWebhook.objects.filter(conversation=theirs).exists()


def test_start_conversation_fails_without_participants(alice: Any) -> None:
    widget = start_widget()
    widget["properties"]["participants"] = []
    ex = start_rest(make_flow(alice, outbound(widget)))
    assert ex.context["flow"]["variables"]["outcome"] == "failed"
    assert Conversation.objects.count() == 0  # nothing half-made is left


def test_send_to_flex_works_once_start_conversation_gave_the_execution_a_conversation(alice: Any) -> None:
    from flex.models import Task, Workflow
    from tests.flex.helpers import workspace

    ws = workspace(alice)
    to_agent = state(
        "to_agent",
        "send-to-flex",
        [on("callComplete"), on("failedToEnqueue"), on("callFailure")],
        workflow=Workflow.objects.get(workspace=ws).sid,
        channel="sms",
        attributes='{"name": "{{contact.channel.address}}"}',
    )
    flow_def = outbound(start_widget())
    flow_def["states"][2]["transitions"][0]["next"] = "to_agent"  # the reply goes to an agent
    flow_def["states"].append(to_agent)
    ex = start_rest(make_flow(alice, flow_def), to=PHONE, frm=NUMBER)
    conv = Conversation.objects.get(sid=ex.context["widgets"]["start"]["conversation"]["sid"])
    with transaction.atomic():
        services.add_message(conv, author=PHONE, body="I'd rather talk to someone")
    ex.refresh_from_db()
    task = Task.objects.get(sid=ex.context["widgets"]["to_agent"]["TaskSid"])
    assert task.attrs() == {
        "name": PHONE,
        "conversationSid": conv.sid,
        "channelType": "sms",  # the customer's fields Send to Flex adds in a conversation
        "customerAddress": PHONE,
        "customerName": PHONE,
        "from": PHONE,
        "to": NUMBER,
    }
    assert not ConversationWebhook.objects.filter(conversation=conv, target="studio").exists()


def test_close_on_execution_end_closes_the_conversation_when_the_flow_ends(alice: Any) -> None:
    from conversations.addresses import receive_sms

    flow = make_flow(alice, outbound(start_widget(close_conversation_on_execution_end=True)))
    ex = start_rest(flow, to=PHONE, frm=NUMBER)
    conv = Conversation.objects.get(sid=ex.context["widgets"]["start"]["conversation"]["sid"])
    assert ex.context["widgets"]["start"]["close_channel_on_execution_end"] is True
    assert conv.state == "active"  # still waiting for the reply
    receive_sms(alice, {"From": PHONE, "To": NUMBER, "Body": "Ann"})
    conv.refresh_from_db()
    assert conv.state == "closed"
    assert [m.body for m in services.messages_since(conv)][-1] == "Confirmed, Ann."
