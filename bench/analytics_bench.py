"""Path counts over a million steps: how long the canvas analytics query takes.

    .venv/bin/python bench/analytics_bench.py [--steps 1000000] [--days 7] [--runs 21]

Uses its own PostgreSQL database (``studio_analytics_bench``) unless DATABASE_URL says
otherwise. Feeds the aggregate exactly as the engine does (``executions.engine.path_counts.
record``, one upsert per batch of steps, a random shard per batch) with ``--steps`` steps of a
20-transition flow spread over ``--days`` of hour buckets (plus a second flow with as many, so
the query has neighbours to skip), then times ``path_counts`` (the view's whole work: query and
shaping) over the last hour, day and week: the median and the worst of ``--runs`` runs. Also
prints what one ``record`` of a 100-step batch costs (the upsert alone: on PostgreSQL the engine
runs it inside the steps' INSERT), and
with ``--batch-cost`` what an inbound batch of new conversations (``executions.inbound.batch.
process_batch``, the messaging hot path) costs with and without the aggregate, in wall and CPU
time per execution.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/studio_analytics_bench")

from bench.webhook_bench import ensure_database  # noqa: E402 - after the environment defaults

BATCH = 500  # steps per simulated flush
# A survey-like flow: 20 transitions, most traffic on the main path.
TRANSITIONS = [
    ("Trigger", "incomingMessage", "greet", 10),
    ("greet", "sent", "ask_name", 10),
    ("ask_name", "incomingMessage", "check", 8),
    ("ask_name", "timeout", "Ended", 2),
    ("check", "success", "route", 7),
    ("check", "failed", "sorry", 1),
    ("sorry", "sent", "Ended", 1),
    ("route", "match", "sales", 4),
    ("route", "noMatch", "support", 3),
    ("sales", "incomingMessage", "sales_split", 3),
    ("sales", "timeout", "Ended", 1),
    ("sales_split", "match", "book", 2),
    ("sales_split", "noMatch", "Ended", 1),
    ("book", "success", "confirm", 2),
    ("book", "error", "Ended", 1),
    ("confirm", "sent", "Ended", 2),
    ("support", "incomingMessage", "ticket", 2),
    ("support", "timeout", "Ended", 1),
    ("ticket", "success", "done", 2),
    ("done", "sent", "Ended", 2),
]


def fake_steps(flow_id: int, n: int) -> list[Any]:
    """``n`` step-like objects following the weights of TRANSITIONS (record reads these fields)."""
    execution = SimpleNamespace(flow_id=flow_id, flow_version=1)
    weights = sum(w for *_, w in TRANSITIONS)
    steps: list[Any] = []
    for a, e, b, w in TRANSITIONS:
        steps.extend(
            SimpleNamespace(execution=execution, transitioned_from=a, name=e, transitioned_to=b)
            for _ in range(max(1, n * w // weights))
        )
    while len(steps) < n:  # rounding: the main path takes the rest
        steps.append(steps[0])
    return steps[:n]


def load(flow_ids: list[int], steps: int, days: int) -> float:
    from django.db import transaction
    from django.utils import timezone

    from executions.engine.path_counts import record

    hours = days * 24
    per_hour, extra = divmod(steps, hours)
    now = timezone.now()
    started = time.perf_counter()
    for flow_id in flow_ids:
        for h in range(hours):
            moment = now - dt.timedelta(hours=h)
            left = per_hour + (1 if h < extra else 0)
            while left > 0:
                size = min(BATCH, left)
                with transaction.atomic():
                    record(fake_steps(flow_id, size), moment)
                left -= size
    return time.perf_counter() - started


def timed(fn: Any, runs: int) -> dict[str, float]:
    fn()  # warm
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2)}


def batch_cost(size: int, rounds: int) -> dict[str, Any]:
    """Per execution: an inbound batch of ``size`` new conversations, with and without the aggregate."""
    from unittest import mock

    from accounts.models import Account
    from executions.engine import path_counts
    from executions.inbound import batch
    from executions.inbound.intake import record
    from executions.models import Execution, InboundEvent, Message
    from studio.models import Flow, FlowRevision

    account, _ = Account.objects.get_or_create(friendly_name="analytics bench batches")
    Flow.objects.filter(account=account).delete()
    flow = Flow.objects.create(
        account=account, friendly_name="survey", status="published", revision=1, published_revision=1
    )
    survey = {
        "initial_state": "Trigger",
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "transitions": [{"event": "incomingMessage", "next": "ask"}],
                "properties": {},
            },
            {
                "name": "ask",
                "type": "send-and-wait-for-reply",
                "transitions": [
                    {"event": "incomingMessage"},
                    {"event": "timeout"},
                    {"event": "deliveryFailure"},
                ],
                "properties": {
                    "body": "Hi, your name?",
                    "timeout": "3600",
                    "from": "{{flow.channel.address}}",
                },
            },
        ],
    }
    FlowRevision.objects.create(flow=flow, revision=1, definition=survey, status="published")
    seq = iter(range(10**9))

    def one_round() -> tuple[float, float]:
        for _ in range(size):
            n = next(seq)
            record(
                flow,
                {
                    "MessageSid": f"SM{n:032x}",
                    "AccountSid": account.sid,
                    "From": f"+1555{n:07d}",
                    "To": "+15550001111",
                    "Body": "hi",
                    "NumMedia": "0",
                },
            )
        wall, cpu = time.perf_counter(), time.process_time()
        batch.process_batch(size)
        return time.perf_counter() - wall, time.process_time() - cpu

    # Rounds alternate with and without (the machine's load drifts): medians per execution.
    samples: dict[str, tuple[list[float], list[float]]] = {
        "without_aggregate": ([], []),
        "with_aggregate": ([], []),
    }
    one_round()  # warm
    for i in range(2 * rounds):
        label = "with_aggregate" if i % 2 else "without_aggregate"
        if label == "without_aggregate":
            with (
                mock.patch.object(path_counts, "upsert_cte", lambda steps, now: None),
                mock.patch.object(path_counts, "record", lambda steps, now: None),
            ):
                w, c = one_round()
        else:
            w, c = one_round()
        samples[label][0].append(w / size * 1e6)
        samples[label][1].append(c / size * 1e6)
    out = {
        label: {
            "wall_us_per_execution": round(statistics.median(walls)),
            "cpu_us_per_execution": round(statistics.median(cpus)),
        }
        for label, (walls, cpus) in samples.items()
    }
    Message.objects.filter(account=account).delete()
    InboundEvent.objects.filter(flow=flow).delete()
    Execution.objects.filter(flow=flow).delete()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument(
        "--batch-cost", action="store_true", help="only the inbound batch cost, with and without"
    )
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection, transaction
    from django.utils import timezone

    if args.batch_cost:
        print(json.dumps(batch_cost(200, 25), indent=1))
        return
    from accounts.models import Account
    from executions.api.console_analytics import path_counts
    from executions.engine.path_counts import record
    from executions.models import PathCount
    from studio.models import Flow

    account, _ = Account.objects.get_or_create(friendly_name="analytics bench")
    Flow.objects.filter(account=account).delete()
    flows = [Flow.objects.create(account=account, friendly_name=f"bench {i}") for i in range(2)]
    load_s = load([f.pk for f in flows], args.steps, args.days)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {PathCount._meta.db_table}")
    flow = flows[0]
    rows = PathCount.objects.filter(flow=flow).count()
    now = timezone.now()
    week = path_counts(flow, now - dt.timedelta(days=args.days), None)
    batch = fake_steps(flow.pk, 100)

    def write_batch() -> None:
        record(batch, now)  # inside the engine's transaction: the statement, no commit of its own

    result = {
        "steps_per_flow": week["step_count"],
        "aggregate_rows_per_flow": rows,
        "load_seconds": round(load_s, 1),
        "hour": timed(lambda: path_counts(flow, now - dt.timedelta(hours=1), None), args.runs),
        "day": timed(lambda: path_counts(flow, now - dt.timedelta(days=1), None), args.runs),
        "window": timed(lambda: path_counts(flow, now - dt.timedelta(days=args.days), None), args.runs),
    }
    with transaction.atomic():
        result["record_100_steps"] = timed(write_batch, args.runs)
        transaction.set_rollback(True)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
