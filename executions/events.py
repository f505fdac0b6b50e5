"""Live events: each step is published, after commit, to ``flow.{FW}`` and ``execution.{FN}``."""

from __future__ import annotations

import logging
from typing import Any

from executions.engine.context import summary
from executions.models import Execution, Step

log = logging.getLogger(__name__)


def step_payload(execution: Execution, step: Step) -> dict[str, Any]:
    return {
        "type": "step.event",
        "flow_sid": execution.flow.sid,
        "execution_sid": execution.sid,
        "execution_status": execution.status,
        "step_sid": step.sid,
        "name": step.name,
        "from": step.transitioned_from,
        "to": step.transitioned_to,
        "widget_type": step.type,
        "context": summary(step.context, step.transitioned_from),
        "error": step.context.get("error"),
    }


def publish(flow_sid: str, execution_sid: str, payloads: list[dict[str, Any]]) -> None:
    """Best effort: a missing or failing channel layer never breaks an execution."""
    try:
        from asgiref.sync import async_to_sync
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        if layer is None:
            return
        send = async_to_sync(layer.group_send)
        for payload in payloads:
            send(f"flow.{flow_sid}", payload)
            send(f"execution.{execution_sid}", payload)
    except Exception:  # noqa: BLE001 - live events are best effort by design
        log.warning("could not publish step events for %s", execution_sid, exc_info=True)
