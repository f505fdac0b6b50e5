"""The seeded Messaging Flow on Conversations: an SMS to a number with an Address Configuration
(signed, at the inbound entry) opens a conversation whose first message runs the flow; Send to
Flex makes the task with the contact's real from/to/name — from the flow's template and from what
Twilio's widget adds for a conversation (channelType, customerAddress, from, name,
customerName)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from accounts.signing import twilio_signature
from conversations import services
from conversations.models import AddressConfiguration, Conversation
from executions.models import Execution
from flex.flex_defaults import seed_account
from flex.models import Task
from studio.models import Flow

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMER, NUMBER = "+15551230001", "+15550009999"


def text(account: Any, settings: Any, body: str, sid: str) -> None:
    path = f"/v1/Accounts/{account.sid}/Conversations/Inbound"
    form = {"From": CUSTOMER, "To": NUMBER, "Body": body, "MessageSid": sid, "AccountSid": account.sid}
    signature = twilio_signature(account.auth_token, settings.PUBLIC_BASE_URL.rstrip("/") + path, form)
    answer = Client().post(path, form, HTTP_X_TWILIO_SIGNATURE=signature)
    assert answer.status_code == 200, answer.content


def test_an_sms_through_an_address_configuration_makes_a_task_naming_the_contact(
    alice: Any, settings: Any
) -> None:
    seed_account(alice)
    flow = Flow.objects.get(account=alice, friendly_name="Messaging Flow")
    AddressConfiguration.objects.create(
        account=alice, address=NUMBER, auto_creation_type="studio", studio_flow_sid=flow.sid
    )
    text(alice, settings, "my order is late", "SM" + "1" * 32)

    conversation = Conversation.objects.get(account=alice)
    ex = Execution.objects.get(flow=flow)
    trigger = ex.context["trigger"]["conversation"]
    assert (trigger["ConversationSid"], trigger["ChannelSid"]) == (conversation.sid, conversation.sid)
    assert (trigger["Author"], trigger["From"], trigger["Body"]) == (CUSTOMER, CUSTOMER, "my order is late")
    assert trigger["Source"] == "SMS" and trigger["MessageSid"].startswith("IM")
    assert trigger["ParticipantSid"] == conversation.participants.get().sid
    assert trigger["InstanceSid"] == conversation.service.sid and trigger["ChannelAttributes"] == {}

    task = Task.objects.get(sid=ex.context["widgets"]["SendMessageToAgent"]["TaskSid"])
    assert task.attrs() == {
        "name": CUSTOMER,
        "from": CUSTOMER,
        "to": NUMBER,
        "channelType": "sms",
        "channelSid": conversation.sid,
        "body": "my order is late",
        "conversationSid": conversation.sid,
        "customerAddress": CUSTOMER,
        "customerName": CUSTOMER,
    }
    assert task.task_channel.unique_name == "sms"


def test_a_chat_participant_on_the_messaging_flow_is_named_by_its_identity(alice: Any) -> None:
    seed_account(alice)
    flow = Flow.objects.get(account=alice, friendly_name="Messaging Flow")
    with transaction.atomic():
        conversation = services.create_conversation(alice)
        services.add_participant(conversation, identity="visitor-7", attributes='{"friendlyName": "Ann"}')
        conversation.webhooks.create(account=alice, target="studio", flow_sid=flow.sid)
        services.add_message(conversation, author="visitor-7", body="hello")
    task = Task.objects.get()
    attrs = task.attrs()
    assert (attrs["from"], attrs["customerAddress"], attrs["channelType"]) == (
        "visitor-7",
        "visitor-7",
        "chat",
    )
    assert (attrs["name"], attrs["customerName"]) == ("visitor-7", "Ann")  # the template's name is kept
    assert attrs["to"] == "" and attrs["conversationSid"] == conversation.sid  # no number in a chat
