"""What the agent console's requests cost, in-process (no sockets, no other load counted): CPU ms
per request of the whole agent view (every open conversation's history: what the console read on
every notice before), the view without histories (``?messages=0``: its re-reads now), a range read
of one conversation (``…/messages?after=N``: a gap), and a reply (``POST …/messages``).

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
    print(json.dumps({"chats": args.chats, "messages_each": args.messages, "cpu_ms_median": results}))


if __name__ == "__main__":
    main()
