"""Live step events on Redis go only to groups someone listens to (most runs have no monitor open).

Monitors join through ``executions.live.presence.join``, as the monitor sockets do: while no
monitor is open anywhere, a process drops its step events without any I/O, and a monitor whose
join has returned still sees every step published after it."""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any

import pytest

from executions.live import presence, publish

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (channels_redis)")


def payload(step: str) -> dict[str, Any]:
    return {"type": "step", "step_sid": step}


def test_steps_reach_watched_groups_and_skip_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    from channels_redis.core import RedisChannelLayer

    prefix = f"presence-{uuid.uuid4().hex}"
    layer = RedisChannelLayer(hosts=[REDIS_URL], prefix=prefix)
    monkeypatch.setattr("channels.layers.get_channel_layer", lambda alias="default": layer)
    sent: list[str] = []
    real_send = layer.group_send

    async def noted_send(group: str, message: dict[str, Any]) -> None:
        sent.append(group)
        await real_send(group, message)

    monkeypatch.setattr(layer, "group_send", noted_send)

    batch = [
        ("FWwatched", "FNone", [payload("FT1"), payload("FT2")]),
        ("FWnobody", "FNtwo", [payload("FT3")]),
    ]

    async def scenario() -> list[str]:
        channel = await layer.new_channel()
        await presence.join(layer, "flow.FWwatched", channel)
        await asyncio.to_thread(publish.publish_many, batch)  # as a worker does, after commit
        got = await asyncio.wait_for(layer.receive(channel), 5)  # the two steps in one message
        await presence.leave(layer, "flow.FWwatched", channel)
        return [m["step_sid"] for m in got["events"]]

    try:
        assert asyncio.run(scenario()) == ["FT1", "FT2"]
    finally:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
    assert sent == ["flow.FWwatched"]  # one send for its steps, none to groups nobody joined
