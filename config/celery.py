"""The Celery app. With REDIS_URL it talks to Redis; embedded, tasks run eagerly in-process."""

from __future__ import annotations

import datetime as dt
import logging.config
import os
import time
from typing import Any

from celery import Celery
from celery.signals import before_task_publish, setup_logging, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _logging_as_the_web_processes(**kwargs: Any) -> None:
    """Workers and beat log through settings.LOGGING (JSON lines with the execution sids in
    production mode, accounts.logcontext) rather than Celery's own format: with a receiver of
    this signal, Celery leaves logging alone."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


# The header a published task carries: when it was published (seconds since the epoch).
PUBLISHED_AT = "studio_published_at"
LAG = "studio_celery_task_lag_seconds"


@before_task_publish.connect
def _stamp_the_publication(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Every task sent to the broker (by a web process, a worker, beat) says when it was sent."""
    if headers is not None:
        headers.setdefault(PUBLISHED_AT, time.time())


@task_prerun.connect
def _observe_the_lag(task: Any = None, **kwargs: Any) -> None:
    """A worker starting a task: how long it waited in the broker since it was due (its
    publication, or its ETA when later), in ``/metrics`` by task name. Eager tasks (embedded
    mode) never wait, and tasks published without the header (older senders) are not counted."""
    from accounts import metrics

    request = getattr(task, "request", None)
    published = getattr(request, PUBLISHED_AT, None)
    if request is None or getattr(request, "is_eager", False) or not isinstance(published, int | float):
        return
    due = float(published)
    eta = getattr(request, "eta", None)
    if eta:
        try:
            due = max(due, dt.datetime.fromisoformat(str(eta)).timestamp())
        except ValueError:
            pass
    metrics.observe(LAG, max(0.0, time.time() - due), task=str(task.name))
