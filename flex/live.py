"""Live notices to agent consoles and supervisor pages (Channels groups).

After the commit of a TaskRouter change, its worker's group ``flex.worker.<WK>`` and its
workspace's group ``flex.workspace.<WS>`` get a ``flex.changed`` notice; the pages then re-read
their state over the console API. The notice carries no data, so a lost one costs one refresh.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def worker_group(worker_sid: str) -> str:
    return f"flex.worker.{worker_sid}"


def workspace_group(workspace_sid: str) -> str:
    return f"flex.workspace.{workspace_sid}"


def notify(workspace_sid: str, event_type: str, data: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    notice = {"type": "flex.changed", "event_type": event_type, "task_sid": data.get("TaskSid")}
    # The worker's group first (an agent waiting for an offer), and each group on its own: a
    # failed send to one must not silence the other. One event loop (and, with Redis, one
    # connection) for both: outside ASGI, async_to_sync starts a loop per call.
    groups = [worker_group(str(data["WorkerSid"]))] if data.get("WorkerSid") else []
    groups.append(workspace_group(workspace_sid))

    async def send() -> None:
        for group in groups:
            try:
                await layer.group_send(group, notice)
            except Exception:  # noqa: BLE001 - a page refresh is never worth failing a state change
                log.exception("flex live notice to %s failed", group)

    try:
        async_to_sync(send)()
    except Exception:  # noqa: BLE001
        log.exception("flex live notice failed")
