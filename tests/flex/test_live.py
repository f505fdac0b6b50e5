"""``ws/flex/live``: an agent's socket hears of its reservations as they are made."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import override_settings

from flex.consumers import FlexLiveConsumer
from flex.lifecycle import set_activity
from tests.executions.test_live_events import MEMORY, WebsocketCommunicator
from tests.flex.helpers import activity, task, worker, workspace

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_socket_is_refused_without_a_session() -> None:
    async def scenario() -> bool:
        comm = WebsocketCommunicator(FlexLiveConsumer.as_asgi(), "/ws/flex/live")
        connected, _ = await comm.connect()
        await comm.disconnect()
        return connected

    assert async_to_sync(scenario)() is False


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_an_agent_hears_of_a_new_reservation(console: Any, alice: Any) -> None:
    ws = workspace(alice)
    worker(ws, "alice", contact_uri="client:alice")

    async def scenario() -> list[dict[str, Any]]:
        comm = WebsocketCommunicator(FlexLiveConsumer.as_asgi(), "/ws/flex/live")
        comm.scope["user"] = console.user
        connected, _ = await comm.connect()
        assert connected
        assert (await comm.receive_json_from())["type"] == "flex.ready"
        created = await sync_to_async(task)(ws, name="Bob")
        heard = [await comm.receive_json_from(timeout=2)]
        while heard[-1]["event_type"] != "reservation.created":
            heard.append(await comm.receive_json_from(timeout=2))
        await comm.disconnect()
        assert heard[-1]["task_sid"] == created.sid
        return heard

    heard = async_to_sync(scenario)()
    assert {"task.created", "reservation.created"} <= {h["event_type"] for h in heard}


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_an_agent_views_socket_hears_of_its_own_worker_only(console: Any, alice: Any) -> None:
    """The agent console's socket (``?view=agent``) is not woken by the workspace's other tasks."""
    ws = workspace(alice)
    mine = worker(ws, "alice", available=False, contact_uri="client:alice")
    available = activity(ws, "Available")

    async def scenario() -> tuple[bool, list[dict[str, Any]], str]:
        comm = WebsocketCommunicator(FlexLiveConsumer.as_asgi(), "/ws/flex/live")
        comm.scope["query_string"] = b"view=agent"
        comm.scope["user"] = console.user
        connected, _ = await comm.connect()
        assert connected
        assert (await comm.receive_json_from())["type"] == "flex.ready"
        created = await sync_to_async(task)(ws, name="Bob")  # nobody available: it waits
        quiet = await comm.receive_nothing(timeout=0.5)
        await sync_to_async(set_activity)(mine, available)
        heard = [await comm.receive_json_from(timeout=2)]
        while heard[-1]["event_type"] != "reservation.created":
            heard.append(await comm.receive_json_from(timeout=2))
        await comm.disconnect()
        return quiet, heard, created.sid

    quiet, heard, sid = async_to_sync(scenario)()
    assert quiet, "the waiting task's task.created reached the agent's socket"
    assert heard[-1]["task_sid"] == sid
    assert "task.created" not in {h["event_type"] for h in heard}


def test_a_failed_send_to_the_workspace_does_not_silence_the_worker(monkeypatch: Any) -> None:
    """The agent waiting for an offer hears of it even when the workspace's group cannot be
    reached (a Redis error there is logged, not allowed to skip the worker's group)."""
    from flex import live

    sent: list[tuple[str, str]] = []

    class FlakyLayer:
        async def group_send(self, group: str, message: dict[str, Any]) -> None:
            if group.startswith("flex.workspace."):
                raise ConnectionError("the workspace's group is unreachable")
            sent.append((group, message["event_type"]))

    monkeypatch.setattr(live, "get_channel_layer", FlakyLayer)
    live.notify("WS1", "reservation.created", {"WorkerSid": "WK1", "TaskSid": "WT1"})
    assert sent == [("flex.worker.WK1", "reservation.created")]
