"""Work that runs after the commit of a TaskRouter change: routing a task, offering a freed
worker its next task, and the outbound callbacks.

``flex.tasks`` registers its Celery tasks here when the app is ready, so the modules that
schedule work never import the task module (and the task module may import them all): no
import cycle. Without a registered job (a bare script), the work is simply not scheduled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)
_jobs: dict[str, Callable[..., Any]] = {}


def register(name: str, run: Callable[..., Any]) -> None:
    _jobs[name] = run


def later(name: str, *args: Any) -> None:
    """Run job ``name`` after the current transaction commits (at once outside one)."""
    run = _jobs.get(name)
    if run is None:
        log.warning("flex job %s is not registered", name)
        return
    transaction.on_commit(lambda: run(*args), robust=True)


def route_task(task_id: int) -> None:
    later("route_task", task_id)


def route_worker(worker_id: int) -> None:
    later("route_worker", worker_id)
