"""What one web chat message costs the server, measured in-process (no sockets): SQL statements
(BEGIN/COMMIT, which the driver sends apart, not counted),
CPU ms and wall ms per ``webchat.visitors.post`` (a visitor's message, then the agent's answer,
both chat participants, as in ``webchat_bench.py``), the live push and listeners included.
Statement counts and CPU time hold on a loaded machine; wall time does not.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/webchat_bench REDIS_URL=redis://127.0.0.1:6379/11 \
        .venv/bin/python bench/webchat_cost.py [--chats 50] [--rounds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/webchat_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
os.environ["SECRET_KEY"] = "topology-tests-" + "0123456789abcdef" * 4


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    from bench.webhook_bench import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    from bench.webchat_bench import setup_chats

    chats = setup_chats(args.chats)
    from django.db import connection

    from webchat import visitors

    people = []
    for chat in chats:
        sid = chat["path"].rsplit("/", 1)[1]
        people.append(
            (visitors.visitor_from(chat["visitor"], sid), visitors.visitor_from(chat["agent"], sid))
        )
    for visitor, agent in people:  # warm: each process meets each conversation once
        visitors.post(visitor, "hello", "w0")
        visitors.post(agent, "hi", "w1")
    walls: list[float] = []
    count = 0
    sqls: list[str] = []

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sqls.append(sql)
        return execute(sql, params, many, context)

    started_cpu = cpu()
    with connection.execute_wrapper(counted):
        for r in range(args.rounds):
            for visitor, agent in people:
                for who, tag in ((visitor, "q"), (agent, "a")):
                    t = time.perf_counter()
                    visitors.post(who, f"{tag} {r}", f"{tag}{r}")
                    walls.append((time.perf_counter() - t) * 1000)
                    count += 1
    spent = cpu() - started_cpu
    data = [s for s in sqls if not s.upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))]
    print(
        json.dumps(
            {
                "messages": count,
                "statements_per_message": round(len(data) / count, 2),
                "with_savepoints_per_message": round(len(sqls) / count, 2),
                "cpu_ms_per_message": round(spent * 1000 / count, 2),
                "wall_ms_p50": round(statistics.median(walls), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
