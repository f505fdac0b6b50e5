"""The isolation matrix for WebSockets, generated from the WebSocket routing: every socket whose
path names one of Alice's resources refuses Bob's API credentials and Bob's console session (the
handshake is closed: 403 on a real server); a socket that names nothing (the Flex live feed)
accepts Bob but sends nothing of Alice's; and every message a client may send on a socket
(``CLIENT_MESSAGES``: the agent's reply and typing on the Flex live feed), naming Alice's resources, is
refused to Bob in Twilio's shape, with nothing of Alice's but what he sent."""

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


# What a client may send on each socket, with the resources it names ({kind} of the world's
# SIDs). A new kind of client message is added here.
CLIENT_MESSAGES: dict[str, list[dict[str, str]]] = {
    "/ws/flex/live": [
        {"type": "reply", "reservation": "{reservation}", "body": "hi", "client_id": "iso-1"},
        {"type": "typing", "reservation": "{reservation}"},
    ],
}


def answer_to(path: str, frame: dict[str, str], user: Any) -> tuple[bool, list[dict[str, Any]]]:
    """Connect with the user's session, send the frame; what came back within a second."""
    import json

    from config.routing import websocket_urlpatterns

    async def scenario() -> tuple[bool, list[dict[str, Any]]]:
        comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
        comm.scope["headers"] = [(b"host", b"testserver")]
        comm.scope["user"] = user
        connected, _ = await comm.connect()
        heard: list[dict[str, Any]] = []
        if connected:
            await comm.send_input({"type": "websocket.receive", "text": json.dumps(frame)})
            while not await comm.receive_nothing(timeout=1):
                heard.append(await comm.receive_json_from())
            await comm.disconnect()
        return connected, heard

    result: tuple[bool, list[dict[str, Any]]] = async_to_sync(scenario)()
    return result


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_a_message_naming_another_accounts_resource_is_refused_on_every_socket(
    alice: Any, bob: Any, settings: Any, tmp_path: Any
) -> None:
    from conversations.models import ConversationMessage

    settings.SERVERLESS = {**settings.SERVERLESS, "ROOT": tmp_path, "FUNCTIONS_DOMAIN": ""}
    alices: World = build_world(alice, "alice")
    bobs: World = build_world(bob, "bob")
    # (SIDs and names: a short value such as a version number would be found in any frame)
    secrets = [sid for key, sid in alices.sids.items() if key != "revision" and len(sid) >= 8]
    templates = {route.template for route in websocket_routes()}
    assert set(CLIENT_MESSAGES) <= templates, "a socket in CLIENT_MESSAGES is no longer routed"
    stored = ConversationMessage.objects.count()
    problems = []
    for path, frames in CLIENT_MESSAGES.items():
        for template in frames:
            frame = {k: v.format(**alices.sids) for k, v in template.items()}
            named = set(frame.values())
            connected, heard = answer_to(path, frame, bobs.user)
            answers = [h for h in heard if h.get("type") in ("flex.reply", "flex.error")]
            if not connected or [a.get("code") for a in answers] != [20404]:
                problems.append(f"{path} {template['type']}: {answers or heard}")
            shown = [s for s in secrets if s not in named and any(s in str(h) for h in heard)]
            if shown:
                problems.append(f"{path} {template['type']}: sent {shown}")
    assert problems == [], "\n".join(problems)
    assert ConversationMessage.objects.count() == stored
