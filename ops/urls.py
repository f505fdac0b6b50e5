from __future__ import annotations

from django.urls import path

from ops import health, metrics

urlpatterns = [
    path("healthz/live", health.live, name="healthz-live"),
    path("healthz/ready", health.ready, name="healthz-ready"),
    path("metrics", metrics.metrics_view, name="metrics"),
]
