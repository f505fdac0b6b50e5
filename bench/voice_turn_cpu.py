"""CPU of a voice turn in-process: the call path's work without HTTP, and PostgreSQL's for it.

    .venv/bin/python bench/voice_turn_cpu.py [--calls 300] [--profile] [--asgi] [--callgrind]

Plays whole calls (incoming → digits → Say's redirect → goodbye's redirect → completed status
callback, as ``voice_bench.py``'s client) through ``executions.inbound.call_path``: each request
parsed as the ASGI path parses it, then ``call_path.answer`` (the part that runs in the thread),
back to back on one connection. Prints, per kind of turn and per whole call, the Python CPU ms
(``time.process_time``), the PostgreSQL backend's CPU ms (its ``/proc`` entry; the server runs
on this machine) and the round trips to it (statements, and BEGIN/COMMIT when sent). CPU time is what the process itself used, so the
figures hold on a busy machine better than wall time. ``--profile``: cProfile of the calls.

``--asgi``: each request goes through the whole ASGI application as ``serve`` builds it (the
messaging fast path, the call path, the persistent threads and the thread hop, the answer's
headers), only uvicorn's HTTP parsing left out; the figures then include the event loop's part.

``--callgrind``: for instruction counts that do not move with the machine's load. Run under
``valgrind --tool=callgrind --instr-atstart=no``; after the warm-up calls it turns
instrumentation on itself (``callgrind_control -i on``), plays the calls, and dumps
(``callgrind_control -d``) with instrumentation off again; ``callgrind_annotate`` reads the dump.

Uses the voice benchmark's database (``studio_voice_bench``) unless DATABASE_URL says otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import html
import os
import pstats
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/studio_voice_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/2")
os.environ.setdefault("DJANGO_HTTPS", "false")  # plain HTTP, as in the benchmark's topology

from bench.voice_bench import SESSION, call_params, setup_flow  # noqa: E402 - after the environment
from bench.webhook_bench import ensure_database  # noqa: E402

KINDS = ("incoming", "digits", "say_done", "bye_done", "status_callback")
_ACTION = re.compile(r'<Gather[^>]* action="([^"]+)"')
_REDIRECT = re.compile(r"<Redirect[^>]*>([^<]+)</Redirect>")
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def backend_cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * TICK_MS  # utime + stime


def backend_run_ms(pid: int) -> float:
    """The backend's time on a CPU in ns resolution (``/proc/PID/schedstat``; the scheduler's
    own account, finer than ``stat``'s clock ticks): per turn, not only per run."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e6


def backends() -> set[int]:
    """This database's server processes (this script is its only client while it runs)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return {row[0] for row in cursor.fetchall()}


class Player:
    def __init__(self, account: Any, flow: Any) -> None:
        from django.conf import settings

        self.account = account
        self.base = settings.PUBLIC_BASE_URL.rstrip("/")
        self.host = urlsplit(self.base).netloc.encode()
        self.path = f"/v1/Accounts/{account.sid}/Flows/{flow.sid}"
        self.cpu = dict.fromkeys(KINDS, 0.0)
        self.statements = dict.fromkeys(KINDS, 0)
        self.backend = dict.fromkeys(KINDS, 0.0)
        self.pids: set[int] = set()  # the PostgreSQL backends, once known: their CPU per kind of turn

    def backend_ms(self) -> float:
        return sum(backend_run_ms(pid) for pid in self.pids)

    def request(self, kind: str, url: str, params: dict[str, str]) -> str:
        from django.db import connection

        from accounts.signing import twilio_signature
        from executions.inbound import call_path

        parts = urlsplit(url if url.startswith("http") else self.base + url)
        signature = twilio_signature(
            self.account.auth_token,
            self.base + parts.path + (f"?{parts.query}" if parts.query else ""),
            params,
        )
        body = urlencode(params).encode()
        headers = {
            b"host": self.host.decode(),
            b"content-type": "application/x-www-form-urlencoded",
            b"x-twilio-signature": signature,
        }
        scope = {"path": parts.path, "query_string": parts.query.encode()}
        pg_started = self.backend_ms()
        if self.asgi is not None:
            started = time.process_time()
            document = self._through_asgi(scope, headers, body)
            self.cpu[kind] += time.process_time() - started
            self.backend[kind] += self.backend_ms() - pg_started
            return document
        started = time.process_time()
        with connection.execute_wrapper(self._count(kind)):
            turn = call_path.parse(scope, headers, body)
            assert turn is not None, (kind, url)
            answer = call_path.answer(turn)
        self.cpu[kind] += time.process_time() - started
        self.backend[kind] += self.backend_ms() - pg_started
        assert answer is not None, (kind, url)
        return answer

    asgi: Any = None
    loop: Any = None

    def _through_asgi(self, scope: dict[str, Any], headers: dict[bytes, str], body: bytes) -> str:
        """The request as uvicorn hands it to ``serve``'s application; the TwiML it answered."""
        full = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "root_path": "",
            "server": ("127.0.0.1", 80),
            "client": ("127.0.0.1", 50000),
            "path": scope["path"],
            "raw_path": scope["path"].encode(),
            "query_string": scope["query_string"],
            "headers": [
                *((name, value.encode()) for name, value in headers.items()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
        sent: list[dict[str, Any]] = []
        pending = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> dict[str, Any]:
            if pending:
                return pending.pop()
            await asyncio.Event().wait()  # no disconnect: Django's listener is cancelled at the end
            raise AssertionError("unreachable")

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        self.loop.run_until_complete(self.asgi(full, receive, send))
        status = sent[0]["status"]
        answer = b"".join(m.get("body", b"") for m in sent[1:]).decode()
        assert status == 200, (status, scope["path"], answer)
        return answer

    def _count(self, kind: str) -> Any:
        """Round trips: each statement, and a BEGIN and a COMMIT around a transaction's first
        (psycopg sends them outside autocommit; Django logs them even when none is sent)."""
        from django.db import connection
        from psycopg.pq import TransactionStatus

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            raw = connection.connection
            opens = not raw.autocommit and raw.info.transaction_status == TransactionStatus.IDLE
            self.statements[kind] += 3 if opens else 1
            return execute(sql, params, many, context)

        return count

    def play(self, n: int) -> None:
        base = call_params(self.account.sid, f"CA{SESSION}{n:026x}", f"+1777{n % 10**8:08d}", "ringing")
        answer = self.request("incoming", self.path, base)
        action = _ACTION.search(answer)
        assert action is not None, answer
        live = {**base, "CallStatus": "in-progress"}
        answer = self.request("digits", html.unescape(action.group(1)), {**live, "Digits": str(1 + n % 2)})
        for kind in ("say_done", "bye_done"):
            redirect = _REDIRECT.search(answer)
            assert redirect is not None, answer
            answer = self.request(kind, html.unescape(redirect.group(1)), live)
        self.request("status_callback", self.path, {**base, "CallStatus": "completed", "CallDuration": "7"})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--asgi", action="store_true", help="through serve's whole ASGI application")
    parser.add_argument("--callgrind", action="store_true", help="under valgrind --tool=callgrind")
    parser.add_argument("--profile-dump", default="", help="with --profile: also write the pstats file here")
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])
    account, flow = setup_flow()

    player = Player(account, flow)
    if args.asgi:
        from executions.management.commands.serve import asgi_application

        player.asgi = asgi_application()
        player.loop = asyncio.new_event_loop()
    for n in range(20):  # warm: compiled queries, cached revision, the connection
        player.play(10**6 + n)
    player.cpu = dict.fromkeys(KINDS, 0.0)
    player.statements = dict.fromkeys(KINDS, 0)
    pids = backends()  # with --asgi the turns use the persistent thread's connection
    player.pids = pids
    profile = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not waits
    if args.callgrind:
        subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True, capture_output=True)
    pg_before = sum(backend_cpu_ms(pid) for pid in pids)
    py_before = time.process_time()
    if profile is not None:
        profile.enable()
    for n in range(args.calls):
        player.play(n)
    if profile is not None:
        profile.disable()
    if args.callgrind:
        subprocess.run(["callgrind_control", "-d", str(os.getpid())], check=True, capture_output=True)
        subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], check=True, capture_output=True)
    py_total = (time.process_time() - py_before) * 1000
    pg_total = sum(backend_cpu_ms(pid) for pid in pids) - pg_before
    if backends() != pids:
        print("a connection was replaced meanwhile: PostgreSQL's figure is partial")
    calls = args.calls
    print(
        f"{calls} calls; per whole call: Python {py_total / calls:.2f} ms, PostgreSQL {pg_total / calls:.2f} ms"
    )
    for kind in KINDS:
        print(
            f"  {kind:16} Python {player.cpu[kind] * 1000 / calls:.2f} ms, "
            f"PostgreSQL {player.backend[kind] / calls:.2f} ms, "
            f"{player.statements[kind] / calls:.1f} round trips"
        )
    if profile is not None:
        stats = pstats.Stats(profile)
        if args.profile_dump:
            stats.dump_stats(args.profile_dump)
        stats.sort_stats("tottime").print_stats(35)
        stats.sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main()
