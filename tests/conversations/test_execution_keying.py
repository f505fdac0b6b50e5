"""How a conversation's messages find its execution, and where Send & Wait's reply lands.

- One execution per conversation (its Studio webhook is the conversation's): a message from any
  participant goes to the active execution of that conversation; another conversation of the
  same author has its own.
- Over a Conversations channel the reply lands in ``trigger.conversation.*`` (spec §2.16); it
  stays in ``widgets.X.inbound.*`` as well.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from conversations import services
from executions.models import Execution
from tests.conversations.test_engine import bodies, say
from tests.executions.factories import definition, make_flow, on, state

pytestmark = pytest.mark.django_db(transaction=True)


def asker() -> dict[str, Any]:
    return definition(
        state(
            "ask",
            "send-and-wait-for-reply",
            [on("incomingMessage", "greet"), on("timeout"), on("deliveryFailure")],
            body="What is your name?",
            **{"from": "{{flow.channel.address}}"},
        ),
        state(
            "greet",
            "send-message",
            [on("sent"), on("failed")],
            body="Hi {{trigger.conversation.Body}} (said {{trigger.conversation.Author}}; "
            "inbound {{widgets.ask.inbound.Body}})",
            **{"from": "{{flow.channel.address}}", "to": "{{contact.channel.address}}"},
        ),
        trigger=[on("incomingConversationMessage", "ask")],
    )


def group(account: Any, flow: Any, *identities: str) -> Any:
    with transaction.atomic():
        conv = services.create_conversation(account)
        for identity in identities:
            services.add_participant(conv, identity=identity)
        conv.webhooks.create(account=account, target="studio", flow_sid=flow.sid)
    return conv


def test_the_reply_lands_in_trigger_conversation(alice: Any) -> None:
    flow = make_flow(alice, asker())
    conv = group(alice, flow, "visitor-1")
    say(conv, "visitor-1", "hello")
    first = Execution.objects.get(flow=flow).context["trigger"]["conversation"]["MessageSid"]
    reply = say(conv, "visitor-1", "Ann")
    ex = Execution.objects.get(flow=flow)
    trigger = ex.context["trigger"]["conversation"]
    assert (trigger["Body"], trigger["MessageSid"], trigger["From"]) == ("Ann", reply.sid, "visitor-1")
    assert trigger["MessageSid"] != first and trigger["ConversationSid"] == conv.sid
    assert ex.context["widgets"]["ask"]["inbound"]["Body"] == "Ann"
    assert bodies(conv)[-1] == ("system", "Hi Ann (said visitor-1; inbound Ann)")


def test_any_participants_message_goes_to_the_conversations_execution(alice: Any) -> None:
    flow = make_flow(alice, asker())
    conv = group(alice, flow, "visitor-1", "visitor-2")
    say(conv, "visitor-1", "hello")
    say(conv, "visitor-2", "Bo")  # the other participant answers: the same execution resumes
    (ex,) = Execution.objects.filter(flow=flow)
    assert ex.status == "ended" and ex.contact_channel_address == "visitor-1"
    assert bodies(conv)[-1] == ("system", "Hi Bo (said visitor-2; inbound Bo)")


def test_the_same_author_in_another_conversation_has_another_execution(alice: Any) -> None:
    flow = make_flow(alice, asker())
    one, two = group(alice, flow, "visitor-1"), group(alice, flow, "visitor-1")
    say(one, "visitor-1", "hello")
    say(two, "visitor-1", "hello again")
    assert sorted(Execution.objects.filter(flow=flow).values_list("channel_address", flat=True)) == sorted(
        [one.sid, two.sid]
    )
    say(two, "visitor-1", "Cy")
    assert bodies(two)[-1] == ("system", "Hi Cy (said visitor-1; inbound Cy)")
    assert bodies(one)[-1] == ("system", "What is your name?")  # still waiting for its own reply
