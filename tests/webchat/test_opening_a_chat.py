"""A visitor opens a chat from any page: a conversation of their own with the account's flow,
the pre-engagement form's answers in its attributes, a token good for that conversation only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from conversations.models import Conversation, ConversationWebhook
from executions.models import Execution
from flex.models import Task
from studio.models import Flow
from tests.executions.factories import definition, make_flow, on
from tests.webchat.conftest import open_chat
from webchat import visitors

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_script_and_its_styles_are_served_to_any_page() -> None:
    script = Client().get("/webchat/embed.js")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("text/javascript")
    assert script["Access-Control-Allow-Origin"] == "*"
    assert b"attachShadow" in script.content
    assert Client().get("/webchat/embed.css")["Content-Type"].startswith("text/css")


def test_opening_a_chat_makes_a_conversation_wired_to_the_flow(key: Any, webchat_flow: Flow) -> None:
    answer = open_chat(
        key.key,
        webchat_flow.sid,
        origin="https://shop.example",
        question="Where is my order?",
    )
    assert answer.status_code == 201, answer.content
    assert answer["Access-Control-Allow-Origin"] == "*"
    body = answer.json()
    conversation = Conversation.objects.get(sid=body["conversation_sid"])
    assert json.loads(conversation.attributes)["pre_engagement_data"] == {
        "friendlyName": "",
        "question": "Where is my order?",
    }
    (visitor,) = conversation.participants.all()
    assert visitor.identity == body["identity"] and body["identity"].startswith("webchat-")
    hook = ConversationWebhook.objects.get(conversation=conversation)
    assert (hook.target, hook.flow_sid) == ("studio", webchat_flow.sid)
    assert body["socket_path"] == f"/ws/webchat/{conversation.sid}"
    assert visitors.visitor_from(body["token"], conversation.sid) == visitors.Visitor(
        key.account.sid, conversation.sid, body["identity"]
    )
    assert visitors.visitor_from(body["token"], "CH" + "0" * 32) is None  # that conversation only


def test_a_named_visitor_with_a_question_goes_straight_to_an_agent(key: Any, webchat_flow: Flow) -> None:
    body = open_chat(key.key, webchat_flow.sid, friendlyName="Ann", question="My order is late").json()
    execution = Execution.objects.get(flow=webchat_flow)
    task = Task.objects.get(sid=execution.context["widgets"]["SendMessageToAgent"]["TaskSid"])
    attributes = json.loads(task.attributes)
    assert attributes["name"] == "Ann"
    assert attributes["pre_engagement_data"] == {"friendlyName": "Ann", "question": "My order is late"}
    assert attributes["conversationSid"] == body["conversation_sid"]
    assert attributes["from"] == body["identity"]


def test_the_webchat_flow_asks_a_nameless_visitor_for_a_name(key: Any, webchat_flow: Flow) -> None:
    body = open_chat(key.key, webchat_flow.sid, question="Hello?").json()
    conversation = Conversation.objects.get(sid=body["conversation_sid"])
    asked = conversation.messages.order_by("index").last()
    assert asked.author == "system" and "what's your name" in asked.body
    visitor = visitors.visitor_from(body["token"], conversation.sid)
    assert visitor is not None
    visitors.post(visitor, "Bea")
    task = Task.objects.get()
    assert json.loads(task.attributes)["name"] == "Bea"


def test_without_a_question_the_flow_waits_for_the_first_message(key: Any, webchat_flow: Flow) -> None:
    open_chat(key.key, webchat_flow.sid, friendlyName="Cy")
    assert not Execution.objects.exists()


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"key": "CV" + "0" * 32}, 404, 20404),
        ({"key": "nonsense"}, 404, 20404),
        ({"friendlyName": ["not", "text"]}, 400, 20001),
        ({"question": "x" * 1601}, 400, 20001),
        ({"flow": "FW" + "0" * 32}, 404, 20404),
    ],
)
def test_bad_requests_get_twilio_errors(
    key: Any, webchat_flow: Flow, payload: dict[str, Any], status: int, code: int
) -> None:
    fields = {"key": key.key, "flow": webchat_flow.sid, **payload}
    answer = Client().post("/webchat/v1/sessions", json.dumps(fields), content_type="application/json")
    assert answer.status_code == status
    assert answer.json()["code"] == code and answer.json()["status"] == status
    assert not Conversation.objects.exists()


def test_malformed_json_is_a_400() -> None:
    answer = Client().post("/webchat/v1/sessions", "{nope", content_type="application/json")
    assert answer.status_code == 400 and answer.json()["code"] == 20001


def test_another_accounts_flow_cannot_be_opened_with_this_key(key: Any, bob: Any) -> None:
    bobs = make_flow(bob, definition(trigger=[on("incomingConversationMessage")]))
    bobs.published_revision = bobs.revision
    bobs.save()
    answer = open_chat(key.key, bobs.sid)
    assert answer.status_code == 404 and not Conversation.objects.exists()


def test_a_key_limited_to_some_sites_refuses_other_pages(key: Any, webchat_flow: Flow) -> None:
    key.allowed_origins = "https://shop.example\n"
    key.save()
    assert open_chat(key.key, webchat_flow.sid, origin="https://evil.example").status_code == 403
    assert open_chat(key.key, webchat_flow.sid, origin="https://shop.example").status_code == 201


def test_opening_chats_in_a_flood_is_rate_limited(
    key: Any, webchat_flow: Flow, settings: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(visitors, "clock", lambda: 1_000_000.0)  # one window, however slow
    codes = [open_chat(key.key, webchat_flow.sid).status_code for _ in range(visitors.OPENS_PER_MINUTE + 3)]
    assert codes.count(201) == visitors.OPENS_PER_MINUTE
    limited = open_chat(key.key, webchat_flow.sid)
    assert limited.status_code == 429 and limited.json()["code"] == 20429 and limited["Retry-After"]


def test_the_demo_page_shows_the_tag_to_paste(console: Any, webchat_flow: Flow) -> None:
    page = console.get("/webchat/demo")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-flow="{webchat_flow.sid}"' in html and "/webchat/embed.js" in html
    assert "&lt;script" in html  # the snippet is shown as text, not run


def test_the_seeded_webchat_flow_is_valid(webchat_flow: Flow) -> None:
    from studio.models import FlowRevision
    from studio.validation import validate_definition

    published = FlowRevision.objects.get(flow=webchat_flow, revision=webchat_flow.published_revision)
    result = validate_definition(published.definition)
    assert result.errors == [] and result.warnings == []
