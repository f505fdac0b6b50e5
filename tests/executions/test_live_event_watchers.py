"""With no monitor open, a turn's live events cost no I/O; a monitor that joins sees every step after.

Each process keeps, for ``presence.LEASE`` seconds, whether any monitor is registered; a monitor's
join returns (and its socket is accepted) only once every earlier "nobody" has lapsed."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from executions.live import presence, publish

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (channels_redis)")


def step(sid: str) -> list[tuple[str, str, list[dict[str, Any]]]]:
    return [("FWflow", "FNrun", [{"type": "step", "step_sid": sid}])]


class Counted:
    """The layer's Redis commands, counted (every connection the layer hands out)."""

    def __init__(self, layer: Any) -> None:
        self.commands: list[str] = []
        real = layer.connection

        def connection(index: int) -> Any:
            client = real(index)
            noted = self

            class Noting:
                def __getattr__(self, name: str) -> Any:
                    noted.commands.append(name)
                    return getattr(client, name)

            return Noting()

        layer.connection = connection


@pytest.fixture
def layer(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from config.channel_layer import RedisChannelLayer

    prefix = f"watchers-{uuid.uuid4().hex}"
    made = RedisChannelLayer(hosts=[REDIS_URL], prefix=prefix)
    monkeypatch.setattr("channels.layers.get_channel_layer", lambda alias="default": made)
    yield made
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def learn_that_nobody_watches(layer: Any) -> None:
    """A first publish with no monitor open: the live-events loop asks Redis once."""
    publish.publish_many(step("FTfirst"))
    deadline = time.monotonic() + 5
    while publish.presence.cached(layer) is not False:
        assert time.monotonic() < deadline
        time.sleep(0.005)


def test_a_turn_with_no_monitor_open_does_no_redis_round_trip_nor_post(
    layer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = Counted(layer)
    learn_that_nobody_watches(layer)
    assert counted.commands == ["zcount"]  # one question for the whole lease, no EXISTS
    posted: list[Any] = []
    monkeypatch.setattr(publish._loop, "post", lambda *args: posted.append(args))
    for n in range(50):
        publish.publish_many(step(f"FT{n}"))
    assert posted == []
    assert counted.commands == ["zcount"]


def test_a_monitor_sees_the_steps_published_after_its_join_returns(layer: Any) -> None:
    """Two processes: this one publishes, holding a fresh "nobody"; the monitor joins through a
    layer of its own (another process's connections), then a step is published at once."""
    from config.channel_layer import RedisChannelLayer

    learn_that_nobody_watches(layer)
    monitor_process = RedisChannelLayer(hosts=[REDIS_URL], prefix=layer.prefix)

    async def scenario() -> dict[str, Any]:
        channel = await monitor_process.new_channel()
        await presence.join(monitor_process, "flow.FWflow", channel)
        assert publish.presence.cached(layer) is None  # the publisher's "nobody" has lapsed
        await asyncio.to_thread(publish.publish_many, step("FTafter"))  # committed after the join
        got = await asyncio.wait_for(monitor_process.receive(channel), 5)
        await presence.leave(monitor_process, "flow.FWflow", channel)
        return got

    assert asyncio.run(scenario())["step_sid"] == "FTafter"


def test_once_the_last_monitor_leaves_publishing_is_free_again(layer: Any) -> None:
    async def join_and_leave() -> None:
        channel = await layer.new_channel()
        await presence.join(layer, "execution.FNrun", channel)
        await presence.leave(layer, "execution.FNrun", channel)

    asyncio.run(join_and_leave())
    time.sleep(presence.LEASE)
    learn_that_nobody_watches(layer)
    assert publish.presence.nobody_watches(layer)


def test_a_registration_lapses_with_its_group(layer: Any) -> None:
    """A process killed with sockets open leaves registrations that count no longer than its
    groups would (channels_redis's ``group_expiry``)."""
    layer.group_expiry = 1

    async def join_and_vanish() -> None:
        await presence.join(layer, "flow.FWflow", await layer.new_channel())  # never leaves

    asyncio.run(join_and_vanish())
    time.sleep(1 + presence.LEASE)
    learn_that_nobody_watches(layer)
