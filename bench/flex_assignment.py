"""TaskRouter assignment benchmark (in-process, the database of DATABASE_URL or a scratch SQLite).

50 available agents (capacity 1 on sms), 1,000 tasks queued behind them, then:
- **offer latency**: an agent completes its task → the next waiting task is reserved for it
  (complete → reservation row committed), p50/p99 over ``--samples`` completions;
- **creation latency**: with free agents, task creation → its reservation (both committed);
- **throughput**: tasks created and reserved per second.

    .venv/bin/python bench/flex_assignment.py --agents 50 --queued 1000 --samples 200
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/flex-bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from accounts.models import Account  # noqa: E402
from flex import lifecycle  # noqa: E402
from flex.defaults import seed  # noqa: E402
from flex.intake import create_task, find_channel  # noqa: E402
from flex.models import Activity, Reservation, TaskChannel, Worker, WorkerChannel, Workflow, Workspace  # noqa: E402


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--queued", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    account = Account.objects.create(friendly_name="bench")
    ws = Workspace.objects.create(account=account, friendly_name="bench")
    seed(ws)
    available = Activity.objects.get(workspace=ws, friendly_name="Available")
    flow = Workflow.objects.get(workspace=ws)
    sms = find_channel(ws, "sms")
    for n in range(args.agents):
        worker = Worker.objects.create(
            workspace=ws,
            friendly_name=f"agent {n}",
            activity=available,
            available=True,
            attributes='{"skills": ["sms"]}',
        )
        WorkerChannel.objects.bulk_create(
            WorkerChannel(worker=worker, task_channel=c) for c in TaskChannel.objects.filter(workspace=ws)
        )

    created: list[float] = []
    start = time.perf_counter()
    for n in range(args.agents):  # free agents: creation → reservation
        t0 = time.perf_counter()
        with transaction.atomic():
            task = create_task(ws, flow, sms, {"n": n})
        assert Reservation.objects.filter(task=task).exists()
        created.append(time.perf_counter() - t0)
    rate = args.agents / (time.perf_counter() - start)
    for n in range(args.queued):
        with transaction.atomic():
            create_task(ws, flow, sms, {"n": n, "queued": True})

    offered: list[float] = []
    for _ in range(args.samples):
        reservation = Reservation.objects.filter(reservation_status="pending").order_by("id").first()
        assert reservation is not None
        t0 = time.perf_counter()
        with transaction.atomic():
            lifecycle.accept(reservation)
        with transaction.atomic():
            lifecycle.complete(Reservation.objects.get(pk=reservation.pk))
        assert Reservation.objects.filter(
            worker_id=reservation.worker_id, reservation_status="pending"
        ).exists()
        offered.append(time.perf_counter() - t0)
    print(f"agents {args.agents}, queued {args.queued}, database {django.db.connection.vendor}")
    print(f"creation → reservation ({args.agents} tasks): {ms(created)}; {rate:.0f} tasks/s")
    print(f"accept + complete → next reservation ({args.samples} samples): {ms(offered)}")


if __name__ == "__main__":
    main()
