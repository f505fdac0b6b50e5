"""Each step is published after commit to flow.{FW} and execution.{FN}; the monitor socket relays them."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.layers import get_channel_layer
from django.test import override_settings

from tests.executions.factories import definition, on, state
from tests.executions.support import start_rest

pytestmark = pytest.mark.django_db(transaction=True)


class WebsocketCommunicator(ApplicationCommunicator):
    """channels.testing needs daphne; this is the small part of it these tests use."""

    def __init__(self, app: Any, path: str) -> None:
        self.scope = {
            "type": "websocket",
            "path": path,
            "headers": [],
            "subprotocols": [],
            "query_string": b"",
        }
        super().__init__(app, self.scope)

    async def connect(self) -> tuple[bool, Any]:
        await self.send_input({"type": "websocket.connect"})
        out = await self.receive_output(2)
        return out["type"] == "websocket.accept", out.get("code")

    async def receive_json_from(self, timeout: float = 1) -> Any:
        import json

        out = await self.receive_output(timeout)
        return json.loads(out["text"])

    async def disconnect(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(1)


MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def flow_def() -> dict[str, Any]:
    return definition(
        state("v", "set-variables", [on("next")], variables=[{"key": "x", "value": "1"}]),
        trigger=[on("incomingRequest", "v")],
    )


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_it_publishes_each_step_to_the_flow_and_execution_groups(flow_factory: Any) -> None:
    layer = get_channel_layer()
    flow = flow_factory(flow_def())
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"flow.{flow.sid}", channel)
    ex = start_rest(flow)
    # The run's two steps, committed together with the execution's start and end, travel as
    # one message to the group.
    batch = async_to_sync(layer.receive)(channel)
    assert batch["type"] == "steps.batch"
    started, first, second, ended = batch["events"]
    assert (started["type"], started["event"], ended["type"], ended["event"]) == (
        "execution",
        "started",
        "execution",
        "ended",
    )
    assert first["type"] == "step" and first["execution_sid"] == ex.sid
    assert (first["name"], first["from"], first["to"]) == ("incomingRequest", "Trigger", "v")
    assert (second["name"], second["from"], second["to"], second["widget_type"]) == (
        "next",
        "v",
        "Ended",
        "set-variables",
    )
    assert second["context"]["variables"] == {"x": 1}
    assert second["step_sid"].startswith("FT")


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_each_step_event_carries_the_time_its_step_was_created(flow_factory: Any) -> None:
    from datetime import datetime

    from executions.models import Step

    layer = get_channel_layer()
    flow = flow_factory(flow_def())
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"flow.{flow.sid}", channel)
    start_rest(flow)
    for event in async_to_sync(layer.receive)(channel)["events"]:
        if event["type"] != "step":
            continue
        step = Step.objects.get(sid=event["step_sid"])
        assert datetime.fromisoformat(event["date_created"]) == step.date_created


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_it_refuses_the_monitor_socket_without_a_session(flow_factory: Any) -> None:
    from executions.live.consumers import FlowMonitorConsumer

    flow = flow_factory(flow_def())

    async def scenario() -> tuple[bool, Any]:
        app = FlowMonitorConsumer.as_asgi()
        comm = WebsocketCommunicator(app, f"/ws/flows/{flow.sid}/monitor")
        comm.scope["url_route"] = {"kwargs": {"flow_sid": flow.sid}}
        connected, code = await comm.connect()
        await comm.disconnect()
        return connected, code

    connected, _ = async_to_sync(scenario)()
    assert connected is False


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_it_streams_steps_to_a_member_of_the_flows_account(flow_factory: Any, console: Any) -> None:
    from executions.live.consumers import FlowMonitorConsumer

    flow = flow_factory(flow_def())

    async def scenario() -> list[dict[str, Any]]:
        from asgiref.sync import sync_to_async

        comm = WebsocketCommunicator(FlowMonitorConsumer.as_asgi(), f"/ws/flows/{flow.sid}/monitor")
        comm.scope["url_route"] = {"kwargs": {"flow_sid": flow.sid}}
        comm.scope["user"] = console.user
        connected, _ = await comm.connect()
        assert connected
        assert (await comm.receive_json_from())["type"] == "monitor.ready"
        await sync_to_async(start_rest)(flow)
        events = [await comm.receive_json_from(timeout=2) for _ in range(4)]
        await comm.disconnect()
        return events

    events = async_to_sync(scenario)()
    assert [e.get("name") or e["event"] for e in events] == ["started", "incomingRequest", "next", "ended"]


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_it_refuses_the_monitor_to_another_accounts_user(flow_factory: Any, bob: Any, console: Any) -> None:
    from executions.live.consumers import FlowMonitorConsumer
    from tests.executions.factories import make_flow

    bobs = make_flow(bob, flow_def())

    async def scenario() -> bool:
        comm = WebsocketCommunicator(FlowMonitorConsumer.as_asgi(), f"/ws/flows/{bobs.sid}/monitor")
        comm.scope["url_route"] = {"kwargs": {"flow_sid": bobs.sid}}
        comm.scope["user"] = console.user
        connected, _ = await comm.connect()
        await comm.disconnect()
        return connected

    assert async_to_sync(scenario)() is False
