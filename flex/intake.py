"""Creating a Task: the REST API and the Send to Flex gateway both come through here.

The task row, its filter and first routing step are written in the caller's transaction (so
``task_queue_sid`` is in the create answer); reserving a worker waits for the commit.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.utils import timezone

from accounts.errors import TwilioAPIError
from flex import events
from flex.events import task_payload
from flex.jobs import route_task as schedule
from flex.lifecycle import cancel
from flex.models import Task, TaskChannel, Timer, Workflow, Workspace
from flex.routing import enter_step
from flex.workflows import match_filter

DEFAULT_TIMEOUT = 86400
MAX_TIMEOUT = 1_209_600
MAX_PRIORITY = 2**31 - 1


def find_channel(workspace: Workspace, channel: str | None) -> TaskChannel:
    """A TaskChannel by SID or unique name (``default`` when none is given)."""
    name = (channel or "default").strip()
    field = "sid" if name.startswith("TC") and len(name) == 34 else "unique_name"
    found = TaskChannel.objects.filter(workspace=workspace, **{field: name}).first()
    if found is None:
        raise TwilioAPIError(400, 20001, f"TaskChannel {name} does not exist in this workspace")
    return found


def find_workflow(workspace: Workspace, sid: str | None) -> Workflow:
    if sid:
        workflow = Workflow.objects.filter(workspace=workspace, sid=sid).first()
        if workflow is None:
            raise TwilioAPIError(400, 20001, f"Workflow {sid} does not exist in this workspace")
        return workflow
    only = list(Workflow.objects.filter(workspace=workspace)[:2])
    if len(only) != 1:
        raise TwilioAPIError(400, 20001, "WorkflowSid is required when the workspace has several workflows")
    return only[0]


def create_task(
    workspace: Workspace,
    workflow: Workflow,
    channel: TaskChannel,
    attributes: dict[str, Any],
    priority: int | None = None,
    timeout: int | None = None,
) -> Task:
    now = timezone.now()
    ttl = DEFAULT_TIMEOUT if timeout is None else timeout
    if not 1 <= ttl <= MAX_TIMEOUT:
        raise TwilioAPIError(400, 20001, f"Timeout must be between 1 and {MAX_TIMEOUT}")
    if priority is not None and not 0 <= priority <= MAX_PRIORITY:
        raise TwilioAPIError(400, 20001, "Priority must be between 0 and 2147483647")
    task = Task(
        workspace=workspace,
        workflow=workflow,
        task_channel=channel,
        attributes=json.dumps(attributes),
        priority=priority or 0,
        timeout=ttl,
    )
    task.filter_index = match_filter(workflow.config(), attributes)
    task.save()
    Timer.objects.create(task=task, kind=Timer.Kind.TTL, fire_at=now + dt.timedelta(seconds=ttl))
    events.record(workspace, "task.created", "task", task.sid, "", task_payload(task))
    if not enter_step(task, 0, now):
        cancel(task, "No filter of the workflow matches the task and there is no default_filter")
        return task
    if priority is not None:
        task.priority = priority  # an explicit priority wins over the step's
    task.save()
    schedule(task.pk)
    return task


def reevaluate(task: Task) -> None:
    """A pending task's filter and first step chosen again (its attributes or its workflow
    changed); the caller holds the task's lock."""
    if task.assignment_status != Task.Status.PENDING or task.workflow is None:
        return
    task.filter_index = match_filter(task.workflow.config(), task.attrs())
    if not enter_step(task, 0, timezone.now()):
        cancel(task, "No filter of the workflow matches the task and there is no default_filter")
        return
    task.save()
    schedule(task.pk)
