"""``GET /metrics``: Prometheus text, behind a bearer token; counters that add up across
processes (Redis) and depths read from the database at scrape time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from accounts import metrics
from executions.models import Execution, InboundEvent, Wait
from tests.executions.factories import make_flow, survey
from tests.executions.support import send_sms

pytestmark = pytest.mark.django_db(transaction=True)
TOKEN = "s3cret-scrape-token"


@pytest.fixture(autouse=True)
def fresh_counts(settings: Any) -> Iterator[None]:
    settings.METRICS_TOKEN = TOKEN
    metrics.reset_local()
    yield
    metrics.reset_local()


def scrape() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_it_is_not_found_when_no_token_is_configured(settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_it_refuses_a_missing_or_wrong_token_with_401() -> None:
    assert Client().get("/metrics").status_code == 401
    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert Client().get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401


def test_it_counts_executions_started_and_ended_and_times_webhooks(alice: Any) -> None:
    before = scrape()
    assert before[("studio_executions_started_total", ())] == 0
    flow = make_flow(alice, survey())
    client = Client()
    send_sms(client, flow, "+15550001111", "+15551230000", "hi")
    send_sms(client, flow, "+15550001111", "+15551230000", "Ada")
    send_sms(client, flow, "+15550002222", "+15551230000", "hi")

    after = scrape()
    assert after[("studio_executions_started_total", ())] == 2
    assert after[("studio_executions_ended_total", (("outcome", "completed"),))] == 1
    assert after[("studio_executions_active", ())] == 1
    route = (("route", "flow-webhook"),)
    assert after[("studio_webhook_duration_seconds_count", route)] == 3
    assert after[("studio_webhook_duration_seconds_bucket", (("le", "+Inf"), ("route", "flow-webhook")))] == 3
    assert after[("studio_webhook_duration_seconds_sum", route)] > 0


def test_it_reads_pending_and_failed_inbound_events_and_waits_from_the_database(alice: Any) -> None:
    flow = make_flow(alice, survey())
    send_sms(Client(), flow, "+15550001111", "+15551230000", "hi")  # waits for a reply: one Wait
    execution = Execution.objects.get()
    Wait.objects.update(fire_at=timezone.now() - dt.timedelta(seconds=30))
    common = {"flow": flow, "contact_channel_address": "+1555", "channel_address": "+1666"}
    InboundEvent.objects.create(key="SMa", status=InboundEvent.Status.PENDING, **common)
    InboundEvent.objects.create(key="SMb", status=InboundEvent.Status.FAILED, **common)
    InboundEvent.objects.filter(key="SMa").update(date_created=timezone.now() - dt.timedelta(seconds=90))

    samples = scrape()
    assert samples[("studio_inbound_events", (("status", "pending"),))] == 1
    assert samples[("studio_inbound_events", (("status", "failed"),))] == 1
    assert samples[("studio_inbound_oldest_pending_seconds", ())] >= 90
    assert samples[("studio_waits_armed", ())] == Wait.objects.filter(execution=execution).count() == 1
    assert samples[("studio_waits_due", ())] == 1
    assert samples[("studio_waits_overdue_seconds", ())] >= 30
    assert samples[("studio_flex_tasks_waiting", (("status", "pending"),))] == 0


def test_counters_add_up_across_processes_in_redis(settings: Any) -> None:
    """Two processes count; a scrape in either sees the sum (Redis db 3 of the test server)."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/3"
    try:
        other_process = redis.Redis.from_url(url, socket_connect_timeout=1)
        other_process.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    other_process.delete(metrics.KEY)
    settings.REDIS_URL = url
    settings.TESTING = False
    metrics._redis = None
    try:
        metrics.inc("studio_function_invocations_total", outcome="ok")
        metrics.inc("studio_function_invocations_total", outcome="ok")
        key = metrics.field("studio_function_invocations_total", (("outcome", "ok"),))
        other_process.hincrby(metrics.KEY, key, 5)
        assert metrics.totals()[key] == 7
        assert scrape()[("studio_function_invocations_total", (("outcome", "ok"),))] == 7
    finally:
        other_process.delete(metrics.KEY)
        metrics._redis = None


def test_it_counts_function_invocations_and_their_errors(alice: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import serverless.runtime
    from serverless import invocation
    from serverless.models import Environment
    from serverless.runtime.types import InvokeResult
    from tests.operations.populate import populate

    env = Environment.objects.get(pk=populate(alice)["environment"].pk)
    outcomes = iter([None, None, "ReferenceError: x is not defined"])

    def run(request: Any) -> InvokeResult:
        return InvokeResult(
            status=200, headers=[], body=b"hello", logs=[], error=next(outcomes), duration_ms=1.0
        )

    monkeypatch.setattr(serverless.runtime, "invoke", run)
    route = invocation.routes_of(env.build)["/hello"]  # type: ignore[arg-type]
    for _ in range(3):
        invocation.invoke(env, route, {}, {}, {})

    samples = scrape()
    assert samples[("studio_function_invocations_total", (("outcome", "ok"),))] == 2
    assert samples[("studio_function_invocations_total", (("outcome", "error"),))] == 1


def test_it_reads_flex_tasks_waiting_from_the_database(alice: Any) -> None:
    from flex.models import Task
    from tests.flex.helpers import task, workspace

    ws = workspace(alice)
    task(ws, customer="Zoe")  # nobody available: pending
    task(ws, customer="Max")
    assert Task.objects.filter(assignment_status="pending").count() == 2
    samples = scrape()
    assert samples[("studio_flex_tasks_waiting", (("status", "pending"),))] == 2
    assert samples[("studio_flex_tasks_waiting", (("status", "reserved"),))] == 0


def test_it_reads_the_celery_queue_length_from_the_broker(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Production topology only (a Redis broker, Celery not eager): messages waiting = the lag."""
    redis = pytest.importorskip("redis")
    from config.celery import app
    from ops import metrics as ops_metrics

    broker = redis.Redis.from_url("redis://127.0.0.1:6379/3", socket_connect_timeout=1)
    try:
        broker.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    queue = f"celery-test-{id(broker)}"
    monkeypatch.setattr(app.conf, "task_default_queue", queue)
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    monkeypatch.setattr(ops_metrics, "redis_client", lambda: broker)
    settings.REDIS_URL = "redis://127.0.0.1:6379/3"
    broker.delete(queue)
    try:
        broker.rpush(queue, "a", "b", "c")
        assert scrape()[("studio_celery_queue_length", (("queue", queue),))] == 3
    finally:
        broker.delete(queue)
    monkeypatch.setattr(app.conf, "task_always_eager", True)
    assert not [key for key in scrape() if key[0] == "studio_celery_queue_length"]  # embedded: no broker
