"""After commit: hand accepted messages to their provider; failures go back to the execution."""

from __future__ import annotations

from executions.messaging.providers import get_provider
from executions.models import Message


def dispatch(sid: str) -> None:
    message = Message.objects.select_related("account").filter(sid=sid).first()
    if message is None or message.status != Message.Status.QUEUED:
        return
    get_provider(message.provider).dispatch(message)
    if message.status in (Message.Status.FAILED, Message.Status.UNDELIVERED):
        from executions.engine.store import message_status_changed

        message_status_changed(message)
