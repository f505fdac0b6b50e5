"""After commit: hand accepted messages to their provider; failures go back to the execution."""

from __future__ import annotations

from executions.engine.ports import Provider
from executions.engine.store import message_status_changed
from executions.messaging.providers import get_provider
from executions.models import Message


def dispatch(sid: str) -> None:
    message = Message.objects.select_related("account").filter(sid=sid).first()
    if message is None or message.status != Message.Status.QUEUED:
        return
    get_provider(message.provider).dispatch(message)
    if message.status in (Message.Status.FAILED, Message.Status.UNDELIVERED):
        message_status_changed(message)


def dispatch_inline(provider: Provider, messages: list[Message]) -> None:
    """What ``dispatch`` does, for messages this process has just committed
    (all at once when the provider can: ``dispatch_many``)."""
    queued = [m for m in messages if m.status == Message.Status.QUEUED]
    many = getattr(provider, "dispatch_many", None)
    if many is not None:
        many(queued)
    else:
        for message in queued:
            provider.dispatch(message)
    for message in queued:
        if message.status in (Message.Status.FAILED, Message.Status.UNDELIVERED):
            message_status_changed(message)
