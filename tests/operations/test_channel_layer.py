"""The channel layer on Redis: a socket that closes while its receive holds the process's pop
does not take another socket's message with it (config/channel_layer.py)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from config.settings import REDIS_URL

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (channels_redis)")


async def closing_socket_while_popping(layer: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Socket A's receive holds the process's pop; a message for socket B (same process) is
    popped by Redis, and A closes before the reply is back. What does B get then?"""
    import redis.asyncio

    a, b = await layer.new_channel(), await layer.new_channel()
    real = redis.asyncio.Redis.bzpopmin
    popped = asyncio.Event()

    async def reply_on_its_way(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = await real(self, *args, **kwargs)
        if result is not None:
            popped.set()
            await asyncio.sleep(0.3)  # Redis has popped it; the reply has not been read yet
        return result

    monkeypatch.setattr(redis.asyncio.Redis, "bzpopmin", reply_on_its_way)
    receiving = asyncio.ensure_future(layer.receive(a))  # A takes the lock: its pop serves B too
    await asyncio.sleep(0.1)
    await layer.send(b, {"type": "chat.message", "body": "for B"})
    await asyncio.wait_for(popped.wait(), 5)
    receiving.cancel()  # A's socket closes
    await asyncio.gather(receiving, return_exceptions=True)
    monkeypatch.setattr(redis.asyncio.Redis, "bzpopmin", real)
    try:
        return await asyncio.wait_for(layer.receive(b), 3)
    except TimeoutError:
        return None
    finally:
        await layer.flush()


def test_a_message_popped_for_another_socket_survives_a_closing_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from config.channel_layer import RedisChannelLayer

    layer = RedisChannelLayer(hosts=[REDIS_URL], prefix=f"test-{uuid.uuid4().hex[:8]}")
    layer.brpop_timeout = 1
    heard = asyncio.run(closing_socket_while_popping(layer, monkeypatch))
    assert heard == {"type": "chat.message", "body": "for B"}


def test_channels_redis_alone_loses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Why the subclass exists (if channels_redis fixes it, this fails: drop the subclass)."""
    from channels_redis.core import RedisChannelLayer

    layer = RedisChannelLayer(hosts=[REDIS_URL], prefix=f"test-{uuid.uuid4().hex[:8]}")
    layer.brpop_timeout = 1
    assert asyncio.run(closing_socket_while_popping(layer, monkeypatch)) is None
