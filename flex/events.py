"""The workspace's event log (``/Events``) and its push to ``event_callback_url``.

Each state change records one Event row in the caller's transaction; the POST to the
workspace's callback URL goes out after commit (a Celery task), so a rolled-back change never
announces itself and a slow receiver never holds a lock.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from flex import jobs
from flex.models import Event, Task, Workspace


def wanted(workspace: Workspace, event_type: str) -> bool:
    if not workspace.event_callback_url:
        return False
    chosen = [e.strip() for e in (workspace.events_filter or "").split(",") if e.strip()]
    return not chosen or event_type in chosen


def record(
    workspace: Workspace,
    event_type: str,
    resource_type: str,
    resource_sid: str,
    description: str = "",
    data: dict[str, Any] | None = None,
) -> Event:
    event = Event.objects.create(
        workspace=workspace,
        event_type=event_type,
        resource_type=resource_type,
        resource_sid=resource_sid,
        description=description,
        event_data=data or {},
    )
    if event_type.startswith(("reservation.", "task.", "worker.", "task-queue.", "workflow.")):
        from flex.live import notify

        sid, data_ = workspace.sid, dict(event.event_data)
        transaction.on_commit(lambda: notify(sid, event_type, data_), robust=True)
    if wanted(workspace, event_type):
        jobs.later("post_event", event.pk)
    return event


def task_payload(task: Task) -> dict[str, Any]:
    """A task's fields as event and callback parameters."""
    return {
        "TaskSid": task.sid,
        "TaskAttributes": task.attributes,
        "TaskAssignmentStatus": task.assignment_status,
        "TaskPriority": str(task.priority),
        "TaskQueueSid": task.task_queue.sid if task.task_queue else "",
        "TaskChannelUniqueName": task.task_channel.unique_name,
        "WorkflowSid": task.workflow.sid if task.workflow else "",
    }
