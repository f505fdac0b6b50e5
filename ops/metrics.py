"""``GET /metrics``: Prometheus text exposition, behind a bearer token.

Two kinds of series (README "Operations"):

- counters and histograms, counted where events happen and added up across processes in Redis
  (``accounts.metrics``): executions started and ended, webhook answer times, function
  invocations, and each Celery task's lag (publication to start, ``config.celery``);
- depths and lags, read from the database (and the broker) at scrape time, so they are right
  whichever process counted or died: active executions, inbound events pending and failed and the
  age of the oldest pending one, armed and overdue waits, Flex tasks waiting, the Celery queue.

``settings.METRICS_TOKEN`` unset: the endpoint does not exist (404). Set: a request without
``Authorization: Bearer <token>`` gets 401.
"""

from __future__ import annotations

import hmac
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

# The classic text format every Prometheus reads (generate_latest writes it).
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4 as CONTENT_TYPE

from accounts import metrics
from config.celery import app as celery_app
from executions.inbound.drain import redis_client  # the drain's client: one per process
from executions.models import Execution, InboundEvent, Wait
from flex.models import Task

COUNTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "studio_executions_started_total": ("Executions started (webhook, REST API, subflow)", ()),
    "studio_executions_ended_total": (
        "Executions ended, by outcome (failed: it logged an error)",
        ("outcome",),
    ),
    "studio_function_invocations_total": (
        "Function invocations, by outcome (error: it failed)",
        ("outcome",),
    ),
}
HISTOGRAMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "studio_webhook_duration_seconds": ("Webhook answer time in this server, by route", ("route",)),
    "studio_celery_task_lag_seconds": (
        "Time a Celery task waited in the broker, from its publication (or ETA) to a worker starting it, by task",
        ("task",),
    ),
}
# Seen before any event, so that rate() has a start: (name, labels) of zero-valued series.
ZEROS: tuple[tuple[str, dict[str, str]], ...] = (
    ("studio_executions_started_total", {}),
    ("studio_executions_ended_total", {"outcome": "completed"}),
    ("studio_executions_ended_total", {"outcome": "failed"}),
    ("studio_function_invocations_total", {"outcome": "ok"}),
    ("studio_function_invocations_total", {"outcome": "error"}),
)


def _counted() -> Iterator[Metric]:
    series: dict[str, dict[tuple[tuple[str, str], ...], float]] = defaultdict(dict)
    for name, labels in ZEROS:
        series[name][tuple(sorted(labels.items()))] = 0.0
    for key, value in metrics.totals().items():
        name, labels = metrics.parse(key)
        series[name][tuple(sorted(labels.items()))] = value
    for name, (doc, label_names) in COUNTERS.items():
        family = CounterMetricFamily(name.removesuffix("_total"), doc, labels=list(label_names))
        for pairs, value in sorted(series.get(name, {}).items()):
            family.add_metric([dict(pairs).get(n, "") for n in label_names], value)
        yield family
    for name, (doc, label_names) in HISTOGRAMS.items():
        yield _histogram(name, doc, label_names, series)


def _histogram(
    name: str, doc: str, label_names: tuple[str, ...], series: dict[str, dict[Any, float]]
) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, doc, labels=list(label_names))
    buckets: dict[tuple[str, ...], dict[str, float]] = defaultdict(dict)
    for labels, value in series.get(f"{name}_bucket", {}).items():
        as_dict = dict(labels)
        buckets[tuple(as_dict.get(n, "") for n in label_names)][as_dict["le"]] = value
    sums = {
        tuple(dict(k).get(n, "") for n in label_names): v for k, v in series.get(f"{name}_sum", {}).items()
    }
    for key, counts in sorted(buckets.items()):
        running = 0.0
        cumulative: list[tuple[str, float]] = []
        for bound in metrics.LATENCY_BUCKETS:
            running += counts.get(str(bound), 0.0)
            cumulative.append((str(bound), running))
        cumulative.append(("+Inf", running + counts.get("+Inf", 0.0)))
        family.add_metric(list(key), cumulative, sums.get(key, 0.0))
    return family


def _gauge(name: str, doc: str, value: float, **labels: str) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=list(labels))
    family.add_metric(list(labels.values()), value)
    return family


def _depths() -> Iterator[Metric]:
    now = timezone.now()
    yield _gauge(
        "studio_executions_active",
        "Executions active now",
        Execution.objects.filter(status=Execution.Status.ACTIVE).count(),
    )
    by_status = dict(
        InboundEvent.objects.exclude(status=InboundEvent.Status.PROCESSED)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    family = GaugeMetricFamily(
        "studio_inbound_events", "Inbound events not processed, by status", labels=["status"]
    )
    for status in (InboundEvent.Status.PENDING, InboundEvent.Status.FAILED):
        family.add_metric([str(status)], by_status.get(status, 0))
    yield family
    oldest = InboundEvent.objects.filter(status=InboundEvent.Status.PENDING).aggregate(m=Min("date_created"))[
        "m"
    ]
    yield _gauge(
        "studio_inbound_oldest_pending_seconds",
        "Age of the oldest pending inbound event (how far the drainers are behind)",
        (now - oldest).total_seconds() if oldest else 0.0,
    )
    yield _gauge("studio_waits_armed", "Timers armed (Wait rows)", Wait.objects.count())
    overdue = Wait.objects.filter(fire_at__lte=now).aggregate(m=Min("fire_at"), n=Count("id"))
    yield _gauge("studio_waits_due", "Timers due and not fired yet", overdue["n"] or 0)
    yield _gauge(
        "studio_waits_overdue_seconds",
        "How late the most overdue timer is (the sweeper's lag)",
        (now - overdue["m"]).total_seconds() if overdue["m"] else 0.0,
    )
    family = GaugeMetricFamily(
        "studio_flex_tasks_waiting", "TaskRouter tasks waiting, by status", labels=["status"]
    )
    waiting = dict(
        Task.objects.filter(assignment_status__in=[Task.Status.PENDING, Task.Status.RESERVED])
        .values_list("assignment_status")
        .annotate(n=Count("id"))
        .values_list("assignment_status", "n")
    )
    for task_status in (Task.Status.PENDING, Task.Status.RESERVED):
        family.add_metric([str(task_status)], waiting.get(task_status, 0))
    yield family
    queued = _celery_queue_length()
    if queued is not None:
        yield _gauge(
            "studio_celery_queue_length", "Celery messages waiting in the broker", queued[1], queue=queued[0]
        )


def _celery_queue_length() -> tuple[str, int] | None:
    """(queue, messages waiting) of Celery's default queue (a Redis list): None without a broker."""
    if celery_app.conf.task_always_eager or not settings.REDIS_URL:
        return None
    name = celery_app.conf.task_default_queue or "celery"
    try:
        return name, int(redis_client().llen(name))
    except Exception:  # noqa: BLE001 - the broker down: readiness says so; metrics go on
        return None


class _Collector:
    def collect(self) -> Iterator[Metric]:
        yield from _counted()
        yield from _depths()


def exposition() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector())  # type: ignore[arg-type]
    return generate_latest(registry)


def _authorised(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    token = getattr(settings, "METRICS_TOKEN", "") or ""
    if not token:
        raise Http404("metrics are off (no METRICS_TOKEN)")
    if not _authorised(request, token):
        response = HttpResponse("unauthorised\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition(), content_type=CONTENT_TYPE)
