"""The monitor sockets take the account's API credentials in the handshake, not only a session."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.routing import URLRouter
from django.test import override_settings

from accounts.models import ApiKey
from config.routing import websocket_urlpatterns
from executions.models import Execution
from tests.executions.factories import definition, make_flow, on, state
from tests.executions.support import start_rest
from tests.executions.test_live_events import MEMORY, WebsocketCommunicator

pytestmark = pytest.mark.django_db(transaction=True)


def waits() -> dict[str, Any]:
    """Set a variable, then wait for a reply: two steps now, a third when the contact answers."""
    return definition(
        state("v", "set-variables", [on("next", "ask")], variables=[{"key": "x", "value": "1"}]),
        state(
            "ask",
            "send-and-wait-for-reply",
            [on("incomingMessage"), on("timeout"), on("deliveryFailure")],
            body="Hi?",
            timeout="3600",
            **{"from": "{{flow.channel.address}}"},
        ),
        trigger=[on("incomingRequest", "v")],
    )


def basic(username: str, password: str) -> bytes:
    return b"Basic " + base64.b64encode(f"{username}:{password}".encode())


def socket(path: str, authorization: bytes | None = None, user: Any = None) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    if authorization is not None:
        comm.scope["headers"] = [(b"host", b"testserver"), (b"authorization", authorization)]
    if user is not None:
        comm.scope["user"] = user
    return comm


def watch(
    path: str, authorization: bytes | None, start: Any = None, expect: int = 0, user: Any = None
) -> tuple[bool, list[Any]]:
    """Connect; when accepted, run ``start`` and read the ready event and ``expect`` more."""

    async def scenario() -> tuple[bool, list[Any]]:
        comm = socket(path, authorization, user)
        connected, _ = await comm.connect()
        events: list[Any] = []
        if connected:
            events.append(await comm.receive_json_from())
            if start is not None:
                await sync_to_async(start)()
            for _ in range(expect):
                events.append(await comm.receive_json_from(timeout=2))
            # Nothing else arrives for this socket.
            assert await comm.receive_nothing(timeout=0.3)
        await comm.disconnect()
        return connected, events

    return async_to_sync(scenario)()


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_it_streams_the_flows_steps_to_the_accounts_auth_token(alice: Any) -> None:
    flow = make_flow(alice, waits())
    connected, events = watch(
        f"/ws/flows/{flow.sid}/monitor",
        basic(alice.sid, alice.auth_token),
        start=lambda: start_rest(flow),
        expect=3,
    )
    assert connected
    assert events[0] == {"type": "monitor.ready", "flow_sid": flow.sid}
    assert (events[1]["type"], events[1]["event"]) == ("execution", "started")
    assert [(e["from"], e["name"], e["to"]) for e in events[2:]] == [
        ("Trigger", "incomingRequest", "v"),
        ("v", "next", "ask"),
    ]


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_it_accepts_an_api_key_of_the_account_and_refuses_a_revoked_or_wrong_secret(alice: Any) -> None:
    flow = make_flow(alice, waits())
    key, secret = ApiKey.create(alice, "monitor script")
    path = f"/ws/flows/{flow.sid}/monitor"
    assert watch(path, basic(key.sid, secret))[0] is True
    assert watch(path, basic(key.sid, "wrong"))[0] is False
    assert watch(path, basic(alice.sid, "wrong"))[0] is False
    assert watch(path, b"Bearer abc")[0] is False
    key.delete()
    assert watch(path, basic(key.sid, secret))[0] is False


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_it_refuses_another_accounts_credentials_even_for_a_real_flow(alice: Any, bob: Any) -> None:
    flow = make_flow(alice, waits())
    ex = start_rest(flow)
    bobs_key, bobs_secret = ApiKey.create(bob)
    assert watch(f"/ws/flows/{flow.sid}/monitor", basic(bob.sid, bob.auth_token))[0] is False
    assert watch(f"/ws/flows/{flow.sid}/monitor", basic(bobs_key.sid, bobs_secret))[0] is False
    assert watch(f"/ws/executions/{ex.sid}/", basic(bob.sid, bob.auth_token))[0] is False
    assert watch(f"/ws/flows/FW{'0' * 32}/monitor", basic(alice.sid, alice.auth_token))[0] is False


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_it_refuses_wrong_credentials_even_beside_a_valid_session(alice: Any, console: Any) -> None:
    flow = make_flow(alice, waits())
    path = f"/ws/flows/{flow.sid}/monitor"
    assert watch(path, None, user=console.user)[0] is True
    assert watch(path, basic(alice.sid, "wrong"), user=console.user)[0] is False


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_it_streams_one_executions_steps_on_its_own_socket(alice: Any, console: Any) -> None:
    from tests.executions.test_console_sim import say

    flow = make_flow(alice, waits())
    ex = start_rest(flow, to="+15550100001", frm="+15550109999")
    other = start_rest(flow, to="+15550100002", frm="+15550109999")

    def answer_both() -> None:
        for sender in ("+15550100002", "+15550100001"):
            say(console, flow, "yes", frm=sender, to="+15550109999")

    connected, events = watch(
        f"/ws/executions/{ex.sid}/", basic(alice.sid, alice.auth_token), start=answer_both, expect=2
    )
    assert connected and events[0] == {"type": "monitor.ready", "execution_sid": ex.sid}
    assert [(e["execution_sid"], e["from"], e["name"]) for e in events[1:2]] == [
        (ex.sid, "ask", "incomingMessage")
    ]
    assert (events[2]["type"], events[2]["event"], events[2]["execution_sid"]) == (
        "execution",
        "ended",
        ex.sid,
    )
    assert Execution.objects.get(pk=other.pk).status == "ended"


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_it_lets_a_script_in_through_the_served_application_without_an_origin(alice: Any) -> None:
    """Through config.asgi: credentials without Origin (a script) pass; foreign origins never do."""
    from config.asgi import application

    flow = make_flow(alice, waits())
    path = f"/ws/flows/{flow.sid}/monitor"

    def handshake(*headers: tuple[bytes, bytes]) -> bool:
        async def scenario() -> bool:
            comm = WebsocketCommunicator(application, path)
            comm.scope["headers"] = [(b"host", b"testserver"), *headers]
            connected, _ = await comm.connect()
            if connected:
                await comm.disconnect()
            return connected

        return async_to_sync(scenario)()

    token = (b"authorization", basic(alice.sid, alice.auth_token))
    assert handshake(token) is True
    assert handshake(token, (b"origin", b"http://testserver")) is True
    assert handshake(token, (b"origin", b"https://evil.example")) is False
    assert handshake() is False
    assert handshake((b"authorization", basic(alice.sid, "wrong"))) is False
