"""Celery task of Conversations: the timer sweep (beat runs it; ``serve`` embedded runs
``conversations.sweeper`` on a thread instead)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="conversations.tasks.sweep_timers")
def sweep_timers() -> int:
    from conversations.services import sweep_timers as sweep  # tasks load before the app registry

    return sweep()
