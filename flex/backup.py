"""An account's Flex configuration in its export (accounts.backup): workspaces with their
activities, task channels, queues, workflows and workers. Tasks, reservations and their events
are what ran, not configuration: not exported."""

from __future__ import annotations

from accounts.backup import Table
from flex.models import Activity, TaskChannel, TaskQueue, Worker, WorkerChannel, Workflow, Workspace

NAME = "flex"
TABLES = [
    Table(Workspace, "account"),  # default and timeout activities: set once the activities exist
    Table(Activity, "workspace__account", account_field=None),
    Table(TaskChannel, "workspace__account", account_field=None),
    Table(TaskQueue, "workspace__account", account_field=None),
    Table(Workflow, "workspace__account", account_field=None),
    Table(Worker, "workspace__account", account_field=None),
    Table(WorkerChannel, "worker__workspace__account", account_field=None),
]
