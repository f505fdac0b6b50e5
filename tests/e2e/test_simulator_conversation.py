"""The simulator's Conversation tab in Chromium, over real WebSockets (uvicorn): the seeded WebChat
Flow asks the tester for a name, the canvas lights up as it goes, the name reaches Send to Flex,
and an agent's reply posted into the conversation later shows in the tab live."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest

from conversations.models import Conversation
from executions.models import Execution
from flex.flex_defaults import seed_account
from flex.models import Task
from studio.models import Flow
from tests.e2e.conftest import shot
from tests.e2e.test_simulator_live import asgi_url, free_port  # noqa: F401 - the ASGI server fixture
from webchat.models import WebChatKey

pytestmark = pytest.mark.e2e


def test_the_webchat_flow_asks_a_name_in_the_conversation_tab_and_reaches_send_to_flex(
    asgi_url: str,  # noqa: F811
    studio_user: Any,
    page: Any,
    settings: Any,
) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    account = studio_user.account
    seed_account(account, studio_user)
    flow = Flow.objects.get(account=account, friendly_name="WebChat Flow")
    # The account's chat is embedded on one shop only; the console, the app's own page, still talks.
    key = WebChatKey.for_account(account)
    key.allowed_origins = "https://shop.example"
    key.save()

    page.set_default_timeout(10_000)
    page.goto(f"{asgi_url}/login")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "alice-password")
    page.locator("form [type=submit]").first.click()
    page.wait_for_url(f"{asgi_url}/")
    page.goto(f"{asgi_url}/flows/{flow.sid}")
    page.wait_for_selector("[data-widget-name=Trigger]")
    page.click("[data-testid=simulator-button]")
    page.wait_for_selector("[data-testid=monitor-connection][data-connection=live]")
    page.click("[data-testid=sim-tab-conversation]")

    page.fill("[data-testid=sim-conv-input]", "Hello")
    page.click("[data-testid=sim-conv-send]")
    page.wait_for_selector("[data-testid=sim-conv-status][data-link=live]")
    asked = page.locator("[data-testid=sim-conv-messages] .sim-msg.outbound")
    asked.first.wait_for()
    assert "what's your name" in asked.first.inner_text()
    page.wait_for_selector("[data-testid=sim-conv-messages] .sim-msg.inbound[data-status=received]")
    page.wait_for_selector("[data-widget-name=AskName][data-live=active]")
    assert "AskName" in page.get_by_test_id("sim-conv-waiting").inner_text()
    shot(page, "simulator-conversation-asks-name")

    page.fill("[data-testid=sim-conv-input]", "Ada <img src=x onerror=window.__xss=1>")
    page.click("[data-testid=sim-conv-send]")
    page.wait_for_selector("[data-widget-name=AskName]:not([data-live=active])")
    page.wait_for_selector("[data-testid=sim-conv-waiting]", state="detached")
    conversation = Conversation.objects.get(account=account)
    execution = Execution.objects.get(flow=flow, channel_address=conversation.sid)
    steps = list(execution.steps.order_by("date_created", "id").values_list("transitioned_to", flat=True))
    assert "SendMessageToAgent" in steps, steps
    assert execution.trigger_event == "incomingConversationMessage"
    assert execution.contact_channel_address == "simulator-alice"
    task = Task.objects.get(sid=execution.context["widgets"]["SendMessageToAgent"]["TaskSid"])
    assert json.loads(task.attributes)["name"] == "Ada <img src=x onerror=window.__xss=1>"

    # An agent answers in the conversation (here through the Conversations API): live in the tab.
    auth = base64.b64encode(f"{account.sid}:{account.auth_token}".encode()).decode()
    answer = page.request.post(
        f"{asgi_url}/v1/Conversations/{conversation.sid}/Messages",
        form={"Author": "agent-bea", "Body": "Hi Ada, Bea here"},
        headers={"Authorization": f"Basic {auth}"},
    )
    assert answer.status == 201, answer.text()
    reply = page.locator("[data-testid=sim-conv-messages] .sim-msg.outbound", has_text="Hi Ada, Bea here")
    reply.wait_for()
    assert reply.locator("[data-testid=sim-sender]").inner_text() == "agent-bea"
    assert page.evaluate("() => window.__xss === undefined")
    shot(page, "simulator-conversation-agent-reply")

    page.click("[data-testid=sim-conv-new]")
    page.wait_for_selector("[data-testid=sim-conv-status]", state="detached")
    deadline = time.monotonic() + 5
    while Conversation.objects.get(pk=conversation.pk).state != "closed" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert Conversation.objects.get(pk=conversation.pk).state == "closed"
