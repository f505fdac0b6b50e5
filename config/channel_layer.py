"""The Redis channel layer, with a receive that a closing socket cannot make lose a message.

channels_redis (4.3) receives all of a process's messages (every socket's) with one ``BZPOPMIN``
at a time on the process's queue, run by whichever socket's ``receive`` holds the lock, and
copies the message into its backup set only once the reply is back in Python. When that socket
closes (Channels cancels its consumer's ``receive``) after Redis has popped a message, for it or
for any other socket of the process, the reply dies with the cancelled await: the message has
left the queue and never reached the backup. Under load, with sockets closing while others talk,
that lost 2 of 12,000 web chat messages (bench/README.md, "Web chat").

Here the pop runs in a task of its own that the cancellation does not reach: a message it takes
after its receiver is gone goes back on the queue with its score (its place in the order), where
the process's next receive finds it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels_redis.core import RedisChannelLayer as _Base

# channels_redis's own: the backup set's messages go back in front of the queue, in their order.
_RESTORE = """
    local backed_up = redis.call('ZRANGE', ARGV[2], 0, -1, 'WITHSCORES')
    for i = #backed_up, 1, -2 do
        redis.call('ZADD', ARGV[1], backed_up[i], backed_up[i - 1])
    end
    redis.call('DEL', ARGV[2])
"""


class RedisChannelLayer(_Base):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._orphans: set[asyncio.Future[Any]] = set()  # pops whose receiver was cancelled

    async def _brpop_with_clean(self, index: int, channel: str, timeout: float) -> Any:
        backup = self._backup_channel_name(channel)
        connection = self.connection(index)
        await connection.eval(_RESTORE, 0, channel, backup)  # atomic: a cancellation here is harmless
        abandoned = False

        async def pop() -> Any:
            result = await connection.bzpopmin(channel, timeout=timeout)
            if result is None:
                return None
            _, member, score = result
            if abandoned:  # its receiver is gone: back on the queue, in its place
                await connection.zadd(channel, {member: float(score)})
                return None
            await connection.zadd(backup, {member: float(score)})
            return member

        task = asyncio.ensure_future(pop())
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            abandoned = True
            self._orphans.add(task)
            task.add_done_callback(self._orphans.discard)
            raise
