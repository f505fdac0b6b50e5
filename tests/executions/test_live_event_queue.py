"""Live step events on a network channel layer are queued to the process's live-events loop:
the run that published them does not wait for Redis, and they still arrive in order."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from executions.live import publish


class SlowLayer:
    """A network layer (not in-memory) whose every send takes a while."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.done = threading.Event()

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        await asyncio.sleep(0.05)
        steps = message["events"] if message["type"] == "steps.batch" else [message]
        self.sent.extend((group, step["step_sid"]) for step in steps)
        if len(self.sent) == 6:
            self.done.set()


def test_publishing_returns_at_once_and_the_events_arrive_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    layer = SlowLayer()
    monkeypatch.setattr("channels.layers.get_channel_layer", lambda alias="default": layer)
    started = time.monotonic()
    publish.publish_many([("FW1", "FN1", [{"type": "step", "step_sid": "FT1"}])])
    publish.publish_many([("FW1", "FN1", [{"type": "step", "step_sid": "FT2"}])])
    publish.publish_many([("FW1", "FN1", [{"type": "step", "step_sid": "FT3"}])])
    assert time.monotonic() - started < 0.05  # sends of 50 ms each: none waited for
    assert layer.done.wait(5)
    for group in ("flow.FW1", "execution.FN1"):
        assert [sid for g, sid in layer.sent if g == group] == ["FT1", "FT2", "FT3"]


def test_a_batch_of_many_executions_is_one_message_to_their_flows_group(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    messages: list[tuple[str, dict[str, Any]]] = []

    class Layer(SlowLayer):
        async def group_send(self, group: str, message: dict[str, Any]) -> None:
            messages.append((group, message))
            if len(messages) == 101:
                self.done.set()

    layer = Layer()
    monkeypatch.setattr("channels.layers.get_channel_layer", lambda alias="default": layer)
    steps = [
        (
            f"FN{n}",
            [{"type": "step", "step_sid": f"FT{n}a"}, {"type": "step", "step_sid": f"FT{n}b"}],
        )
        for n in range(100)
    ]
    publish.publish_many([("FW1", execution, payloads) for execution, payloads in steps])
    assert layer.done.wait(5)
    flow_messages = [m for g, m in messages if g == "flow.FW1"]
    assert len(flow_messages) == 1 and flow_messages[0]["type"] == "steps.batch"
    assert [e["step_sid"] for e in flow_messages[0]["events"]] == [
        sid for _, p in steps for sid in (p[0]["step_sid"], p[1]["step_sid"])
    ]
    # Each execution's group gets its own two steps.
    assert len([g for g, _ in messages if g.startswith("execution.")]) == 100


def test_a_failing_layer_is_logged_and_never_reaches_the_run(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(SlowLayer):
        async def group_send(self, group: str, message: dict[str, Any]) -> None:
            raise ConnectionError("redis is down")

    monkeypatch.setattr("channels.layers.get_channel_layer", lambda alias="default": Broken())
    with caplog.at_level("WARNING", logger="executions.live.publish"):
        publish.publish_many([("FW1", "FN1", [{"type": "step", "step_sid": "FT1"}])])  # no raise
        deadline = time.monotonic() + 5
        while "could not publish step events" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.01)
    assert "could not publish step events" in caplog.text
