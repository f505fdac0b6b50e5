"""The visitor's typing reaches the agent's console: the agent's live socket (``ws/flex/live``,
not in the conversation's group) gets ``flex.typing`` naming the conversation and the visitor —
and only the agents of that conversation do."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.db import transaction

from conversations import services
from conversations.models import Conversation
from flex.consumers import FlexLiveConsumer
from flex.flex_defaults import seed_account
from flex.models import Worker
from studio.models import Flow
from tests.executions.test_live_events import WebsocketCommunicator as AgentSocket
from tests.webchat.test_visitor_socket import chat, socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mine(console: Any, alice: Any, key: Any, webchat_flow: Flow) -> dict[str, Any]:
    """Ann's chat, which the console user's worker has joined as its agent."""
    workspace = seed_account(alice, console.user)
    agent = Worker.objects.get(workspace=workspace, friendly_name="alice")
    chatting = chat(key, webchat_flow, friendlyName="Ann")
    with transaction.atomic():
        conversation = Conversation.objects.get(sid=chatting["conversation_sid"])
        services.add_participant(
            conversation, identity="alice", attributes=json.dumps({"role": "agent", "worker_sid": agent.sid})
        )
    return chatting


def test_the_agent_in_the_conversation_sees_the_visitor_typing(
    console: Any, key: Any, webchat_flow: Flow, mine: dict[str, Any]
) -> None:
    other = chat(key, webchat_flow, friendlyName="Bo")

    async def scenario() -> list[dict[str, Any]]:
        console_socket = AgentSocket(FlexLiveConsumer.as_asgi(), "/ws/flex/live")
        console_socket.scope["user"] = console.user
        console_socket.scope["query_string"] = b"view=agent"  # the agent console's socket
        assert (await console_socket.connect())[0]
        assert (await console_socket.receive_json_from())["type"] == "flex.ready"
        stranger = socket(other)  # a visitor of a conversation this agent is not in
        assert (await stranger.connect())[0]
        await stranger.receive_json_from()
        await stranger.send_json_to({"type": "typing"})
        visitor = socket(mine)
        assert (await visitor.connect())[0]
        await visitor.receive_json_from()
        await visitor.send_json_to({"type": "typing"})
        heard = [await console_socket.receive_json_from(timeout=5)]
        while heard[-1]["type"] != "flex.typing":  # notices of the chats' tasks may come first
            heard.append(await console_socket.receive_json_from(timeout=5))
        await visitor.send_json_to({"type": "typing"})  # within 2 s: not relayed again
        later = []
        while not await console_socket.receive_nothing(timeout=0.3):
            later.append(await console_socket.receive_json_from())
        for ws in (visitor, stranger, console_socket):
            await ws.disconnect()
        return [h for h in heard + later if h["type"] == "flex.typing"]

    typing = async_to_sync(scenario)()
    assert typing == [
        {"type": "flex.typing", "conversation_sid": mine["conversation_sid"], "identity": mine["identity"]}
    ]


def test_typing_right_after_a_message_is_relayed_at_once(console: Any, mine: dict[str, Any]) -> None:
    """A message ends a bout of typing: the first keystroke of the next one reaches the agent even
    within the 2 s that hold back repeated notices."""

    async def scenario() -> list[dict[str, Any]]:
        console_socket = AgentSocket(FlexLiveConsumer.as_asgi(), "/ws/flex/live")
        console_socket.scope["user"] = console.user
        console_socket.scope["query_string"] = b"view=agent"
        assert (await console_socket.connect())[0]
        await console_socket.receive_json_from()
        visitor = socket(mine)
        assert (await visitor.connect())[0]
        await visitor.receive_json_from()
        await visitor.send_json_to({"type": "typing"})
        await visitor.send_json_to({"type": "message", "body": "Hi", "client_id": "m1"})
        await visitor.send_json_to({"type": "typing"})  # the next message, at once
        heard = []
        while not await console_socket.receive_nothing(timeout=0.5):
            heard.append(await console_socket.receive_json_from())
        for ws in (visitor, console_socket):
            await ws.disconnect()
        return [h for h in heard if h["type"] == "flex.typing"]

    assert len(async_to_sync(scenario)()) == 2
