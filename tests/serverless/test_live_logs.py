"""``ws/functions/{ZE}/logs``: a console user of the account sees an invocation's console output
as it is stored; a stranger's socket is refused."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.core.management import call_command
from django.test import Client, override_settings

from serverless.live import FunctionLogsConsumer
from serverless.models import Environment

pytestmark = pytest.mark.django_db(transaction=True)

MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
CHATTY = "exports.handler = (c, e, cb) => { console.log('one'); console.error('two'); cb(null, 'ok'); };\n"


class Socket(ApplicationCommunicator):
    def __init__(self, environment_sid: str, user: Any) -> None:
        scope = {
            "type": "websocket",
            "path": f"/ws/functions/{environment_sid}/logs",
            "headers": [],
            "subprotocols": [],
            "query_string": b"",
            "url_route": {"kwargs": {"environment_sid": environment_sid}},
            "user": user,
        }
        super().__init__(FunctionLogsConsumer.as_asgi(), scope)

    async def connect(self) -> bool:
        await self.send_input({"type": "websocket.connect"})
        return bool((await self.receive_output(2))["type"] == "websocket.accept")

    async def receive_json(self, timeout: float = 3) -> Any:
        return json.loads((await self.receive_output(timeout))["text"])

    async def close(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(1)


def deployed(account: Any, root: Path) -> Environment:
    (root / "functions").mkdir(parents=True)
    (root / "functions" / "chatty.js").write_text(CHATTY)
    out = io.StringIO()
    call_command("functions", "deploy", str(root), "--account", account.sid, "--json", stdout=out)
    return Environment.objects.get(sid=json.loads(out.getvalue())["environment_sid"])


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_a_member_sees_the_logs_of_each_invocation(console: Any, tmp_path: Path) -> None:
    env = deployed(console.account, tmp_path)

    async def scenario() -> Any:
        socket = Socket(env.sid, console.user)
        assert await socket.connect()
        assert (await socket.receive_json())["type"] == "logs.ready"
        answer = await sync_to_async(Client().get)(f"/fn/{env.label}/chatty")
        event = await socket.receive_json()
        await socket.close()
        return answer.status_code, event

    status, event = async_to_sync(scenario)()
    assert status == 200 and event["type"] == "log.lines"
    assert [(line["level"], line["message"]) for line in event["logs"]] == [("info", "one"), ("error", "two")]
    assert all(line["sid"].startswith("NO") and line["environment_sid"] == env.sid for line in event["logs"])
    # Beside the Log resource, the path invoked: what the simulator's pane labels each line with.
    assert {line["function_path"] for line in event["logs"]} == {"/chatty"}


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_another_accounts_user_is_refused(console: Any, bob: Any, tmp_path: Path) -> None:
    env = deployed(bob, tmp_path)

    async def scenario() -> bool:
        socket = Socket(env.sid, console.user)
        connected = await socket.connect()
        await socket.close()
        return connected

    assert async_to_sync(scenario)() is False
