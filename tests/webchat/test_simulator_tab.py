"""The canvas simulator's Conversation tab (webchat/simulator.py): the tester opens a web chat
conversation wired to the flow being edited and talks to it over the visitor's own socket, so
their messages reach the flow as a real visitor's do and the latest saved revision runs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from accounts.models import Membership
from conversations.models import Conversation, ConversationWebhook
from executions.models import Execution
from flex.models import Task
from studio.models import Flow
from tests.conversations.test_engine import bot
from tests.executions.factories import make_flow
from tests.executions.test_console_sim import bob_console, post  # noqa: F401 - fixture
from tests.webchat.conftest import open_chat
from tests.webchat.test_visitor_socket import WebsocketCommunicator
from webchat import visitors

pytestmark = pytest.mark.django_db(transaction=True)


def start(client: Any, flow: Flow, **body: Any) -> Any:
    return post(client, f"/api/console/flows/{flow.sid}/simulate/webchat", body)


def close(client: Any, flow: Flow, conversation_sid: str) -> Any:
    return post(client, f"/api/console/flows/{flow.sid}/simulate/webchat/{conversation_sid}/close", {})


def visitor_of(answer: Any) -> visitors.Visitor:
    assert answer.status_code == 201, answer.content
    body = answer.json()
    visitor = visitors.visitor_from(body["token"], body["conversation_sid"])
    assert visitor is not None
    return visitor


def transcript(conversation_sid: str) -> list[tuple[str, str]]:
    conversation = Conversation.objects.get(sid=conversation_sid)
    return [(m.author, m.body) for m in conversation.messages.order_by("index")]


def test_it_opens_a_conversation_wired_to_the_flow_with_the_tester_as_a_chat_participant(
    console: Any, webchat_flow: Flow
) -> None:
    answer = start(console, webchat_flow, friendly_name="Ada")
    visitor = visitor_of(answer)
    body = answer.json()
    assert body["identity"] == "simulator-alice" == visitor.identity
    assert body["socket_path"] == f"/ws/webchat/{body['conversation_sid']}"
    assert (body["state"], body["test_user_added"]) == ("active", True)
    conversation = Conversation.objects.get(sid=body["conversation_sid"])
    assert conversation.account == console.account
    attributes = json.loads(conversation.attributes)
    assert attributes["pre_engagement_data"] == {"friendlyName": "Ada", "question": ""}
    (participant,) = conversation.participants.all()
    assert participant.identity == "simulator-alice" and participant.address == ""
    hook = ConversationWebhook.objects.get(conversation=conversation)
    assert (hook.target, hook.flow_sid) == ("studio", webchat_flow.sid)
    assert not Execution.objects.exists()  # the tester's first message starts the flow
    again = start(console, webchat_flow).json()
    assert again["conversation_sid"] != body["conversation_sid"] and again["test_user_added"] is False
    webchat_flow.refresh_from_db()
    assert webchat_flow.test_users.count("simulator-alice") == 1


def test_the_testers_messages_run_the_seeded_webchat_flow_up_to_send_to_flex(
    console: Any, webchat_flow: Flow
) -> None:
    answer = start(console, webchat_flow)
    visitor = visitor_of(answer)
    conversation_sid = answer.json()["conversation_sid"]
    visitors.post(visitor, "Hello")  # what the visitor socket does with a message frame
    execution = Execution.objects.get(flow=webchat_flow)
    assert execution.trigger_event == "incomingConversationMessage"
    assert (execution.contact_channel_address, execution.channel_address) == (
        "simulator-alice",
        conversation_sid,
    )
    assert execution.current_widget == "AskName"
    assert transcript(conversation_sid)[-1][0] == "system"
    assert "what's your name" in transcript(conversation_sid)[-1][1]
    visitors.post(visitor, "Ada")
    execution.refresh_from_db()
    assert "SendMessageToAgent" in execution.context["widgets"]
    task = Task.objects.get(sid=execution.context["widgets"]["SendMessageToAgent"]["TaskSid"])
    assert json.loads(task.attributes)["name"] == "Ada"


def test_it_runs_the_latest_draft_while_real_visitors_get_the_published_revision(
    console: Any, webchat_flow: Flow, key: Any
) -> None:
    detail = console.get(f"/api/console/flows/{webchat_flow.sid}").json()
    definition = detail["definition"]
    ask = next(s for s in definition["states"] if s["name"] == "AskName")
    ask["properties"]["body"] = "DRAFT: who are you?"
    saved = post(
        console,
        f"/api/console/flows/{webchat_flow.sid}/revisions",
        {"definition": definition, "expected_revision": detail["revision"], "status": "draft"},
    )
    assert saved.status_code in (200, 201), saved.content
    draft = saved.json()["revision"]

    answer = start(console, webchat_flow)
    assert answer.json()["revision"] == draft
    visitors.post(visitor_of(answer), "Hello")
    assert transcript(answer.json()["conversation_sid"])[-1] == ("system", "DRAFT: who are you?")
    ran = Execution.objects.get(channel_address=answer.json()["conversation_sid"])
    assert ran.flow_version == draft

    real = open_chat(key.key, webchat_flow.sid, question="Hello").json()
    assert "what's your name" in transcript(real["conversation_sid"])[-1][1]  # the published one


def test_a_never_published_flow_runs_for_the_tester(console: Any) -> None:
    draft = make_flow(console.account, bot(), published=False)
    answer = start(console, draft)
    visitors.post(visitor_of(answer), "hello")
    conversation_sid = answer.json()["conversation_sid"]
    assert transcript(conversation_sid)[-1] == ("system", "Hi simulator-alice! What is your name?")
    assert Execution.objects.get(flow=draft).flow_version == 1


def test_the_flows_replies_reach_the_simulator_live_on_the_apps_own_page(
    console: Any, webchat_flow: Flow, key: Any
) -> None:
    """The console's origin is the app's own: the socket takes it even when the account's key
    lists only other sites (which keep being checked: see test_visitor_socket)."""
    key.allowed_origins = "https://shop.example"
    key.save()
    body = start(console, webchat_flow).json()

    async def scenario(origin: str, host: str) -> list[dict[str, Any]]:
        ws = WebsocketCommunicator(f"{body['socket_path']}?token={body['token']}&since=-1", origin)
        ws.scope["headers"].append((b"host", host.encode()))
        connected, code = await ws.connect()
        if not connected:
            return [{"refused": code}]
        seen = [await ws.receive_json_from()]
        await ws.send_json_to({"type": "message", "body": "Hello", "client_id": "c1"})
        while len([f for f in seen if f["type"] in ("message", "ack")]) < 3:  # ack, mine, the flow's
            seen.append(await ws.receive_json_from())
        await ws.disconnect()
        return seen

    assert async_to_sync(scenario)("https://evil.example", "studio.example:8000") == [{"refused": 4403}]
    seen = async_to_sync(scenario)("http://studio.example:8000", "studio.example:8000")
    assert seen[0] == {"type": "history", "state": "active", "messages": []}
    frames = sorted((f["message"] for f in seen if f["type"] == "message"), key=lambda m: m["index"])
    live = [(m["author"], m["body"]) for m in frames]  # pushes may overtake: the tab orders by index
    assert live[0] == ("simulator-alice", "Hello")
    assert live[-1][0] == "system" and "what's your name" in live[-1][1]
    assert {"type": "ack", "client_id": "c1", "index": 0} in seen


def test_closing_ends_the_simulated_chat_only(console: Any, webchat_flow: Flow, key: Any) -> None:
    body = start(console, webchat_flow).json()
    closed = close(console, webchat_flow, body["conversation_sid"])
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert Conversation.objects.get(sid=body["conversation_sid"]).state == "closed"
    visitor = visitors.visitor_from(body["token"], body["conversation_sid"])
    assert visitor is not None
    with pytest.raises(Exception, match="closed"):
        visitors.post(visitor, "anyone there?")
    real = open_chat(key.key, webchat_flow.sid).json()  # a visitor's chat is not the simulator's
    refused = close(console, webchat_flow, real["conversation_sid"])
    assert refused.status_code == 404 and refused.json()["code"] == 20404
    assert Conversation.objects.get(sid=real["conversation_sid"]).state == "active"


def test_it_is_scoped_to_the_account_and_refused_to_viewers(
    console: Any,
    bob_console: Any,  # noqa: F811 - the fixture imported above
    webchat_flow: Flow,
    django_user_model: Any,
) -> None:
    assert start(bob_console, webchat_flow).status_code == 404
    mine = start(console, webchat_flow).json()
    assert close(bob_console, webchat_flow, mine["conversation_sid"]).status_code == 404
    viewer = django_user_model.objects.create_user(username="vera", password="vera-password")
    Membership.objects.create(user=viewer, account=console.account, role=Membership.Role.VIEWER)
    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer)
    refused = start(client, webchat_flow)
    assert refused.status_code == 403 and refused.json()["code"] == 20403
    assert close(client, webchat_flow, mine["conversation_sid"]).status_code == 403
    assert Conversation.objects.count() == 1
    assert Conversation.objects.get().state == "active"


@pytest.mark.parametrize("body", [{"friendly_name": ["x"]}, {"friendly_name": "x" * 65}])
def test_bad_input_is_a_400_and_opens_nothing(console: Any, webchat_flow: Flow, body: Any) -> None:
    answer = start(console, webchat_flow, **body)
    assert answer.status_code == 400 and answer.json()["code"] == 20001
    assert not Conversation.objects.exists()


def test_an_anonymous_caller_is_refused(webchat_flow: Flow) -> None:
    answer = Client().post(
        f"/api/console/flows/{webchat_flow.sid}/simulate/webchat", "{}", content_type="application/json"
    )
    assert answer.status_code in (401, 403)
    assert not Conversation.objects.exists()
