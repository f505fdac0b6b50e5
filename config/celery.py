"""The Celery app. With REDIS_URL it talks to Redis; embedded, tasks run eagerly in-process."""

from __future__ import annotations

import logging.config
import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging

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
