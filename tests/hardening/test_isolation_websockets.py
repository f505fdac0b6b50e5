"""The isolation matrix for WebSockets, generated from the WebSocket routing: every socket whose
path names one of Alice's resources refuses Bob's API credentials and Bob's console session (the
handshake is closed: 403 on a real server); a socket that names nothing (the Flex live feed)
accepts Bob but sends nothing of Alice's."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from django.test import override_settings

from tests.executions.test_live_events import MEMORY, WebsocketCommunicator
from tests.executions.test_monitor_credentials import basic
from tests.hardening.routes import record, websocket_routes
from tests.hardening.world import World, build_world, sid_for

pytestmark = pytest.mark.django_db(transaction=True)


def attempt(path: str, authorization: bytes | None, user: Any) -> tuple[bool, str]:
    """Connect; whether the socket was accepted, and what it sent in its first half second."""
    from config.routing import websocket_urlpatterns

    async def scenario() -> tuple[bool, str]:
        comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
        headers = [(b"host", b"testserver")]
        if authorization is not None:
            headers.append((b"authorization", authorization))
        comm.scope["headers"] = headers
        if user is not None:
            comm.scope["user"] = user
        connected, _ = await comm.connect()
        sent = ""
        if connected:
            while not await comm.receive_nothing(timeout=0.5):
                sent += str(await comm.receive_output())
            await comm.disconnect()
        return connected, sent

    result: tuple[bool, str] = async_to_sync(scenario)()
    return result


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_it_refuses_another_accounts_credentials_and_session_on_every_socket(
    alice: Any, bob: Any, settings: Any, tmp_path: Any
) -> None:
    settings.SERVERLESS = {**settings.SERVERLESS, "ROOT": tmp_path, "FUNCTIONS_DOMAIN": ""}
    alices: World = build_world(alice, "alice")
    bobs: World = build_world(bob, "bob")
    secrets = [sid for key, sid in alices.sids.items() if key != "revision"]
    problems, tried = [], 0
    for route in websocket_routes():
        values = {name: sid_for(route.template, name, alices.sids) for name in route.params}
        assert None not in values.values(), f"{route.template}: a parameter names no known resource"
        path = route.path({k: v for k, v in values.items() if v is not None})
        own = attempt(path, basic(alice.sid, alice.auth_token), None)
        for kind, authorization, user in (
            ("credentials", basic(bob.sid, bob.auth_token), None),
            ("session", None, bobs.user),
        ):
            tried += 1
            connected, sent = attempt(path, authorization, user)
            if route.params and connected:
                problems.append(f"{kind} {route.template}: accepted (Alice's own: {own[0]})")
            shown = [s for s in secrets if s in sent]
            if shown:
                problems.append(f"{kind} {route.template}: sent {shown}")
    record("websockets", routes=len(websocket_routes()), tried=tried, problems=len(problems))
    assert problems == [], "\n".join(problems)
    assert tried == 2 * len(websocket_routes())
