"""Web chat in Chromium, end to end: a page on another site embeds the chat with one <script>
tag; the seeded WebChat Flow asks the visitor's name and hands them to Flex; an agent in another
browser accepts, the two chat live both ways (each one's typing shown to the other; the agent's
replies over the console's live socket, by POST while it is down), the agent completes the task
and the visitor's chat ends."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from conversations.models import Conversation
from flex.flex_defaults import seed_account
from flex.models import Task
from studio.models import Flow
from tests.e2e.conftest import shot
from tests.e2e.test_simulator_live import asgi_url, free_port  # noqa: F401 - the ASGI server fixture
from webchat.models import WebChatKey

pytestmark = pytest.mark.e2e


@pytest.fixture
def shop_page(asgi_url: str, studio_user: Any) -> Iterator[tuple[str, Flow]]:  # noqa: F811
    """A page of another site (its own origin) with the account's chat tag pasted in."""
    seed_account(studio_user.account, studio_user)
    flow = Flow.objects.get(account=studio_user.account, friendly_name="WebChat Flow")
    key = WebChatKey.for_account(studio_user.account)
    html = (
        "<!doctype html><html><head><title>Shop</title></head><body><h1>Our shop</h1>"
        f'<script src="{asgi_url}/webchat/embed.js" data-key="{key.key}" data-flow="{flow.sid}"></script>'
        "</body></html>"
    ).encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", flow
    server.shutdown()


def test_a_visitor_on_another_site_chats_with_the_flow_and_then_an_agent(
    asgi_url: str,  # noqa: F811
    shop_page: tuple[str, Flow],
    browser: Any,
    settings: Any,
) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    url, flow = shop_page
    visitor = browser.new_context().new_page()
    visitor.set_default_timeout(10_000)
    visitor.goto(url)
    visitor.locator("[data-webchat=launcher]").click()
    visitor.locator("[data-webchat=question]").fill("Where is my order?")
    visitor.locator("[data-webchat=start]").click()
    visitor.locator("[data-webchat=status][data-state=live]").wait_for()
    asked = visitor.locator("[data-message=bot]")
    asked.wait_for()
    assert "what's your name" in asked.inner_text()
    visitor.locator("[data-webchat=input]").fill("Ann <img src=x onerror=alert(1)>")
    visitor.locator("[data-webchat=send]").click()
    visitor.locator("[data-message=visitor][data-index]").nth(1).wait_for()  # acknowledged, not pending
    shot(visitor, "webchat-visitor-asked")

    agent = browser.new_context().new_page()
    agent.set_default_timeout(10_000)
    agent.goto(f"{asgi_url}/login")
    agent.fill("input[name=username]", "alice")
    agent.fill("input[name=password]", "alice-password")
    agent.locator("form [type=submit]").first.click()
    agent.wait_for_url(f"{asgi_url}/")
    posted: list[str] = []  # the console's HTTP replies and typing notices (POST …/messages, …/typing)
    agent.on(
        "request",
        lambda r: (
            posted.append(r.url.rsplit("/", 1)[1])
            if r.method == "POST" and r.url.endswith(("/messages", "/typing"))
            else None
        ),
    )
    agent.goto(f"{asgi_url}/flex/agent")
    agent.locator("[data-activity=Available]").click()
    offer = agent.locator("[data-reservation]")
    offer.wait_for()
    assert "Ann <img src=x onerror=alert(1)>" in offer.inner_text()  # shown as text
    task = Task.objects.get()
    attributes = json.loads(task.attributes)
    assert attributes["pre_engagement_data"]["question"] == "Where is my order?"
    offer.locator("[data-action=accept]").click()
    agent.locator("[data-action=complete]").wait_for()
    agent.locator("[data-message=inbound]").first.wait_for()  # the visitor's part, the bot's included
    assert "Where is my order?" in agent.locator(".conversation").inner_text()

    reply = agent.locator("[data-reply]")
    reply.type("Hi", delay=20)
    visitor.locator("[data-webchat=typing]:not([hidden])").wait_for()  # the agent is typing
    reply.fill("Hi Ann, let me look")
    agent.locator("[data-action=send]").click()
    visitor.locator("[data-message=agent]", has_text="Hi Ann, let me look").wait_for()
    agent.locator("[data-message=outbound]", has_text="Hi Ann, let me look").wait_for()
    assert posted == [], "the reply or typing went by POST while the console's socket was live"
    assert reply.input_value() == ""

    agent.evaluate("() => liveSocket.close()")  # the socket drops: the next reply goes by POST
    reply.fill("One moment <b>please</b>")
    agent.locator("[data-action=send]").click()
    visitor.locator("[data-message=agent]", has_text="One moment <b>please</b>").wait_for()
    assert posted.count("messages") == 1
    agent.wait_for_function("() => liveSocket !== null && liveSocket.readyState === WebSocket.OPEN")

    visitor.locator("[data-webchat=input]").fill("Thanks!")
    agent.locator("[data-typing]", has_text="is typing").wait_for()  # the visitor types, live at the agent
    visitor.locator("[data-webchat=send]").click()
    agent.locator("[data-message=inbound]", has_text="Thanks!").wait_for()  # live at the agent
    shot(agent, "webchat-agent-conversation")

    agent.locator("[data-action=complete]").click()
    agent.get_by_text("No task for you right now.").wait_for()
    visitor.locator("[data-webchat=ended]:not([hidden])").wait_for()
    shot(visitor, "webchat-visitor-ended")
    conversation = Conversation.objects.get(sid=attributes["conversationSid"])
    assert conversation.state == "closed"
    assert visitor.evaluate("() => window.__xss === undefined")
