"""The visitor's socket: history on connecting (from the last index the page showed), live
messages both ways, an acknowledgement per message and no double on a resend, typing, and
refusals in Twilio's codes for a wrong token, a flood, an oversize or malformed frame."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.db import transaction

from config.asgi import application
from conversations import services
from conversations.models import Conversation
from studio.models import Flow
from tests.webchat.conftest import open_chat
from webchat import visitors

pytestmark = pytest.mark.django_db(transaction=True)


def chat(key: Any, flow: Flow, **fields: Any) -> dict[str, Any]:
    answer = open_chat(key.key, flow.sid, **fields)
    assert answer.status_code == 201, answer.content
    return dict(answer.json())


class WebsocketCommunicator(ApplicationCommunicator):  # type: ignore[misc]
    """A browser's handshake (channels.testing needs daphne): a path, a query and an Origin."""

    def __init__(self, path: str, origin: str) -> None:
        route, _, query = path.partition("?")
        scope = {
            "type": "websocket",
            "path": route,
            "query_string": query.encode(),
            "headers": [(b"origin", origin.encode())],
            "subprotocols": [],
        }
        super().__init__(application, scope)

    async def connect(self) -> tuple[bool, Any]:
        await self.send_input({"type": "websocket.connect"})
        out = await self.receive_output(5)
        return out["type"] == "websocket.accept", out.get("code")

    async def send_json_to(self, data: Any) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json_from(self, timeout: float = 5) -> Any:
        out = await self.receive_output(timeout)
        return json.loads(out["text"])

    async def disconnect(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(1)


def socket(
    body: dict[str, Any], since: int = -1, token: str | None = None, origin: str = "https://shop.example"
) -> WebsocketCommunicator:
    path = f"{body['socket_path']}?token={token or body['token']}&since={since}"
    return WebsocketCommunicator(path, origin)


async def _talk(
    body: dict[str, Any], frames: list[dict[str, Any]], since: int = -1, expect: int = 1
) -> list[dict[str, Any]]:
    ws = socket(body, since)
    connected, _ = await ws.connect()
    assert connected
    seen = [await ws.receive_json_from(timeout=5)]
    for frame in frames:
        await ws.send_json_to(frame)
    while len(seen) < expect:
        seen.append(await ws.receive_json_from(timeout=5))
    await ws.disconnect()
    return seen


def talk(
    body: dict[str, Any], frames: list[dict[str, Any]], since: int = -1, expect: int = 1
) -> list[dict[str, Any]]:
    return list(async_to_sync(_talk)(body, frames, since, expect))


def test_connecting_sends_the_conversation_so_far(key: Any, webchat_flow: Flow) -> None:
    body = chat(key, webchat_flow, question="Hello?")
    (history,) = talk(body, [])
    assert history["type"] == "history" and history["state"] == "active"
    authors = [m["author"] for m in history["messages"]]
    assert authors == [body["identity"], "system"]  # the question, then the flow asking a name
    (later,) = talk(body, [], since=0)
    assert [m["index"] for m in later["messages"]] == [1]  # a reconnect gets only what it missed


def test_a_message_is_acknowledged_once_and_a_resend_is_not_doubled(key: Any, webchat_flow: Flow) -> None:
    body = chat(key, webchat_flow, question="Hello?")
    frames = [{"type": "message", "body": "Ann", "client_id": "abc123"}]
    seen = talk(body, frames, since=1, expect=3)
    kinds = {f["type"] for f in seen[1:]}
    assert kinds == {"ack", "message"}  # the ack and the message itself, live
    ack = next(f for f in seen if f["type"] == "ack")
    again = talk(body, frames, since=99, expect=2)[1]  # the page did not hear the ack: it resends
    assert again == {"type": "ack", "client_id": "abc123", "index": ack["index"]}
    conversation = Conversation.objects.get(sid=body["conversation_sid"])
    assert conversation.messages.filter(body="Ann").count() == 1


def test_the_flow_and_the_agent_reach_the_visitor_live(key: Any, webchat_flow: Flow) -> None:
    body = chat(key, webchat_flow, friendlyName="Ann")

    async def scenario() -> list[dict[str, Any]]:
        ws = socket(body)
        assert (await ws.connect())[0]
        await ws.receive_json_from(timeout=5)  # history
        conversation = await _get(body["conversation_sid"])
        await _say(conversation, "agent-1", "Hi Ann, <script>alert(1)</script>")
        message = await ws.receive_json_from(timeout=5)
        await _close(conversation)
        state = await ws.receive_json_from(timeout=5)
        await ws.disconnect()
        return [message, state]

    message, state = async_to_sync(scenario)()
    assert message["type"] == "message"
    assert message["message"]["author"] == "agent-1"
    assert message["message"]["body"] == "Hi Ann, <script>alert(1)</script>"  # stored and sent verbatim
    assert state == {"type": "state", "state": "closed"}


def test_typing_reaches_the_conversation_and_is_not_echoed_to_the_typist(
    key: Any, webchat_flow: Flow
) -> None:
    body = chat(key, webchat_flow, friendlyName="Ann")

    async def scenario() -> tuple[dict[str, Any], bool]:
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        agent = await layer.new_channel()  # someone else listening to the conversation
        await layer.group_add(services.group_name(body["conversation_sid"]), agent)
        visitor = socket(body)
        assert (await visitor.connect())[0]
        await visitor.receive_json_from()
        await visitor.send_json_to({"type": "typing"})
        heard = await layer.receive(agent)
        quiet = await visitor.receive_nothing(timeout=0.3)
        await visitor.disconnect()
        return heard, quiet

    heard, quiet = async_to_sync(scenario)()
    assert heard == {"type": "conversation.typing", "identity": body["identity"]}
    assert quiet


def test_a_token_for_another_conversation_is_refused(key: Any, webchat_flow: Flow) -> None:
    mine, theirs = chat(key, webchat_flow), chat(key, webchat_flow)

    async def attempt(token: str) -> tuple[bool, Any]:
        ws = socket(theirs, token=token)
        connected, code = await ws.connect()
        await ws.disconnect()
        return connected, code

    assert async_to_sync(attempt)(mine["token"]) == (False, 4403)
    assert async_to_sync(attempt)("garbage")[0] is False


def test_a_key_limited_to_some_sites_refuses_sockets_from_other_pages(key: Any, webchat_flow: Flow) -> None:
    body = chat(key, webchat_flow)
    key.allowed_origins = "https://shop.example"
    key.save()

    async def attempt(origin: str) -> bool:
        ws = socket(body, origin=origin)
        connected, _ = await ws.connect()
        await ws.disconnect()
        return bool(connected)

    assert async_to_sync(attempt)("https://evil.example") is False
    assert async_to_sync(attempt)("https://shop.example") is True


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "message", "body": "x" * 1601}, 20001),
        ({"type": "message", "body": ""}, 21602),
        ({"type": "message", "body": {"html": 1}}, 21602),
        ({"type": "dance"}, 20001),
        (["not", "an", "object"], 20001),
    ],
)
def test_bad_frames_get_an_error_and_change_nothing(
    key: Any, webchat_flow: Flow, frame: Any, code: int
) -> None:
    body = chat(key, webchat_flow, friendlyName="Ann")
    seen = talk(body, [frame], expect=2)
    assert seen[1]["type"] == "error" and seen[1]["code"] == code
    assert not Conversation.objects.get(sid=body["conversation_sid"]).messages.exists()


def test_a_flood_from_one_visitor_is_limited_with_20429(
    key: Any, webchat_flow: Flow, monkeypatch: Any
) -> None:
    monkeypatch.setattr(visitors, "clock", lambda: 1_000_000.0)  # all in one window, however slow
    body = chat(key, webchat_flow, friendlyName="Ann")
    visitor = visitors.visitor_from(body["token"], body["conversation_sid"])
    assert visitor is not None
    # Each message would start the flow; here only the limit is under test.
    Conversation.objects.get(sid=body["conversation_sid"]).webhooks.all().delete()
    for n in range(visitors.MESSAGES_PER_WINDOW):
        visitors.post(visitor, f"message {n}")
    frames = [{"type": "message", "body": "one too many", "client_id": "flood1"}]
    error = talk(body, frames, since=99, expect=2)[1]
    assert error["type"] == "error" and error["code"] == 20429 and error["client_id"] == "flood1"
    conversation = Conversation.objects.get(sid=body["conversation_sid"])
    assert conversation.messages.count() == visitors.MESSAGES_PER_WINDOW


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    from django.core.cache import cache

    cache.clear()


async def _get(sid: str) -> Conversation:
    from channels.db import database_sync_to_async

    return await database_sync_to_async(Conversation.objects.select_related("account", "service").get)(
        sid=sid
    )


async def _say(conversation: Conversation, author: str, body: str) -> None:
    from channels.db import database_sync_to_async

    def run() -> None:
        with transaction.atomic():
            services.add_message(conversation, author=author, body=body)

    await database_sync_to_async(run)()


async def _close(conversation: Conversation) -> None:
    from channels.db import database_sync_to_async

    def run() -> None:
        with transaction.atomic():
            services.close_conversation(conversation)

    await database_sync_to_async(run)()
