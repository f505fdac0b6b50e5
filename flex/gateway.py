"""Studio's Send to Flex reaches TaskRouter here (``settings.STUDIO["FLEX_GATEWAY"]``).

``create_task`` runs inside the execution's transaction: it writes the Task row (with its
first routing step) and returns at once; the worker is reserved after the commit. A contact
whose task is still open (attributes ``from``/``to``) keeps it: a second text joins the
conversation instead of queueing another task.
"""

from __future__ import annotations

from typing import Any

from accounts.errors import TwilioAPIError
from flex.conversation import open_task_for
from flex.intake import create_task, find_channel
from flex.models import Workflow
from flex.voice_hold import hold_call
from studio.widgets.runtime import FlexError


class TaskRouterGateway:
    def create_task(
        self,
        account: Any,
        workflow_sid: str,
        channel: str,
        attributes: dict[str, Any],
        priority: int,
        timeout: int,
    ) -> str:
        if account is None:
            raise FlexError("no account")
        workflow = (
            Workflow.objects.select_related("workspace__account")
            .filter(sid=workflow_sid, workspace__account=account)
            .first()
        )
        if workflow is None:
            raise FlexError(f"Workflow {workflow_sid or '(none)'} does not exist in this account")
        existing = open_task_for(workflow.workspace_id, attributes)
        if existing is not None:
            return existing.sid  # the contact's conversation is already with Flex
        try:
            channel_row = find_channel(workflow.workspace, channel)
            task = create_task(workflow.workspace, workflow, channel_row, attributes, priority, timeout)
        except TwilioAPIError as exc:
            raise FlexError(exc.message) from None
        return task.sid

    def hold_call(self, account: Any, request: dict[str, Any]) -> dict[str, Any]:
        """A simulated caller held in the queue until an agent takes the call (voice_hold.py)."""
        return hold_call(account, request)


def gateway() -> TaskRouterGateway:
    return TaskRouterGateway()
