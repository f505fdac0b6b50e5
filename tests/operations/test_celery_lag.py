"""``/metrics`` shows how long each Celery task waited in the broker, by task name: a task says
when it was published (a message header), and the worker that starts it observes the wait."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery import Celery, _state
from celery.contrib.testing.worker import start_worker

from accounts import metrics
from tests.operations.test_metrics import TOKEN, scrape

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counts(settings: Any) -> Iterator[None]:
    settings.METRICS_TOKEN = TOKEN
    metrics.reset_local()
    yield
    metrics.reset_local()


@pytest.fixture(scope="module")
def worker() -> Iterator[Celery]:
    """A broker (in memory) and one worker of their own, that runs one task at a time."""
    app = Celery("lag", broker="memory://", set_as_current=False)
    app.conf.update(task_ignore_result=True, worker_hijack_root_logger=False, task_always_eager=False)
    app.conf.broker_transport_options = {"polling_interval": 0.05}  # memory:// polls the queue

    @app.task(name="tests.operations.slow", shared=False)
    def slow() -> None:
        time.sleep(0.6)

    @app.task(name="tests.operations.quick", shared=False)
    def quick() -> None:
        return None

    # The test worker makes its app the current and default one: the project's app is put back
    # after, or later tests' shared tasks would be sent to this broker.
    current, default = _state.get_current_app(), _state.default_app
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, shutdown_timeout=5):
            yield app
    finally:
        current.set_current()
        _state.set_default_app(default)


def lag(task: str, part: str) -> float:
    return scrape().get((f"studio_celery_task_lag_seconds_{part}", (("task", task),)), 0.0)


def started(task: str, times: int = 1) -> None:
    deadline = time.monotonic() + 10
    while lag(task, "count") < times:
        assert time.monotonic() < deadline, f"the worker did not start {task}"
        time.sleep(0.05)


def test_a_task_queued_behind_a_slow_one_shows_its_wait_under_its_name(worker: Celery) -> None:
    worker.tasks["tests.operations.slow"].delay()
    worker.tasks["tests.operations.quick"].delay()  # waits for the slow one: one task at a time
    worker.tasks["tests.operations.quick"].delay()
    started("tests.operations.quick", times=2)

    assert lag("tests.operations.slow", "count") == 1
    assert lag("tests.operations.slow", "sum") < 0.5  # the worker was free
    assert lag("tests.operations.quick", "sum") >= 2 * 0.5
    bucket = ("studio_celery_task_lag_seconds_bucket", (("le", "0.25"), ("task", "tests.operations.quick")))
    assert scrape()[bucket] == 0  # neither started within 0.25 s of its publication


def test_a_task_due_later_is_late_from_its_eta_not_from_its_publication(worker: Celery) -> None:
    worker.tasks["tests.operations.quick"].apply_async(countdown=1.0)
    started("tests.operations.quick")

    assert lag("tests.operations.quick", "sum") < 0.9  # not the countdown's 1 s
