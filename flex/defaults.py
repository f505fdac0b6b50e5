"""What Twilio seeds in a new workspace (activities, task channels) and what Flex adds (the
"Everyone" queue and the "Assign to Anyone" workflow)."""

from __future__ import annotations

from flex.models import Activity, TaskChannel, TaskQueue, Workflow, Workspace
from flex.workflows import assign_to_anyone

ACTIVITIES = (("Offline", False), ("Available", True), ("Unavailable", False))
CHANNELS = (
    ("default", "Default"),
    ("voice", "Voice"),
    ("chat", "Chat"),
    ("sms", "SMS"),
    ("video", "Video"),
)
FLEX_WORKSPACE = "Flex Task Assignment"


def seed(workspace: Workspace, *, flex_routing: bool = True) -> None:
    """Activities (Offline is the default and the timeout activity), channels, and, unless
    ``flex_routing`` is off, the Everyone queue with the Assign to Anyone workflow."""
    made = {
        name: Activity.objects.create(workspace=workspace, friendly_name=name, available=available)
        for name, available in ACTIVITIES
    }
    workspace.default_activity = made["Offline"]
    workspace.timeout_activity = made["Offline"]
    workspace.save(update_fields=["default_activity", "timeout_activity", "date_updated"])
    TaskChannel.objects.bulk_create(
        TaskChannel(workspace=workspace, unique_name=unique, friendly_name=name) for unique, name in CHANNELS
    )
    if flex_routing:
        Activity.objects.create(workspace=workspace, friendly_name="Break", available=False)
        queue = TaskQueue.objects.create(workspace=workspace, friendly_name="Everyone", target_workers="1==1")
        Workflow.objects.create(
            workspace=workspace,
            friendly_name="Assign to Anyone",
            configuration=assign_to_anyone(queue.sid),
            task_reservation_timeout=120,
        )
