"""What the agent console's requests cost, in-process (no sockets, no other load counted): CPU ms
per request of the whole agent view (every open conversation's history: what the console read on
every notice before), the view without histories (``?messages=0``: its re-reads now), a range read
of one conversation (``…/messages?after=N``: a gap), and a reply: by ``POST …/messages`` (the
console's fallback), and over the agent's live socket (what console.js sends while it is open):
its database part (``flex.replies.AgentReplies.reply``, the statements and the ORM) and the whole
socket path (the frame into ``FlexLiveConsumer``, the reply's thread hop, its answer frame and the
reply's own ``flex.message`` event back on the socket; in-memory channel layer).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studio_bench .venv/bin/python bench/console_read_cost.py \
        [--chats 4] [--messages 20] [--repeat 50]

One agent holds ``--chats`` accepted chat tasks whose conversations have ``--messages`` messages
each. CPU is this process's (``time.process_time``): Django's side; PostgreSQL's own is not in it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/studio_bench")
os.environ.pop("REDIS_URL", None)  # in-process: no channel layer on the network


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=4)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings
    from django.db import transaction
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SSL_REDIRECT = False
    from bench.webchat_bench import setup_console_chats
    from conversations import services
    from conversations.models import Conversation

    chats = setup_console_chats(args.chats, args.chats)  # one agent holds them all
    for chat in chats:
        conv = Conversation.objects.get(sid=chat["conversation"])
        for n in range(args.messages):
            with transaction.atomic():
                services.add_message(conv, author=conv.participants.first().identity, body=f"message {n}")
    client = Client()
    client.cookies["sessionid"] = chats[0]["session"]
    page = client.get("/flex/agent")
    assert page.status_code == 200, page.status_code
    csrf = client.cookies["csrftoken"].value
    worker = chats[0]["worker"]
    view = client.get("/api/console/flex/agent?messages=0").json()
    reservation = next(r["sid"] for r in view["workers"][0]["reservations"])
    base = f"/api/console/flex/agent/{worker}/reservations/{reservation}/messages"

    def cost(label: str, call: object) -> tuple[str, float]:
        samples = []
        for _ in range(args.repeat):
            started = time.process_time()
            response = call()  # type: ignore[operator]
            samples.append((time.process_time() - started) * 1000)
            assert response.status_code in (200, 201), (label, response.status_code, response.content[:200])
        return label, round(statistics.median(samples), 2)

    results = dict(
        [
            cost("whole view (every history)", lambda: client.get("/api/console/flex/agent")),
            cost(
                "view without histories (?messages=0)",
                lambda: client.get("/api/console/flex/agent?messages=0"),
            ),
            cost(
                "range read, one message (?after=last-1)",
                lambda: client.get(f"{base}?after={args.messages - 1}"),
            ),
            cost(
                "reply (POST …/messages)",
                lambda: client.post(
                    base, json.dumps({"body": "hi"}), content_type="application/json", HTTP_X_CSRFTOKEN=csrf
                ),
            ),
        ]
    )
    results.update(socket_costs(chats[0], reservation, args.repeat))
    print(json.dumps({"chats": args.chats, "messages_each": args.messages, "cpu_ms_median": results}))


def socket_costs(chat: dict[str, str], reservation: str, repeat: int) -> dict[str, float]:
    """CPU ms (medians) of a reply over the agent's live socket: the database part, and the whole
    socket path (frame in → ``flex.reply`` out, and the reply's ``flex.message`` event)."""
    from asgiref.sync import async_to_sync
    from asgiref.testing import ApplicationCommunicator
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from flex.agents import workers_of
    from flex.consumers import FlexLiveConsumer
    from flex.replies import AgentReplies

    user_id = SessionStore(session_key=chat["session"]).get("_auth_user_id")
    user = get_user_model().objects.get(pk=user_id)
    accounts = list(user.memberships.values_list("account_id", flat=True))  # type: ignore[attr-defined]
    replies = AgentReplies(workers_of(user, accounts))
    samples = []
    for n in range(repeat):
        started = time.process_time()
        replies.reply(reservation, "hi", f"db{n}")
        samples.append((time.process_time() - started) * 1000)
    database = round(statistics.median(samples), 2)

    async def over_the_socket() -> list[float]:
        scope = {"type": "websocket", "path": "/ws/flex/live", "headers": [], "subprotocols": []}
        scope.update(query_string=b"view=agent", user=user)
        socket = ApplicationCommunicator(FlexLiveConsumer.as_asgi(), scope)
        await socket.send_input({"type": "websocket.connect"})
        assert (await socket.receive_output(5))["type"] == "websocket.accept"
        await socket.receive_output(5)  # flex.ready
        costs = []
        for n in range(repeat):
            frame = {"type": "reply", "reservation": reservation, "body": "hi", "client_id": f"ws{n}"}
            started = time.process_time()
            await socket.send_input({"type": "websocket.receive", "text": json.dumps(frame)})
            kinds: set[str] = set()
            while not {"flex.reply", "flex.message"} <= kinds:
                out = json.loads((await socket.receive_output(5))["text"])
                assert out["type"] in ("flex.reply", "flex.message"), out
                kinds.add(out["type"])
            costs.append((time.process_time() - started) * 1000)
        await socket.send_input({"type": "websocket.disconnect", "code": 1000})
        return costs

    whole = async_to_sync(over_the_socket)()
    return {
        "reply over the socket, database part (AgentReplies.reply)": database,
        "reply over the socket, frame in → answer and event out": round(statistics.median(whole), 2),
    }


if __name__ == "__main__":
    main()
