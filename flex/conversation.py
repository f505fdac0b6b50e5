"""The SMS/chat conversation behind a task: the contact's messages with the flow's number, and
the agent's replies (sent through the account's provider, the simulator or real Twilio).

A task carries its contact as attributes ``from`` (the contact's address) and ``to`` (the
number the contact wrote to) — Flex's default Messaging and WebChat flows set both.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from accounts.errors import TwilioAPIError
from executions.engine.ports import ports
from executions.messaging.providers import get_provider
from executions.models import Message
from flex.api.common import iso
from flex.models import Task

HISTORY = 100


def parties(task: Task) -> tuple[str, str] | None:
    """(contact, number) when the task names both, else None (no conversation)."""
    attrs = task.attrs()
    contact, number = attrs.get("from"), attrs.get("to")
    if isinstance(contact, str) and isinstance(number, str) and contact and number:
        return contact, number
    return None


def history(task: Task) -> list[dict[str, Any]]:
    pair = parties(task)
    if pair is None:
        return []
    contact, number = pair
    messages = Message.objects.filter(account_id=task.workspace.account_id).filter(
        Q(from_address=contact, to_address=number) | Q(from_address=number, to_address=contact)
    )
    rows = list(messages.order_by("-date_created", "-id")[:HISTORY])
    return [
        {
            "sid": m.sid,
            "direction": "inbound" if m.direction == "inbound" else "outbound",
            "from": m.from_address,
            "body": m.body,
            "status": m.status,
            "date_created": iso(m.date_created),
        }
        for m in reversed(rows)
    ]


def reply(task: Task, body: str) -> Message:
    """Send ``body`` to the contact from the number they wrote to."""
    pair = parties(task)
    if pair is None:
        raise TwilioAPIError(400, 20001, "This task has no conversation (attributes from/to)")
    if not body.strip():
        raise TwilioAPIError(400, 21602, "Message body is required.")
    contact, number = pair
    account = task.workspace.account
    provider = get_provider(account=account)
    message = Message(
        account=account, to_address=contact, from_address=number, body=body, provider=provider.name
    )
    provider.accept(message)
    if message.status == Message.Status.FAILED:
        raise TwilioAPIError(400, message.error_code or 21211, message.error_message or "Message refused")
    message.save()
    sid = message.sid
    transaction.on_commit(lambda: ports().queue_dispatch([sid]))  # as the Messages API does
    return message


def open_task_for(workspace_id: int, attributes: dict[str, Any]) -> Task | None:
    """The contact's task still open in the workspace (a new text joins it instead of making
    another task, as a Flex conversation stays with its agent)."""
    contact, number = attributes.get("from"), attributes.get("to")
    if not (isinstance(contact, str) and isinstance(number, str) and contact and number):
        return None
    open_states = (Task.Status.PENDING, Task.Status.RESERVED, Task.Status.ASSIGNED, Task.Status.WRAPPING)
    found = Task.objects.filter(
        workspace_id=workspace_id, assignment_status__in=open_states, attributes__contains=contact
    ).order_by("-date_created", "-id")
    for task in found[:20]:
        if parties(task) == (contact, number):
            return task
    return None
