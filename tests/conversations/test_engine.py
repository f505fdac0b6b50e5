"""The engine on Conversations: a participant's message starts or resumes the conversation's flow
(`incomingConversationMessage`), and the flow's messages go into the conversation."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from conversations import services
from conversations.models import ConversationMessage
from executions.models import Execution, Message
from tests.executions.factories import definition, make_flow, on, state

pytestmark = pytest.mark.django_db(transaction=True)


def bot() -> dict[str, Any]:
    """Ask the visitor's name, then greet them by it."""
    return definition(
        state(
            "ask",
            "send-and-wait-for-reply",
            [on("incomingMessage", "greet"), on("timeout"), on("deliveryFailure")],
            body="Hi {{trigger.conversation.From}}! What is your name?",
            timeout="3600",
            **{"from": "{{flow.channel.address}}"},
        ),
        state(
            "greet",
            "send-message",
            [on("sent"), on("failed")],
            body="Nice to meet you, {{widgets.ask.inbound.Body}}",
            **{"from": "{{flow.channel.address}}", "to": "{{contact.channel.address}}"},
        ),
        trigger=[on("incomingConversationMessage", "ask")],
    )


def wired(account: Any, flow: Any, **participant: Any) -> Any:
    with transaction.atomic():
        conv = services.create_conversation(account, friendly_name="Chat")
        services.add_participant(conv, **participant)
        conv.webhooks.create(account=account, target="studio", flow_sid=flow.sid)
    return conv


def say(conv: Any, author: str, body: str) -> ConversationMessage:
    with transaction.atomic():
        return services.add_message(conv, author=author, body=body)


def bodies(conv: Any) -> list[tuple[str, str]]:
    return [(m.author, m.body) for m in services.messages_since(conv)]


def test_a_chat_participants_message_runs_the_flow_and_the_replies_come_back_into_the_conversation(
    alice: Any,
) -> None:
    flow = make_flow(alice, bot())
    conv = wired(alice, flow, identity="visitor-1")
    say(conv, "visitor-1", "hello")
    ex = Execution.objects.get(flow=flow)
    assert ex.trigger_event == "incomingConversationMessage"
    trigger = ex.context["trigger"]["conversation"]
    assert trigger["ConversationSid"] == conv.sid and trigger["From"] == "visitor-1"
    assert trigger["Body"] == "hello" and trigger["MessageSid"].startswith("IM")
    assert trigger["InstanceSid"] == conv.service.sid and trigger["ChannelAttributes"] == {}
    channel = ex.context["flow"]["channel"]
    assert (channel["address"], channel["sid"], channel["type"]) == (conv.sid, conv.sid, "conversation")
    assert channel["details"]["chat_service_sid"] == conv.service.sid
    assert ex.context["contact"]["channel"]["address"] == "visitor-1"
    assert bodies(conv) == [("visitor-1", "hello"), ("system", "Hi visitor-1! What is your name?")]
    assert ex.context["widgets"]["ask"]["outbound"]["Sid"].startswith("IM")

    say(conv, "visitor-1", "Ann")  # the reply resumes the waiting widget
    ex.refresh_from_db()
    assert ex.status == "ended"
    assert bodies(conv)[-1] == ("system", "Nice to meet you, Ann")
    assert not Message.objects.exclude(direction="inbound").exists()  # no SMS participant: no SMS


def test_an_sms_participant_gets_the_flows_messages_by_sms(alice: Any) -> None:
    flow = make_flow(alice, bot())
    conv = wired(alice, flow, address="+15551230001", proxy_address="+15550009999")
    say(conv, "+15551230001", "hi")
    sms = list(
        Message.objects.exclude(direction="inbound").values_list(
            "to_address", "from_address", "body", "status"
        )
    )
    assert sms == [("+15551230001", "+15550009999", "Hi +15551230001! What is your name?", "delivered")]


def test_the_flows_own_messages_do_not_trigger_it_again(alice: Any) -> None:
    flow = make_flow(alice, bot())
    conv = wired(alice, flow, identity="visitor-1")
    say(conv, "system", "Welcome!")
    assert Execution.objects.filter(flow=flow).count() == 0


def test_an_inbound_sms_through_an_address_configuration_opens_a_conversation_to_the_flow(alice: Any) -> None:
    from conversations.addresses import receive_sms
    from conversations.models import AddressConfiguration

    flow = make_flow(alice, bot())
    AddressConfiguration.objects.create(
        account=alice, address="+15550009999", auto_creation_type="studio", studio_flow_sid=flow.sid
    )
    conv = receive_sms(alice, {"From": "+15551230001", "To": "+15550009999", "Body": "hello"})
    assert conv is not None and conv.webhooks.get().target == "studio"
    assert conv.participants.get().address == "+15551230001"
    assert (
        Message.objects.exclude(direction="inbound").get().to_address == "+15551230001"
    )  # the flow's question, by SMS
    again = receive_sms(alice, {"From": "+15551230001", "To": "+15550009999", "Body": "Ann"})
    assert again is not None and again.pk == conv.pk  # the same open conversation
    assert bodies(conv)[-1] == ("system", "Nice to meet you, Ann")
    assert receive_sms(alice, {"From": "+15551230002", "To": "+15550000000", "Body": "x"}) is None


def test_the_inbound_sms_entry_checks_twilios_signature(alice: Any, settings: Any) -> None:
    from django.test import Client

    from accounts.signing import twilio_signature
    from conversations.models import AddressConfiguration

    flow = make_flow(alice, bot())
    AddressConfiguration.objects.create(
        account=alice, address="+15550009999", auto_creation_type="studio", studio_flow_sid=flow.sid
    )
    path = f"/v1/Accounts/{alice.sid}/Conversations/Inbound"
    form = {"From": "+15551230001", "To": "+15550009999", "Body": "hello", "MessageSid": "SM" + "1" * 32}
    web = Client()
    assert web.post(path, form).status_code == 401
    assert web.post(path, form, HTTP_X_TWILIO_SIGNATURE="bad").status_code == 403
    signature = twilio_signature(alice.auth_token, settings.PUBLIC_BASE_URL.rstrip("/") + path, form)
    answer = web.post(path, form, HTTP_X_TWILIO_SIGNATURE=signature)
    assert answer.status_code == 200 and b"<Response/>" in answer.content
    assert Execution.objects.filter(flow=flow, trigger_event="incomingConversationMessage").count() == 1


def test_a_studio_webhook_naming_another_accounts_flow_starts_nothing(alice: Any, bob: Any) -> None:
    theirs = make_flow(bob, bot())
    conv = wired(alice, theirs, identity="visitor-1")
    say(conv, "visitor-1", "hello")
    assert Execution.objects.count() == 0
    assert bodies(conv) == [("visitor-1", "hello")]  # the message itself is kept
