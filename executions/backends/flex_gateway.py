"""Send to Flex (spec §2.11, serverless-flex §6): the engine's side of the Flex interface.

The messaging branch of the ``send-to-flex`` widget creates a TaskRouter Task through a
``FlexGateway``. Nothing in this repository implements TaskRouter yet, so the default gateway
refuses every task and the widget takes ``failedToEnqueue`` (warning 81015).

For the Flex work that comes later
----------------------------------
Implement ``FlexGateway`` (e.g. in ``flex/gateway.py``) and point
``settings.STUDIO["FLEX_GATEWAY"]`` at it (dotted path to a class or a zero-argument factory):

- ``create_task(account, workflow_sid, channel, attributes, priority, timeout)`` is called
  inside the execution's transaction, so it must be a quick local write (create the Task row,
  schedule routing with ``transaction.on_commit``), never a slow network call;
- ``workflow_sid``: the widget's ``workflow`` (``WW…``); ``channel``: a TaskChannel SID
  (``TC…``) or unique name (``chat``, ``sms``, ``voice``, ``default``);
- ``attributes``: the rendered attributes JSON object (``dict``); ``priority``: int ≥ 0;
  ``timeout``: task TTL in seconds (1…1,209,600);
- return the new Task SID (``WT…``); raise ``FlexError`` (message = reason) when the task
  cannot be created (unknown workflow/channel, workspace full…).

The widget stores ``TaskSid``, ``Attributes`` (JSON text) and ``Age`` (0 at creation) and takes
``callComplete`` right after creation; voice uses ``<Enqueue>`` instead (executions/voice.py).
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from studio.widgets.base import Outcome, WidgetCall

MAX_ATTRIBUTES = 1024
MAX_TIMEOUT = 1_209_600
DEFAULT_TIMEOUT = 3600
MESSAGING_TRIGGERS = ("message", "conversation")


class FlexError(Exception):
    """The task could not be created (the widget takes ``failedToEnqueue``)."""


class FlexGateway(Protocol):
    def create_task(
        self,
        account: Any,
        workflow_sid: str,
        channel: str,
        attributes: dict[str, Any],
        priority: int,
        timeout: int,
    ) -> str:
        """Create a TaskRouter Task; return its SID (``WT…``) or raise FlexError."""
        ...


class NoFlexGateway:
    """The default: no Flex/TaskRouter configured, every task is refused."""

    def create_task(
        self,
        account: Any,
        workflow_sid: str,
        channel: str,
        attributes: dict[str, Any],
        priority: int,
        timeout: int,
    ) -> str:
        raise FlexError("Flex is not configured on this server (no TaskRouter workspace)")


def get_gateway() -> FlexGateway:
    path = getattr(settings, "STUDIO", {}).get("FLEX_GATEWAY")
    if not path:
        return NoFlexGateway()
    factory = import_string(str(path))
    gateway: FlexGateway = factory()
    return gateway


def _int(value: Any, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _refused(code: int, message: str) -> Outcome:
    return Outcome(event="failedToEnqueue", outputs={}, warnings=[(code, message)])


def send_message_task(call: WidgetCall) -> Outcome:
    """The messaging branch of ``send-to-flex``: create the Task, ``callComplete`` at once."""
    trigger = call.context.get("trigger") or {}
    if not any(key in trigger for key in MESSAGING_TRIGGERS):
        return _refused(81020, f"{call.name}: Send to Flex needs an incoming call or chat/message")
    props = call.properties
    text = str(props.get("attributes") or "{}")
    if len(text) > MAX_ATTRIBUTES:
        return _refused(81015, f"{call.name}: attributes exceed {MAX_ATTRIBUTES} characters")
    try:
        attributes = json.loads(text)
    except ValueError as exc:
        return _refused(81015, f"{call.name}: attributes are not valid JSON: {exc}")
    if not isinstance(attributes, dict):
        return _refused(81015, f"{call.name}: attributes must be a JSON object")
    priority = max(0, _int(props.get("priority"), 0))
    timeout = min(max(1, _int(props.get("timeout"), DEFAULT_TIMEOUT)), MAX_TIMEOUT)
    account = getattr(getattr(call.services, "execution", None), "account", None)
    try:
        task_sid = get_gateway().create_task(
            account,
            str(props.get("workflow") or "").strip(),
            str(props.get("channel") or "").strip(),
            attributes,
            priority,
            timeout,
        )
    except FlexError as exc:
        return _refused(81015, f"{call.name}: failed to create the task: {exc}")
    outputs = {"TaskSid": task_sid, "Attributes": json.dumps(attributes), "Age": 0}
    return Outcome(event="callComplete", outputs=outputs)
