"""Web chat benchmark: a visitor's message → the agent's socket → the agent's reply → the visitor,
with many chats at once, on the production topology (serve with 2 workers, Celery, PostgreSQL,
Redis as the channel layer).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studio_bench REDIS_URL=redis://127.0.0.1:6379/1 \
        .venv/bin/python bench/webchat_bench.py [--chats 200] [--rounds 10] [--runs 3]

Each chat is a conversation with a visitor and an agent, both chat participants on
``ws/webchat/{CH}`` (the agent's side stands for the agent's browser: the same socket, the same
group push). Per round every chat's visitor sends a message; the agent's socket receives it and
answers; the visitor's socket receives the answer. Rounds are paced at one per second per chat
(the visitor's limit is 20 messages per 10 s), or one every ``--interval`` seconds, the chats'
rounds then spread evenly over that interval. The flows' Studio webhooks are removed: this
measures the chat's path, not a flow. Prints JSON per run and the medians of p50/p99 per leg.

``--agent console`` puts the real agent on the other side: each chat is a Flex task accepted by
an agent (``--chats-per-agent`` chats each: 200 chats are 50 agents), who joined the conversation
as a chat participant, and each agent is a console user doing what the agent console
(flex/static/flex/console.js) does, over the same protocol: its socket ``/ws/flex/live?view=agent``
(session cookie, the console's Origin), its reads of ``/api/console/flex/…`` and its replies with
``POST …/reservations/WR/messages``. "visitor → agent" ends when the question is in the console's
model (what it draws); the agent then replies and "agent → visitor" ends when the visitor's socket
has it. ``--console-protocol`` picks which console:

- ``socket`` (console.js now): as ``events``, but the agent's replies go over its live socket
  (``{"type": "reply", "reservation", "body", "client_id"}``, answered ``flex.reply`` with the
  message), and the view is re-read on (re)connecting, on ``flex.changed`` notices and every 60 s
  (not every 5 s) while the socket is live;
- ``events`` (console.js before the socket replies): a ``flex.message`` event on the agent's socket is appended when its
  index follows the last one shown (a duplicate is dropped); a gap fetches the missing range
  (``GET …/messages?after=N``); ``flex.changed`` notices and the 5 s tick re-read the view without
  histories (``agent?messages=0``) and fetch only conversations whose ``last_index`` moved;
- ``full`` (console.js before): every notice re-reads the whole view ``/api/console/flex/agent``
  (every open conversation's history), one read at a time, a notice during a read folding into one
  more read; after its reply it re-reads too; and every 5 s anyway.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/studio_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")
# Tokens are signed here and checked by the servers: the topology's key (tests/topology/processes.py).
os.environ["SECRET_KEY"] = "topology-tests-" + "0123456789abcdef" * 4

FLOW = {
    "description": "benchmark: a flow the chats never reach (their webhooks are removed)",
    "initial_state": "Trigger",
    "flags": {"allow_concurrent_calls": True},
    "states": [
        {
            "name": "Trigger",
            "type": "trigger",
            "properties": {"offset": {"x": 0, "y": 0}},
            "transitions": [{"event": "incomingConversationMessage"}],
        }
    ],
}


def setup_chats(count: int) -> list[dict[str, str]]:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from accounts.models import Account
    from conversations import services
    from studio.models import Flow
    from studio.revisions import create_flow
    from webchat import visitors
    from webchat.models import WebChatKey

    account = Account.objects.create(friendly_name="webchat bench")
    flow, _ = create_flow(account, friendly_name="bench", definition=FLOW, status=Flow.Status.PUBLISHED)
    key = WebChatKey.for_account(account)
    chats = []
    for n in range(count):
        visitor, conversation = visitors.open_chat(key, flow.sid, name=f"Visitor {n}")
        conversation.webhooks.all().delete()
        agent_identity = f"agent-{n}"
        services.add_participant(conversation, identity=agent_identity, attributes='{"role": "agent"}')
        agent = visitors.Visitor(account.sid, conversation.sid, agent_identity)
        chats.append(
            {
                "path": f"/ws/webchat/{conversation.sid}",
                "visitor": visitors.token_for(visitor),
                "agent": visitors.token_for(agent),
            }
        )
    return chats


def setup_console_chats(count: int, per_agent: int) -> list[dict[str, str]]:
    """``count`` chats handed to ``count / per_agent`` agents: each chat a conversation with a
    visitor, a chat task accepted by its agent (the agent joined the conversation as Flex makes
    it join: ``flex.conversation.agent_joined``)."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts.models import Account, Membership
    from flex.conversation import agent_joined
    from flex.defaults import seed
    from flex.models import Activity, Reservation, Task, TaskChannel, Worker, Workspace
    from studio.models import Flow
    from studio.revisions import create_flow
    from webchat import visitors
    from webchat.models import WebChatKey

    stamp = f"{time.time():.0f}"
    account = Account.objects.create(friendly_name=f"webchat console bench {stamp}")
    flow, _ = create_flow(account, friendly_name="bench", definition=FLOW, status=Flow.Status.PUBLISHED)
    key = WebChatKey.for_account(account)
    ws = Workspace.objects.create(account=account, friendly_name="Flex Task Assignment")
    seed(ws)
    busy = Activity.objects.get(workspace=ws, friendly_name="Unavailable")  # no routing meanwhile
    chat_channel = TaskChannel.objects.get(workspace=ws, unique_name="chat")
    users = get_user_model()
    agents = []
    for n in range((count + per_agent - 1) // per_agent):
        user = users.objects.create_user(username=f"chatagent{n}-{stamp}", password="unused-password")
        Membership.objects.create(user=user, account=account, role=Membership.Role.OWNER)
        worker = Worker.objects.create(
            workspace=ws,
            friendly_name=f"agent {n}",
            activity=busy,
            available=False,
            attributes=json.dumps({"contact_uri": f"client:{user.username}"}),
        )
        client = Client()
        client.force_login(user)
        agents.append((worker, client.cookies["sessionid"].value))
    chats = []
    for n in range(count):
        worker, session = agents[n // per_agent]
        visitor, conversation = visitors.open_chat(key, flow.sid, name=f"Visitor {n}")
        conversation.webhooks.all().delete()
        attributes = {"name": f"Visitor {n}", "conversationSid": conversation.sid, "from": visitor.identity}
        task = Task.objects.create(
            workspace=ws,
            task_channel=chat_channel,
            attributes=json.dumps(attributes),
            assignment_status=Task.Status.ASSIGNED,
        )
        Reservation.objects.create(
            workspace=ws, task=task, worker=worker, reservation_status=Reservation.Status.ACCEPTED
        )
        agent_joined(task, worker)
        chats.append(
            {
                "path": f"/ws/webchat/{conversation.sid}",
                "visitor": visitors.token_for(visitor),
                "conversation": conversation.sid,
                "worker": worker.sid,
                "session": session,
            }
        )
    return chats


LOST_AFTER = 30.0  # seconds: a message not heard by then counts as an error (lost), not a hang


async def _until(ws: Any, body: str) -> None:
    async def heard() -> None:
        while True:
            frame = json.loads(await ws.recv())
            if frame.get("type") == "message" and frame["message"]["body"] == body:
                return

    try:
        await asyncio.wait_for(heard(), LOST_AFTER)
    except TimeoutError:
        raise RuntimeError(f"{body!r} not heard within {LOST_AFTER:.0f} s") from None


async def one_chat(
    base: str, chat: dict[str, str], rounds: int, out: dict[str, list[float]], interval: float, offset: float
) -> None:
    import websockets

    url = base.replace("http", "ws", 1) + chat["path"]
    async with (
        websockets.connect(f"{url}?token={chat['visitor']}&since=999999") as visitor,
        websockets.connect(f"{url}?token={chat['agent']}&since=999999") as agent,
    ):
        await visitor.recv()  # history
        await agent.recv()
        # Every chat connected before the first round; with --interval above 1 s the chats' rounds
        # are spread over the interval (people do not all type in the same second).
        await asyncio.sleep(1 + offset)
        for r in range(rounds):
            started = time.perf_counter()
            question = f"question {r} {chat['path'][-6:]}"
            await visitor.send(json.dumps({"type": "message", "body": question, "client_id": f"q{r}"}))
            await _until(agent, question)
            heard = time.perf_counter()
            answer = f"answer {r} {chat['path'][-6:]}"
            await agent.send(json.dumps({"type": "message", "body": answer, "client_id": f"a{r}"}))
            await _until(visitor, answer)
            back = time.perf_counter()
            out["visitor_to_agent"].append((heard - started) * 1000)
            out["agent_to_visitor"].append((back - heard) * 1000)
            out["round_trip"].append((back - started) * 1000)
            await asyncio.sleep(max(0.0, interval - (back - started)))


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) of a process group so far: the ``serve`` master and its web
    workers (a measure that a loaded machine stretches much less than wall time)."""
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, … utime (11), stime (12)
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


async def run_once(
    base: str, chats: list[dict[str, str]], rounds: int, serve_pgid: int, interval: float = 1.0
) -> dict[str, Any]:
    out: dict[str, list[float]] = {"visitor_to_agent": [], "agent_to_visitor": [], "round_trip": []}
    started = time.perf_counter()
    cpu_before = group_cpu_seconds(serve_pgid)
    spread = interval if interval > 1.0 else 0.0
    results = await asyncio.gather(
        *(one_chat(base, c, rounds, out, interval, spread * n / len(chats)) for n, c in enumerate(chats)),
        return_exceptions=True,
    )
    cpu_spent = group_cpu_seconds(serve_pgid) - cpu_before
    errors = [repr(r) for r in results if isinstance(r, BaseException)]
    summary: dict[str, Any] = {
        "chats": len(chats),
        "messages": 2 * len(out["round_trip"]),
        "errors": len(errors),
    }
    summary["seconds"] = round(time.perf_counter() - started, 1)
    summary["interval_s"] = interval
    # Connecting 2 sockets per chat is in it too: per message, an upper bound.
    summary["serve_cpu_ms_per_message"] = round(cpu_spent * 1000 / max(1, summary["messages"]), 2)
    for leg, values in out.items():
        if values:
            summary[leg] = {"p50_ms": pct(values, 0.5), "p99_ms": pct(values, 0.99)}
    if errors:
        summary["first_error"] = errors[0]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument(
        "--interval",
        type=float,
        default=1.0,
        help="seconds from one round of a chat to its next (1: every chat at once, each second)",
    )
    parser.add_argument(
        "--agent",
        choices=("socket", "console"),
        default="socket",
        help="the agent's side: a chat participant's socket, or the Flex agent console's protocol",
    )
    parser.add_argument("--chats-per-agent", type=int, default=4)
    parser.add_argument("--console-protocol", choices=("socket", "events", "full"), default="socket")
    parser.add_argument(
        "--browser",
        action="store_true",
        help="with --agent console: the first agent's console is the real page in Chromium",
    )
    args = parser.parse_args()
    from bench.webchat_console import run_console_once  # imports this module: not at its top

    logging.getLogger("httpx").setLevel(logging.WARNING)

    from bench.webhook_bench import ensure_database
    from tests.topology import processes
    from tests.topology.processes import production_topology

    # On a shared, loaded machine two uvicorn workers can take longer than 30 s to import Django.
    processes._wait_healthy.__defaults__ = (120.0,)

    ensure_database(os.environ["DATABASE_URL"])
    runs = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        production_topology(
            os.environ["DATABASE_URL"],
            os.environ["REDIS_URL"],
            Path(tmp) / "logs",
            web_workers=args.web_workers,
            extra_env={"LOG_LEVEL": "WARNING"},
        ) as topo,
    ):
        for _ in range(args.runs):
            if args.agent == "console":
                chats = setup_console_chats(args.chats, args.chats_per_agent)
                pgid = topo.procs["serve"].pid
                result = asyncio.run(
                    run_console_once(
                        topo.base_url,
                        chats,
                        args.rounds,
                        pgid,
                        args.interval,
                        args.console_protocol,
                        args.browser,
                    )
                )
            else:
                chats = setup_chats(args.chats)
                result = asyncio.run(
                    run_once(topo.base_url, chats, args.rounds, topo.procs["serve"].pid, args.interval)
                )
            print(json.dumps(result), flush=True)
            runs.append(result)
    medians = {
        leg: {
            stat: statistics.median(r[leg][stat] for r in runs if leg in r) for stat in ("p50_ms", "p99_ms")
        }
        for leg in ("visitor_to_agent", "agent_to_visitor", "round_trip")
        if any(leg in r for r in runs)
    }
    cpu = statistics.median(r["serve_cpu_ms_per_message"] for r in runs)
    summary = {
        "agent": runs[0].get("agent", "socket"),
        "interval_s": args.interval,
        "median_of_runs": medians,
        "serve_cpu_ms_per_message": cpu,
        "errors": sum(r["errors"] for r in runs),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
