"""The database down: what needs it answers 503 in Twilio's shape with ``Retry-After`` (the REST
APIs, the console API, the flow webhook, execution callbacks, a call's turns answered in front of
Django, the inbound-message fast path), never a 500; ``/healthz/ready`` says not ready and
``/healthz/live`` stays up. Clients and Twilio retry; the load balancer sends traffic elsewhere.

The outage is real on PostgreSQL: the connection is closed and pointed at a port nobody listens
on, so every statement meets the driver's own "connection refused". SQLite's in-memory test
database cannot be closed and reopened: there every statement fails as a dropped connection does.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from asgiref.sync import async_to_sync
from django.db import OperationalError, connection
from django.test import Client, RequestFactory

from accounts.views import server_error
from config.env import database_from_url
from executions.inbound.call_path import CallPath
from executions.inbound.fast_path import FlowWebhookFastPath
from tests.executions.factories import make_flow
from tests.executions.support import message_params, sign, webhook_path
from tests.executions.test_voice_turn_cost import ivr
from tests.executions.voice_support import call_params
from tests.support import basic_auth

pytestmark = pytest.mark.django_db(transaction=True)  # PostgreSQL: closed outside any transaction

FORM = "application/x-www-form-urlencoded"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # free once closed: nobody listens there


@pytest.fixture
def outage() -> Iterator[None]:
    if connection.vendor == "postgresql":
        saved = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
        return

    def dropped(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(dropped):
        yield


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "code": 20503,
        "message": "Service Unavailable: the database cannot be reached; retry later",
        "more_info": "https://www.twilio.com/docs/errors/20503",
        "status": 503,
    }


def asgi_post(
    app: Any, url: str, account: Any, params: dict[str, str], signed_without: str = ""
) -> httpx.Response:
    """A signed form POST through the ASGI ``app`` (``signed_without``: a field the signature
    does not cover, as a forger's)."""
    parts = urlsplit(url)
    path_qs = parts.path + (f"?{parts.query}" if parts.query else "")
    signed = {k: v for k, v in params.items() if k != signed_without}
    headers = {"Content-Type": FORM, "X-Twilio-Signature": sign(account, path_qs, signed)}

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.post(path_qs, content=urlencode(params), headers=headers)

    return async_to_sync(go)()


async def unreached(scope: dict[str, Any], receive: Any, send: Any) -> None:
    raise AssertionError(f"{scope['path']} reached the app behind the call path")


def test_the_rest_apis_answer_503_to_retry(alice: Any, outage: None) -> None:
    client = Client(HTTP_AUTHORIZATION=basic_auth(alice.sid, alice.auth_token))
    assert_unavailable(client.get("/v2/Flows"))
    assert_unavailable(client.post("/v2/Flows", {"FriendlyName": "x", "Status": "draft", "Definition": "{}"}))
    assert_unavailable(client.get(f"/2010-04-01/Accounts/{alice.sid}/IncomingPhoneNumbers.json"))


def test_the_console_api_answers_503_to_retry(console: Any, outage: None) -> None:
    assert_unavailable(console.get("/api/console/me"))


@pytest.fixture
def ringing(alice: Any) -> dict[str, Any]:
    """A flow and a call waiting on its Gather (made before the outage)."""
    flow = make_flow(alice, ivr(), name="IVR")
    params = call_params()
    path = webhook_path(flow)
    answer = Client().post(path, params, HTTP_X_TWILIO_SIGNATURE=sign(alice, path, params))
    assert answer.status_code == 200 and b"<Gather" in answer.content
    action = answer.content.decode().split('action="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    return {"flow": flow, "params": params, "action": action}


def test_webhooks_and_callbacks_answer_503_to_retry(
    alice: Any, ringing: dict[str, Any], outage: None
) -> None:
    sms = message_params("+15550000001", "+15551230000", "hi")
    path = webhook_path(ringing["flow"])
    assert_unavailable(Client().post(path, sms, HTTP_X_TWILIO_SIGNATURE=sign(alice, path, sms)))

    call = call_params()
    path = webhook_path(ringing["flow"])
    assert_unavailable(Client().post(path, call, HTTP_X_TWILIO_SIGNATURE=sign(alice, path, call)))

    parts = urlsplit(ringing["action"])
    path_qs = f"{parts.path}?{parts.query}"
    turn = {**ringing["params"], "CallStatus": "in-progress", "Digits": "1"}
    assert_unavailable(Client().post(path_qs, turn, HTTP_X_TWILIO_SIGNATURE=sign(alice, path_qs, turn)))


def test_a_calls_turns_answered_before_django_answer_503_to_retry(
    alice: Any, ringing: dict[str, Any], outage: None
) -> None:
    app = CallPath(unreached)  # the error is answered by Django's middleware, in the call path
    assert_unavailable(asgi_post(app, webhook_path(ringing["flow"]), alice, call_params()))
    turn = {**ringing["params"], "CallStatus": "in-progress", "Digits": "1"}
    assert_unavailable(asgi_post(app, ringing["action"], alice, turn))


def test_readiness_says_not_ready_and_liveness_stays_up(outage: None) -> None:
    ready = Client().get("/healthz/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == "error: OperationalError"
    assert "database" in ready.json()["failing"]
    assert Client().get("/healthz/live").status_code == 200


def test_the_database_down_outside_any_view_is_a_503_in_production_mode() -> None:
    request = RequestFactory().get("/v2/Flows")
    try:
        raise OperationalError("the database system is shutting down")
    except OperationalError:
        assert sys.exc_info()[1] is not None
        assert_unavailable(server_error(request))
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(request).status_code == 500


@pytest.mark.skipif(
    not (os.environ.get("REDIS_URL") and connection.vendor == "postgresql"),
    reason="the inbound-message fast path serves PostgreSQL + Redis only",
)
def test_the_inbound_message_fast_path_leaves_the_outage_to_django_which_answers_503(
    alice: Any, ringing: dict[str, Any], outage: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from config.asgi import django_application
    from config.celery import app as celery

    monkeypatch.setattr(celery.conf, "task_always_eager", False)  # the production setup it mirrors
    fast = FlowWebhookFastPath(django_application)  # its pool connects after the outage began
    sms = message_params("+15550000001", "+15551230000", "hi")
    try:
        assert_unavailable(asgi_post(fast, webhook_path(ringing["flow"]), alice, sms))
    finally:
        async_to_sync(fast.aclose)()


def test_a_postgresql_connection_gives_up_after_the_connect_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_CONNECT_TIMEOUT", "3")
    assert database_from_url("postgres://u@db:5432/x")["OPTIONS"] == {"connect_timeout": 3}
    monkeypatch.delenv("DB_CONNECT_TIMEOUT")
    assert database_from_url("postgres://u@db:5432/x")["OPTIONS"] == {"connect_timeout": 5}


@pytest.fixture
def functions_host(settings: Any) -> str:
    """The Functions gateway: a middleware (serverless.serving.FunctionsHostMiddleware) that looks
    the environment up in the database before any view runs."""
    settings.SERVERLESS = {**settings.SERVERLESS, "FUNCTIONS_DOMAIN": "fn.example"}
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".fn.example"]
    return "demo-1234-dev.fn.example"


@pytest.mark.parametrize("debug", [True, False], ids=["debug mode", "production mode"])
def test_the_database_down_in_a_middleware_is_the_same_503_in_either_mode(
    functions_host: str, settings: Any, debug: bool, outage: None
) -> None:
    """Not Django's technical 500 page (a traceback and the settings) in debug mode, nor its 500
    page in production mode: the 503 a view answers."""
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    assert_unavailable(client.get("/hello", HTTP_HOST=functions_host))
    assert_unavailable(client.post("/hello", {"a": "b"}, HTTP_HOST=functions_host))


def test_the_database_down_in_a_middleware_is_a_503_through_the_asgi_application(
    functions_host: str, settings: Any, outage: None
) -> None:
    """As `serve` runs Django (ASGI): the exception is handled on another thread there."""
    from config.asgi import django_application

    settings.DEBUG = True

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=django_application)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{functions_host}") as client:
            return await client.get("/hello")

    assert_unavailable(async_to_sync(go)())


def test_a_bug_in_a_middleware_keeps_djangos_500(
    functions_host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> Any:
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr("serverless.serving.serve", broken)
    answer = Client(raise_request_exception=False).get("/hello", HTTP_HOST=functions_host)
    assert answer.status_code == 500
    assert "Retry-After" not in answer.headers
