"""Celery tasks of TaskRouter: routing after commit, callbacks, and the timer sweep (registered
as flex.jobs at import; flex.apps imports this module when the app is ready)."""

from __future__ import annotations

from celery import shared_task

from flex import jobs


@shared_task(name="flex.tasks.route_task")
def route_task(task_id: int) -> str | None:
    from flex.routing import route

    return route(task_id)


@shared_task(name="flex.tasks.route_worker")
def route_worker(worker_id: int) -> int:
    from flex.routing import route_for_worker

    return route_for_worker(worker_id)


@shared_task(name="flex.tasks.post_event")
def post_event(event_id: int) -> None:
    from flex.callbacks import post_event as post

    post(event_id)


@shared_task(name="flex.tasks.post_assignment")
def post_assignment(reservation_id: int) -> None:
    from flex.callbacks import post_assignment as post

    post(reservation_id)


@shared_task(name="flex.tasks.sweep_timers")
def sweep_timers() -> int:
    from flex.sweeper import sweep

    return sweep()


for _task in (route_task, route_worker, post_event, post_assignment):
    jobs.register(_task.name.rsplit(".", 1)[-1], _task.delay)
