"""Liveness and readiness, for orchestrators (docker-compose healthchecks, Kubernetes probes).

- ``/healthz/live``: the process answers. Nothing else is touched, so a database outage does not
  get every web process restarted (restarting would not bring the database back).
- ``/healthz/ready``: the process can serve: the database, the cache, Redis (when configured) and
  the channel layer answer. 503 with ``{"status": "unavailable", "checks": …, "failing": […]}``
  otherwise, so a load balancer sends traffic elsewhere.
- ``/healthz`` (accounts.views.healthz) stays as it was: the database and Redis.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from accounts.views import database_check, redis_check


def cache_check() -> None:
    key = f"studio:healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


def channel_layer_check() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    # A group with no members: the layer's backend is reached, nothing is left queued.
    async_to_sync(layer.group_send)("studio.healthz", {"type": "healthz.ping"})


CHECKS: dict[str, Callable[[], None]] = {
    "database": database_check,
    "cache": cache_check,
    "channel_layer": channel_layer_check,
}


@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    extra = {"redis": redis_check} if settings.REDIS_URL else {}
    for name, check in {**CHECKS, **extra}.items():
        try:
            check()
            checks[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means not ready, whatever raised
            checks[name] = f"error: {exc.__class__.__name__}"
    failing = [k for k, v in checks.items() if v != "ok"]
    body = {"status": "unavailable" if failing else "ok", "checks": checks, "failing": failing}
    return JsonResponse(body, status=503 if failing else 200)
