"""On the production topology (serve + Celery worker + beat, PostgreSQL, Redis): the worker that
runs an inbound message logs JSON lines carrying its execution sid, its counts (and the lag of the
tasks it ran) reach a scrape of the web process through Redis, and the web process is ready."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.db import connection

from accounts import metrics
from executions.models import Execution
from tests.executions.factories import make_flow, survey
from tests.topology.processes import Topology, production_topology
from tests.topology.test_production_topology import inbound_sms, wait_for

REDIS_URL = os.environ.get("REDIS_URL", "")
POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
TOKEN = "topology-scrape-token"

pytestmark = [
    pytest.mark.topology,
    pytest.mark.skipif(not (REDIS_URL and POSTGRES), reason="needs DATABASE_URL=postgres://… and REDIS_URL"),
]


@pytest.fixture(scope="module")
def topology(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Topology]:
    import redis

    redis.Redis.from_url(REDIS_URL).delete(metrics.KEY)
    with django_db_blocker.unblock():
        s = connection.settings_dict
    database_url = (
        f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    )
    extra = {"METRICS_TOKEN": TOKEN, "LOG_LEVEL": "INFO"}
    with production_topology(
        database_url, REDIS_URL, tmp_path_factory.mktemp("obs"), extra_env=extra
    ) as topo:
        yield topo
    redis.Redis.from_url(REDIS_URL).delete(metrics.KEY)


def scrape(topo: Topology) -> str:
    response = httpx.get(f"{topo.base_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert response.status_code == 200
    return response.text


@pytest.mark.django_db(transaction=True)
def test_the_worker_logs_json_with_the_execution_sid_and_its_counts_reach_the_web_scrape(
    topology: Topology, alice: Any
) -> None:
    flow = make_flow(alice, survey())
    assert inbound_sms(topology, alice, flow, "+15550001111", "hello", "SM" + "4" * 32).status_code == 200
    execution = wait_for(lambda: Execution.objects.filter(flow=flow).first(), 20, topology)

    def logged() -> list[dict[str, Any]]:
        lines = []
        for raw in topology.log("worker").splitlines():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                continue
        return [line for line in lines if line.get("execution_sid") == execution.sid]

    about = wait_for(logged, 20, topology)
    assert about[0]["flow_sid"] == flow.sid and about[0]["account_sid"] == alice.sid
    assert "execution started" in about[0]["message"]

    # Counted in the worker, flushed to Redis, read by a scrape of the web process.
    wait_for(lambda: "studio_executions_started_total 1.0" in scrape(topology), 20, topology)
    assert 'studio_webhook_duration_seconds_count{route="flow-webhook"} 1.0' in scrape(topology)
    # The web process published the drain's kick; the worker observed how long it waited in Redis.
    lag = 'studio_celery_task_lag_seconds_count{task="executions.tasks.drain_inbound"}'
    wait_for(lambda: lag in scrape(topology), 20, topology)

    ready = httpx.get(f"{topology.base_url}/healthz/ready", timeout=10)
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "cache": "ok", "channel_layer": "ok", "redis": "ok"}
