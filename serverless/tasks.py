"""Celery tasks of the Functions app (embedded mode runs them in-process)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="serverless.tasks.run_build")
def run_build(build_sid: str) -> str:
    from serverless.builds import run

    return run(build_sid)
