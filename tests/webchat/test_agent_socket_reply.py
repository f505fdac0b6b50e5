"""The agent replies over its console's live socket (``ws/flex/live``): ``{"type": "reply",
"reservation", "body", "client_id"}`` reaches the visitor live (and SMS participants by SMS) as
the console's ``POST`` does, is acknowledged with the message, is stored once however often it is
resent with the same ``client_id``, and is refused in Twilio's error shape — with its
``client_id`` — for a reservation not the socket user's own worker's, one not accepted, an
oversize or malformed frame, a flood. Per reply: the reservation's check and the message's two
statements."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations import services
from conversations.models import Conversation
from executions.models import Message
from flex import consumers
from flex.agents import workers_of
from flex.consumers import FlexLiveConsumer
from flex.models import Reservation, Workspace
from flex.replies import AgentReplies
from studio.models import Flow
from tests.executions.test_live_events import WebsocketCommunicator as AgentSocket
from tests.flex.helpers import task, worker, workspace
from tests.studio.console import console_user, post
from tests.webchat.test_message_cost import statements
from tests.webchat.test_visitor_socket import chat, socket

pytestmark = pytest.mark.django_db(transaction=True)


def accepted_chat(console: Any, key: Any, flow: Flow, name: str = "Ann") -> dict[str, Any]:
    """A visitor's chat (no flow: its webhook removed) whose task the console user accepted: the
    user's worker joined the conversation as its agent."""
    opened = chat(key, flow, friendlyName=name)
    conversation = Conversation.objects.get(sid=opened["conversation_sid"])
    conversation.webhooks.all().delete()
    ws = Workspace.objects.get(account=console.account, friendly_name="Flex Task Assignment")
    me = workers_of(console.user, [console.account.pk])
    agent = me[0] if me else worker(ws, console.user.username, contact_uri=f"client:{console.user.username}")
    made = task(ws, channel="chat", name=name, conversationSid=conversation.sid)
    offer = Reservation.objects.get(task=made, worker=agent)
    path = f"/api/console/flex/agent/{agent.sid}/reservations/{offer.sid}"
    assert post(console, path, {"action": "accept"}).status_code == 200
    return {**opened, "reservation": offer.sid, "worker": agent, "conversation": conversation, "path": path}


def agent_socket(user: Any, view: bytes = b"view=agent") -> AgentSocket:
    ws = AgentSocket(FlexLiveConsumer.as_asgi(), "/ws/flex/live")
    ws.scope["user"] = user
    ws.scope["query_string"] = view
    return ws


async def _answers(ws: AgentSocket, frames: list[Any], raw: bool = False) -> list[dict[str, Any]]:
    """Send the frames; the answer (``flex.reply`` or ``flex.error``) to each, in order."""
    answers = []
    for frame in frames:
        text = frame if raw else json.dumps(frame)
        await ws.send_input({"type": "websocket.receive", "text": text})
        while True:
            heard = await ws.receive_json_from(timeout=5)
            if heard["type"] in ("flex.reply", "flex.error"):
                answers.append(heard)
                break
    return answers


def replies(
    user: Any, frames: list[Any], raw: bool = False, view: bytes = b"view=agent"
) -> list[dict[str, Any]]:
    async def scenario() -> list[dict[str, Any]]:
        ws = agent_socket(user, view)
        connected, _ = await ws.connect()
        assert connected
        assert (await ws.receive_json_from())["type"] == "flex.ready"
        answers = await _answers(ws, frames, raw)
        await ws.disconnect()
        return answers

    return list(async_to_sync(scenario)())


def reply(mine: dict[str, Any], body: str, client_id: str = "c1") -> dict[str, Any]:
    return {"type": "reply", "reservation": mine["reservation"], "body": body, "client_id": client_id}


def test_the_reply_reaches_the_visitor_live_and_an_sms_participant_by_sms(
    console: Any, key: Any, webchat_flow: Flow
) -> None:
    mine = accepted_chat(console, key, webchat_flow)
    services.add_participant(mine["conversation"], address="+15551230001", proxy_address="+15550009999")

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        visitor = socket(mine, since=999)
        assert (await visitor.connect())[0]
        await visitor.receive_json_from()  # the history
        agent = agent_socket(console.user)
        assert (await agent.connect())[0]
        await agent.receive_json_from()  # flex.ready
        (answer,) = await _answers(agent, [reply(mine, "Hi Ann, <script>alert(1)</script>", "r-1")])
        heard = await visitor.receive_json_from(timeout=5)
        await agent.disconnect()
        await visitor.disconnect()
        return answer, heard

    answer, heard = async_to_sync(scenario)()
    assert answer["type"] == "flex.reply"
    assert (answer["reservation"], answer["client_id"]) == (mine["reservation"], "r-1")
    message = answer["message"]
    assert (message["direction"], message["from"]) == ("outbound", "alice")
    assert message["body"] == "Hi Ann, <script>alert(1)</script>"  # stored and sent as text, verbatim
    assert heard["type"] == "message"
    assert (heard["message"]["index"], heard["message"]["author"]) == (message["index"], "alice")
    assert heard["message"]["body"] == message["body"]
    sms = list(Message.objects.filter(to_address="+15551230001").values_list("from_address", "body"))
    assert sms == [("+15550009999", "Hi Ann, <script>alert(1)</script>")]


def test_a_resend_after_a_reconnect_is_stored_once(console: Any, key: Any, webchat_flow: Flow) -> None:
    mine = accepted_chat(console, key, webchat_flow)
    (first,) = replies(console.user, [reply(mine, "On it", "once-1")])
    (again,) = replies(console.user, [reply(mine, "On it", "once-1")])  # a new socket, the same reply
    by_post = post(console, f"{mine['path']}/messages", {"body": "On it", "client_id": "once-1"})
    assert again["message"] == first["message"]
    assert by_post.status_code == 201 and by_post.json()["message"] == first["message"]
    assert mine["conversation"].messages.filter(body="On it").count() == 1
    (other,) = replies(console.user, [reply(mine, "On it", "once-2")])  # another reply, the same words
    assert other["message"]["index"] == first["message"]["index"] + 1


def test_another_agent_another_account_and_a_viewer_are_refused(
    console: Any, key: Any, webchat_flow: Flow, alice: Any, bob: Any, django_user_model: Any
) -> None:
    mine = accepted_chat(console, key, webchat_flow)
    carol = console_user(alice, django_user_model, "carol", "owner")  # same account, her own worker
    worker(mine["worker"].workspace, "carol", contact_uri="client:carol")
    viewer = console_user(alice, django_user_model, "vera", "viewer")  # a viewer, no worker of hers
    mallory = console_user(bob, django_user_model, "alice-at-bob", "owner")
    worker(workspace(bob), "alice", contact_uri="client:alice-at-bob")
    attempt = reply(mine, "not yours", "x-1")
    refused = [
        replies(carol.user, [attempt])[0],
        replies(viewer.user, [attempt], view=b"")[0],  # (its socket: the workspaces' notices only)
        replies(mallory.user, [attempt])[0],
    ]
    for answer in refused:
        assert answer == {
            "type": "flex.error",
            "reservation": mine["reservation"],
            "client_id": "x-1",
            "code": 20404,
            "message": f"No reservation {mine['reservation']} for your workers",
            "more_info": "https://www.twilio.com/docs/errors/20404",
            "status": 404,
        }
    assert not mine["conversation"].messages.filter(body="not yours").exists()


def test_a_reservation_not_yet_accepted_is_refused(
    console: Any, key: Any, webchat_flow: Flow, alice: Any
) -> None:
    opened = chat(key, webchat_flow, friendlyName="Bo")
    ws = Workspace.objects.get(account=alice, friendly_name="Flex Task Assignment")
    me = worker(ws, "alice", contact_uri="client:alice")
    offer = Reservation.objects.get(task=task(ws, channel="chat", conversationSid=opened["conversation_sid"]))
    assert offer.worker_id == me.pk and offer.reservation_status == "pending"
    (answer,) = replies(console.user, [reply({"reservation": offer.sid}, "too early")])
    assert (answer["code"], answer["status"]) == (20001, 400)


def test_oversize_and_malformed_frames_are_refused_in_twilios_shape(
    console: Any, key: Any, webchat_flow: Flow
) -> None:
    mine = accepted_chat(console, key, webchat_flow)
    frames: list[Any] = [
        json.dumps(reply(mine, "x" * (services.MAX_BODY + 1), "big")),
        json.dumps(reply(mine, "y" * 9000, "frame")),  # over the 8 KB a frame may be
        "{not json",
        json.dumps(["reply"]),
        json.dumps({"type": "shout", "client_id": "t1"}),
        json.dumps({"type": "reply", "body": "no reservation", "client_id": "t2"}),
        json.dumps({**reply(mine, "", "empty")}),
        json.dumps({**reply(mine, "x", "num"), "body": 42}),
        json.dumps(reply(mine, "bad id", "not ok!")),
    ]
    answers = replies(console.user, frames, raw=True)
    got = [(a["type"], a["code"], a["status"], a["client_id"]) for a in answers]
    assert got == [
        ("flex.error", 20001, 400, "big"),
        ("flex.error", 20001, 400, None),  # not read: the client id is not known
        ("flex.error", 20001, 400, None),
        ("flex.error", 20001, 400, None),
        ("flex.error", 20001, 400, "t1"),
        ("flex.error", 20001, 400, "t2"),
        ("flex.error", 21602, 400, "empty"),
        ("flex.error", 21602, 400, "num"),
        ("flex.error", 20001, 400, "not ok!"),
    ]
    assert all(a["more_info"] == f"https://www.twilio.com/docs/errors/{a['code']}" for a in answers)
    assert mine["conversation"].messages.filter(author="alice").count() == 0


def test_a_flood_on_one_socket_is_refused_with_20429(
    console: Any, key: Any, webchat_flow: Flow, monkeypatch: Any
) -> None:
    mine = accepted_chat(console, key, webchat_flow)
    monkeypatch.setattr(consumers, "REPLIES_PER_WINDOW", 2)
    answers = replies(console.user, [reply(mine, f"m{n}", f"f{n}") for n in range(3)])
    assert [a["type"] for a in answers] == ["flex.reply", "flex.reply", "flex.error"]
    assert (answers[2]["code"], answers[2]["status"], answers[2]["client_id"]) == (20429, 429, "f2")
    assert mine["conversation"].messages.filter(author="alice").count() == 2


def test_the_accounts_api_rate_counts_socket_replies_as_it_counts_posts(
    console: Any, key: Any, webchat_flow: Flow, settings: Any
) -> None:
    mine = accepted_chat(console, key, webchat_flow)
    settings.STUDIO = {**settings.STUDIO, "API_RATE_LIMIT": "2/10s"}
    from django.core.cache import cache

    cache.clear()
    answers = replies(console.user, [reply(mine, f"m{n}", f"a{n}") for n in range(3)])
    assert [a.get("code") for a in answers] == [None, None, 20429]


def test_a_reply_costs_the_reservations_check_and_the_messages_two_statements(
    console: Any, key: Any, webchat_flow: Flow
) -> None:
    mine = accepted_chat(console, key, webchat_flow)
    socket_replies = AgentReplies(workers_of(console.user, [console.account.pk]))
    socket_replies.reply(mine["reservation"], "first", "q1")  # meets the conversation
    with CaptureQueriesContext(connection) as queries:
        message = socket_replies.reply(mine["reservation"], "second", "q2")
    assert statements(queries) == ["SELECT", "UPDATE", "INSERT"], [
        q["sql"][:80] for q in queries.captured_queries
    ]
    assert message["body"] == "second" and message["direction"] == "outbound"


def test_a_reply_to_a_completed_task_is_refused(console: Any, key: Any, webchat_flow: Flow) -> None:
    mine = accepted_chat(console, key, webchat_flow)
    (before,) = replies(console.user, [reply(mine, "bye", "b1")])
    assert post(console, mine["path"], {"action": "complete"}).status_code == 200
    late, resend = replies(console.user, [reply(mine, "still there?", "b2"), reply(mine, "bye", "b1")])
    assert (late["code"], late["status"]) == (20001, 400)  # no longer held
    assert resend["code"] == 20001
    assert mine["conversation"].messages.filter(author="alice").count() == 1
    assert before["type"] == "flex.reply"


def test_the_posts_reply_reads_the_worker_and_reservation_together(
    console: Any, key: Any, webchat_flow: Flow
) -> None:
    """The console's fallback: the session, its user and membership, then one read for the worker
    and its reservation, one for the conversation, and the message's two statements."""
    mine = accepted_chat(console, key, webchat_flow)
    assert post(console, f"{mine['path']}/messages", {"body": "first", "client_id": "p1"}).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        answer = post(console, f"{mine['path']}/messages", {"body": "second", "client_id": "p2"})
    assert answer.status_code == 201 and answer.json()["message"]["body"] == "second"
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].upper().startswith("SELECT")]
    tables = [sql.split(" FROM ", 1)[1].split()[0].strip('"') for sql in reads]
    assert tables == [
        "django_session",
        "auth_user",
        "accounts_membership",
        "flex_reservation",
        "conversations_conversation",
    ], tables
    assert statements(queries)[-2:] == ["UPDATE", "INSERT"]


def test_a_suspended_accounts_agent_cannot_reply(
    console: Any, key: Any, webchat_flow: Flow, alice: Any
) -> None:
    mine = accepted_chat(console, key, webchat_flow)

    async def scenario() -> list[dict[str, Any]]:
        ws = agent_socket(console.user)
        assert (await ws.connect())[0]
        await ws.receive_json_from()  # flex.ready: the socket opened while the account was active
        before = await _answers(ws, [reply(mine, "hello", "s1")])
        await _suspend(alice)
        after = await _answers(ws, [reply(mine, "still here", "s2")])
        await ws.disconnect()
        return before + after

    from asgiref.sync import sync_to_async

    def suspend(account: Any) -> None:
        type(account).objects.filter(pk=account.pk).update(status="suspended")

    _suspend = sync_to_async(suspend)
    before, after = async_to_sync(scenario)()
    assert before["type"] == "flex.reply"
    assert (after["type"], after["code"], after["status"]) == ("flex.error", 20005, 401)
    assert not mine["conversation"].messages.filter(body="still here").exists()


def test_the_agents_typing_reaches_the_visitor_and_a_stranger_is_refused(
    console: Any, key: Any, webchat_flow: Flow, bob: Any, django_user_model: Any
) -> None:
    mine = accepted_chat(console, key, webchat_flow)
    mallory = console_user(bob, django_user_model, "mallory", "owner")
    worker(workspace(bob), "mallory", contact_uri="client:mallory")

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], bool]:
        visitor = socket(mine, since=999)
        assert (await visitor.connect())[0]
        await visitor.receive_json_from()  # the history
        agent = agent_socket(console.user)
        assert (await agent.connect())[0]
        await agent.receive_json_from()  # flex.ready
        await agent.send_input(
            {"type": "websocket.receive", "text": json.dumps({"type": "typing", **mine_only})}
        )
        seen = await visitor.receive_json_from(timeout=5)
        stranger = agent_socket(mallory.user)
        assert (await stranger.connect())[0]
        await stranger.receive_json_from()
        await stranger.send_input(
            {"type": "websocket.receive", "text": json.dumps({"type": "typing", **mine_only})}
        )
        refused = await stranger.receive_json_from(timeout=5)
        quiet = await visitor.receive_nothing(timeout=0.5)  # the stranger's notice reached nobody
        for ws in (stranger, agent, visitor):
            await ws.disconnect()
        return seen, refused, quiet

    mine_only = {"reservation": mine["reservation"]}
    seen, refused, quiet = async_to_sync(scenario)()
    assert seen == {"type": "typing", "identity": "alice"}
    assert (refused["type"], refused["code"], refused["status"]) == ("flex.error", 20404, 404)
    assert quiet
