"""An SMS contact in Chromium, end to end, on Flex Conversations: the number's Address
Configuration (made with the official client) opens a conversation for the contact's signed text
and wires it to the seeded Messaging Flow; the flow hands it to Flex; the agent accepts in the
console, reads the text and replies; the reply leaves by SMS from the number through the provider;
the contact's next text reaches the agent live; the agent completes and the conversation closes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from conversations.models import AddressConfiguration, Conversation, ConversationMessage
from executions.models import Message
from flex.flex_defaults import seed_account
from flex.models import Task
from studio.models import Flow
from tests.e2e.conftest import shot
from tests.e2e.test_simulator_live import asgi_url, free_port  # noqa: F401 - the ASGI server fixture

pytestmark = pytest.mark.e2e

CONTACT, NUMBER = "+15551230042", "+15550007777"


def text_in(base: str, account: Any, body: str, n: int) -> None:
    """The contact's text as the number's SMS webhook posts it: signed with the account's token."""
    path = f"/v1/Accounts/{account.sid}/Conversations/Inbound"
    form = {
        "From": CONTACT,
        "To": NUMBER,
        "Body": body,
        "MessageSid": f"SM{n:032x}",
        "AccountSid": account.sid,
        "NumMedia": "0",
    }
    signature = RequestValidator(account.auth_token).compute_signature(base + path, form)
    answer = httpx.post(base + path, data=form, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 200 and "<Response/>" in answer.text


def test_an_sms_contact_reaches_an_agent_through_an_address_configuration_and_the_messaging_flow(
    asgi_url: str,  # noqa: F811
    studio_user: Any,
    browser: Any,
    settings: Any,
) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    settings.PUBLIC_BASE_URL = asgi_url  # the URL the number's webhook is signed for
    account = studio_user.account
    seed_account(account, studio_user)
    flow = Flow.objects.get(account=account, friendly_name="Messaging Flow")
    twilio = Client(account.sid, account.auth_token)
    twilio.conversations.base_url = asgi_url
    config = twilio.conversations.v1.address_configurations.create(
        type="sms",
        address=NUMBER,
        friendly_name="Support line",
        auto_creation_enabled=True,
        auto_creation_type="studio",
        auto_creation_studio_flow_sid=flow.sid,
    )
    assert config.sid.startswith("IG") and config.auto_creation["studio_flow_sid"] == flow.sid

    agent = browser.new_context().new_page()
    agent.set_default_timeout(10_000)
    agent.goto(f"{asgi_url}/login")
    agent.fill("input[name=username]", "alice")
    agent.fill("input[name=password]", "alice-password")
    agent.locator("form [type=submit]").first.click()
    agent.wait_for_url(f"{asgi_url}/")
    agent.goto(f"{asgi_url}/flex/agent")
    agent.locator("[data-activity=Available]").click()
    agent.wait_for_function("() => document.getElementById('activity').textContent === 'Available'")

    text_in(asgi_url, account, "My parcel <b>never</b> came", 1)
    conversation = Conversation.objects.get(account=account)
    assert conversation.participants.get().address == CONTACT
    offer = agent.locator("[data-reservation]")
    offer.wait_for()
    assert CONTACT in offer.inner_text() and "My parcel <b>never</b> came" in offer.inner_text()
    task = Task.objects.get()
    assert task.attrs()["conversationSid"] == conversation.sid
    offer.locator("[data-action=accept]").click()
    agent.locator("[data-action=complete]").wait_for()
    inbound = agent.locator("[data-message=inbound]").first
    inbound.wait_for()
    assert "My parcel <b>never</b> came" in inbound.inner_text()  # shown as text

    agent.locator("[data-reply]").fill("Sorry! Let me check the courier")
    agent.locator("[data-action=send]").click()
    agent.locator("[data-message=outbound]", has_text="Sorry! Let me check the courier").wait_for()
    sms = Message.objects.exclude(direction="inbound").get()  # by SMS, through the provider
    assert (sms.to_address, sms.from_address, sms.body) == (
        CONTACT,
        NUMBER,
        "Sorry! Let me check the courier",
    )
    assert sms.status == Message.Status.DELIVERED

    text_in(asgi_url, account, "Thanks, tracking is 1Z999", 2)
    agent.locator("[data-message=inbound]", has_text="Thanks, tracking is 1Z999").wait_for()  # live
    shot(agent, "sms-conversation-agent")
    assert Conversation.objects.filter(account=account).count() == 1  # the same open conversation

    agent.locator("[data-action=complete]").click()
    agent.get_by_text("No task for you right now.").wait_for()
    assert Task.objects.get(pk=task.pk).assignment_status == "completed"
    assert Conversation.objects.get(pk=conversation.pk).state == "closed"
    assert [
        m.body for m in ConversationMessage.objects.filter(conversation=conversation).order_by("index")
    ] == [
        "My parcel <b>never</b> came",
        "Sorry! Let me check the courier",
        "Thanks, tracking is 1Z999",
    ]
    assert agent.evaluate("() => window.__xss === undefined")
    AddressConfiguration.objects.get(sid=config.sid)  # the number stays configured for the next contact
