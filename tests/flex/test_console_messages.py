"""The agent console hears each message of its conversations itself: a ``flex.message`` event on
its worker's group (index, author, body, media, date, direction), sent to the agents of that
conversation only, and never to a worker of another account; its re-reads of the view carry each
conversation's ``last_index`` instead of the history, and a gap is read as a range
(``GET …/reservations/WR/messages?after=N``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.test import override_settings

from conversations import services
from flex.live import worker_group
from flex.models import Worker
from tests.flex.helpers import task, worker, workspace
from tests.studio.console import post

pytestmark = pytest.mark.django_db(transaction=True)
MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def say(conv: Any, author: str, body: str, **fields: Any) -> Any:
    with transaction.atomic():
        return services.add_message(conv, author=author, body=body, **fields)


def inbox(*workers: Worker) -> str:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    for w in workers:
        async_to_sync(layer.group_add)(worker_group(w.sid), channel)
    return channel


def heard(channel: str, kind: str = "flex.message") -> list[dict[str, Any]]:
    """The events of type ``kind`` (every one when empty) that reached the channel so far, taken
    off it (the in-memory layer's queue: its sends are done once the transaction has committed)."""
    queue = get_channel_layer().channels.get(channel)
    events = []
    while queue is not None and not queue.empty():
        _, event = queue.get_nowait()
        events.append(event)
    return [e for e in events if e["type"] == kind or not kind]


@pytest.fixture
def chat(console: Any, alice: Any) -> dict[str, Any]:
    """Alice's console user holds a chat task: accepted, so her agent joined the conversation."""
    ws = workspace(alice)
    me = worker(ws, "alice", contact_uri="client:alice")
    conv = services.create_conversation(alice)
    services.add_participant(conv, identity="visitor-1")
    say(conv, "visitor-1", "hello")
    task(ws, channel="chat", name="Ann", conversationSid=conv.sid)
    (offer,) = console.get("/api/console/flex/agent").json()["workers"][0]["reservations"]
    path = f"/api/console/flex/agent/{me.sid}/reservations/{offer['sid']}"
    assert post(console, path, {"action": "accept"}).status_code == 200
    return {"ws": ws, "me": me, "conv": conv, "path": path}


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_the_agent_of_the_conversation_hears_each_message_with_its_index(
    console: Any, chat: dict[str, Any]
) -> None:
    mine = inbox(chat["me"])
    media = [
        {"sid": "ME" + "1" * 32, "content_type": "image/png", "filename": "a.png", "size": 3, "url": "/x"}
    ]
    say(chat["conv"], "visitor-1", "<b>my order</b> is late", media=media)
    sent = post(console, f"{chat['path']}/messages", {"body": "On it"})
    assert sent.status_code == 201
    (theirs, own) = heard(mine)

    assert theirs["conversation_sid"] == chat["conv"].sid
    message = theirs["message"]
    assert {k: message[k] for k in ("index", "direction", "from", "body")} == {
        "index": 1,
        "direction": "inbound",
        "from": "visitor-1",
        "body": "<b>my order</b> is late",
    }
    assert message["media"] == [
        {"sid": "ME" + "1" * 32, "content_type": "image/png", "filename": "a.png", "size": 3}
    ]
    assert message["date_created"].endswith("Z") and message["sid"].startswith("IM")
    # The agent's own reply: answered with it (the console appends it), and heard with the same index.
    assert sent.json()["message"] == own["message"]
    assert (own["message"]["index"], own["message"]["direction"], own["message"]["from"]) == (
        2,
        "outbound",
        "alice",
    )


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_an_agent_not_in_the_conversation_hears_nothing(chat: dict[str, Any]) -> None:
    colleague = worker(chat["ws"], "carol", contact_uri="client:carol")  # same account, not a participant
    theirs = inbox(colleague)
    say(chat["conv"], "visitor-1", "for alice only")
    assert heard(theirs) == []


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_a_worker_of_another_account_named_by_a_participant_hears_nothing(
    chat: dict[str, Any], bob: Any
) -> None:
    stranger = worker(workspace(bob), "bob's agent", contact_uri="client:bob")
    # Alice's account names Bob's worker in a participant's attributes: it is not hers to reach.
    with transaction.atomic():
        services.add_participant(
            chat["conv"], identity="spy", attributes=json.dumps({"role": "agent", "worker_sid": stranger.sid})
        )
    theirs, mine = inbox(stranger), inbox(chat["me"])
    say(chat["conv"], "visitor-1", "private")
    services.relay_typing(chat["conv"].sid, "visitor-1")  # nor the visitor's "typing…"
    assert heard(theirs, kind="") == []
    events = heard(mine, kind="")
    assert [e["message"]["body"] for e in events if e["type"] == "flex.message"] == ["private"]
    assert [e["identity"] for e in events if e["type"] == "flex.typing"] == ["visitor-1"]


def test_the_views_re_read_carries_the_last_index_and_a_gap_is_read_as_a_range(
    console: Any, chat: dict[str, Any]
) -> None:
    for n in range(3):
        say(chat["conv"], "visitor-1", f"m{n}")
    (light,) = console.get("/api/console/flex/agent?messages=0").json()["workers"][0]["reservations"]
    assert (light["messages"], light["last_index"]) == (None, 3)
    (full,) = console.get("/api/console/flex/agent").json()["workers"][0]["reservations"]
    assert [m["index"] for m in full["messages"]] == [0, 1, 2, 3] and full["last_index"] == 3

    gap = console.get(f"{chat['path']}/messages?after=1").json()
    assert [(m["index"], m["body"]) for m in gap["messages"]] == [(2, "m1"), (3, "m2")]
    assert (gap["more"], gap["last_index"], gap["conversation_sid"]) == (False, 3, chat["conv"].sid)
    assert [m["index"] for m in console.get(f"{chat['path']}/messages").json()["messages"]] == [0, 1, 2, 3]
    assert console.get(f"{chat['path']}/messages?after=x").status_code == 400


def test_a_range_is_read_in_pages(console: Any, chat: dict[str, Any]) -> None:
    from flex import conversation

    for n in range(4):
        say(chat["conv"], "visitor-1", f"m{n}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(conversation, "RANGE", 2)
        first = console.get(f"{chat['path']}/messages?after=-1").json()
        second = console.get(f"{chat['path']}/messages?after=1").json()
    assert ([m["index"] for m in first["messages"]], first["more"]) == ([0, 1], True)
    assert ([m["index"] for m in second["messages"]], second["more"]) == ([2, 3], True)


def test_another_agent_cannot_read_the_conversation(
    chat: dict[str, Any], alice: Any, django_user_model: Any
) -> None:
    from tests.studio.console import console_user

    carol = console_user(alice, django_user_model, "carol", "owner")
    worker(chat["ws"], "carol", contact_uri="client:carol")
    assert carol.get(f"{chat['path']}/messages?after=-1").status_code == 404  # alice's worker, not carol's
