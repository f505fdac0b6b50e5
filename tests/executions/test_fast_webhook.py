"""The inbound-message webhook's fast path (``executions.inbound.fast_path``) in front of Django.

A signed inbound SMS is recorded and answered without Django, exactly as the Django view would
record and answer it; everything else reaches Django unchanged (body included) and gets
Django's own answer. Driven as an ASGI app, on real PostgreSQL and Redis settings (as in CI).
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from executions.inbound import drain, fast_path
from executions.inbound.fast_path import FlowWebhookFastPath
from executions.models import InboundEvent
from tests.executions.factories import make_flow, survey
from tests.executions.support import message_params, sign, webhook_path

REDIS_URL = os.environ.get("REDIS_URL", "")
POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the fast path commits on its own connection
    pytest.mark.skipif(
        not (REDIS_URL and POSTGRES),
        reason="the fast path serves PostgreSQL + Redis only: needs DATABASE_URL=postgres://… and REDIS_URL",
    ),
]

ME, US = "+15551230000", "+15550001111"
EMPTY = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
FORM = "application/x-www-form-urlencoded"


@dataclass
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class Django:
    """The app behind the fast path: Django itself, noting each request and the body it read."""

    def __init__(self) -> None:
        from config.asgi import django_application

        self.app = django_application
        self.seen: list[tuple[str, bytes]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        index = len(self.seen)
        self.seen.append((scope["path"], b""))

        async def receive_noted() -> dict[str, Any]:
            message = await receive()
            path, body = self.seen[index]
            self.seen[index] = (path, body + message.get("body", b""))
            return dict(message)

        await self.app(scope, receive_noted, send)


@dataclass
class Kicks:
    clients: list[Any] = field(default_factory=list)

    async def kick_async(self, client: Any) -> None:
        self.clients.append(client)


@pytest.fixture
def kicks(eager_celery: None, monkeypatch: pytest.MonkeyPatch) -> Kicks:
    """Production settings (Celery not eager); kicks noted instead of queueing drainers in the
    Redis other test processes use."""
    from config.celery import app

    monkeypatch.setattr(app.conf, "task_always_eager", False)
    noted = Kicks()
    monkeypatch.setattr(drain, "kick_async", noted.kick_async)
    monkeypatch.setattr(drain, "kick", lambda slot=0: noted.clients.append("django"))
    return noted


@pytest.fixture
def django_app() -> Iterator[Django]:
    yield Django()
    # Django ran each request on a thread of its own, now gone: its database connection is
    # closed when collected, before the test database is dropped.
    gc.collect()


@pytest.fixture
def app(django_app: Django) -> FlowWebhookFastPath:
    return FlowWebhookFastPath(django_app)


def call(app: Any, path: str, body: bytes = b"", **kw: Any) -> Answer:
    """One HTTP request through ``app`` as uvicorn would make it (the body in ``chunks``)."""

    async def run() -> Answer:
        try:
            return await exchange(app, path, body, **kw)
        finally:
            if isinstance(app, FlowWebhookFastPath):
                await app.aclose()

    return asyncio.run(run())


def call_together(app: FlowWebhookFastPath, requests: list[dict[str, Any]]) -> list[Answer]:
    """Requests in flight at the same time, on one event loop (as in one uvicorn worker)."""

    async def run() -> list[Answer]:
        try:
            return list(await asyncio.gather(*(exchange(app, **r) for r in requests)))
        finally:
            await app.aclose()

    return asyncio.run(run())


async def exchange(
    app: Any,
    path: str,
    body: bytes = b"",
    *,
    method: str = "POST",
    query: str = "",
    headers: dict[str, str] | None = None,
    content_length: bool = True,
    chunks: int = 1,
) -> Answer:
    sent_headers = {"host": "127.0.0.1:8000", **(headers or {})}
    if content_length:
        sent_headers["content-length"] = str(len(body))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in sent_headers.items()],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    size = -(-len(body) // chunks) or 1
    parts = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    messages = [
        {"type": "http.request", "body": part, "more_body": i < len(parts) - 1}
        for i, part in enumerate(parts)
    ]
    answer = Answer(0, [], b"")

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()  # the client stays connected
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status, answer.headers = message["status"], list(message["headers"])
        else:
            answer.body += message.get("body", b"")

    await app(scope, receive, send)
    return answer


def sms(
    flow: Any, *, sid: str | None = None, query: str = "", signature: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A signed inbound SMS for ``flow``: the keyword arguments of ``call``."""
    params = message_params(ME, US, "hello", sid=sid, **extra)
    path = webhook_path(flow)
    signed_url = path + (f"?{query}" if query else "")
    sig = sign(flow.account, signed_url, params) if signature is None else signature
    headers = {"content-type": FORM, **({"x-twilio-signature": sig} if sig else {})}
    return {"path": path, "body": urlencode(params).encode(), "query": query, "headers": headers}


@pytest.fixture
def flow(alice: Any) -> Any:
    return make_flow(alice, survey())


# Recorded and answered here


def test_it_records_a_signed_sms_and_answers_empty_twiml(
    app: FlowWebhookFastPath, django_app: Django, flow: Any, kicks: Kicks
) -> None:
    answer = call(app, **sms(flow, sid="SM" + "1" * 32))

    assert (answer.status, answer.body) == (200, EMPTY)
    assert django_app.seen == []
    event = InboundEvent.objects.get()
    assert (event.flow_id, event.key, event.kind, event.status, event.execution_sid) == (
        flow.pk,
        "SM" + "1" * 32,
        "message",
        "pending",
        "",
    )
    assert (event.contact_channel_address, event.channel_address) == (ME, US)
    assert event.params["Body"] == "hello"


def test_it_kicks_the_drain_with_a_redis_asyncio_client(
    app: FlowWebhookFastPath, flow: Any, kicks: Kicks
) -> None:
    import redis.asyncio

    call(app, **sms(flow))

    assert len(kicks.clients) == 1
    assert isinstance(kicks.clients[0], redis.asyncio.Redis)


def test_it_records_a_redelivered_message_once_and_kicks_once(
    app: FlowWebhookFastPath, flow: Any, kicks: Kicks
) -> None:
    request = sms(flow, sid="SM" + "2" * 32)

    first, again = call(app, **request), call(app, **request)

    assert first == again
    assert (again.status, again.body) == (200, EMPTY)
    assert InboundEvent.objects.filter(key="SM" + "2" * 32).count() == 1
    assert len(kicks.clients) == 1


def test_concurrent_messages_are_recorded_together_and_kick_the_drain_once(
    app: FlowWebhookFastPath, flow: Any, kicks: Kicks, monkeypatch: pytest.MonkeyPatch
) -> None:
    from executions.inbound import grouped_insert

    statements: list[tuple[int, int]] = []  # (rows sent, rows inserted) per INSERT
    real_insert = grouped_insert.GroupedInserts._insert

    async def noted_insert(self: Any, rows: list[Any]) -> Any:
        inserted = await real_insert(self, rows)
        statements.append((len(rows), len(inserted)))
        return inserted

    monkeypatch.setattr(grouped_insert.GroupedInserts, "_insert", noted_insert)
    requests = [sms(flow, sid=f"SM{n:032x}") for n in range(20)]
    requests.append(sms(flow, sid=f"SM{3:032x}"))  # a redelivery among them

    answers = call_together(app, requests)

    assert {(a.status, a.body) for a in answers} == {(200, EMPTY)}
    assert InboundEvent.objects.count() == 20
    assert sum(sent for sent, _ in statements) == 21
    assert len(statements) < 21  # rows of requests in flight together share a statement
    # One kick per statement that recorded something (not one per message; a statement holding
    # only the redelivery records nothing and kicks nothing).
    assert len(kicks.clients) == sum(1 for _, inserted in statements if inserted)


def test_it_answers_the_bytes_and_headers_django_answers(
    app: FlowWebhookFastPath, django_app: Django, flow: Any, kicks: Kicks
) -> None:
    fast = call(app, **sms(flow))
    by_django = call(django_app, **sms(flow))

    assert len(django_app.seen) == 1  # the reference request only
    assert fast == by_django
    assert fast.headers[:3] == [
        (b"Content-Type", b"text/xml"),
        (b"X-Frame-Options", b"DENY"),
        (b"Content-Length", b"49"),
    ]


@pytest.mark.parametrize("query", ["", "x=1&MessageSid=ignored&Extra=%C3%A9"])
def test_it_records_the_row_the_django_view_records(
    app: FlowWebhookFastPath, django_app: Django, alice: Any, kicks: Kicks, query: str
) -> None:
    """Same params on two flows: one through the fast path, one through Django alone."""
    fast_flow, django_flow = make_flow(alice, survey()), make_flow(alice, survey())
    extra = {
        "MessagingServiceSid": "MG" + "a" * 32,
        "Body": "héllo ✓ 😀 a+b=c&d",
        "MediaUrl0": "https://x.test/a.png",
    }

    assert call(app, **sms(fast_flow, sid="SM" + "3" * 32, query=query, **extra)).body == EMPTY
    assert call(django_app, **sms(django_flow, sid="SM" + "3" * 32, query=query, **extra)).body == EMPTY

    fields = [
        "key",
        "kind",
        "contact_channel_address",
        "channel_address",
        "params",
        "status",
        "execution_sid",
    ]
    fast_row = InboundEvent.objects.filter(flow=fast_flow).values(*fields).get()
    django_row = InboundEvent.objects.filter(flow=django_flow).values(*fields).get()
    assert fast_row == django_row
    assert len(django_app.seen) == 1
    assert kicks.clients.count("django") == 1 and len(kicks.clients) == 2


def test_it_accepts_smssid_when_there_is_no_messagesid(
    app: FlowWebhookFastPath, django_app: Django, flow: Any, kicks: Kicks
) -> None:
    params = {"SmsSid": "SM" + "4" * 32, "From": ME, "To": US, "Body": "old style"}
    path = webhook_path(flow)
    headers = {"content-type": FORM, "x-twilio-signature": sign(flow.account, path, params)}

    assert call(app, path, urlencode(params).encode(), headers=headers).body == EMPTY
    assert django_app.seen == []
    assert InboundEvent.objects.get().key == "SM" + "4" * 32


# Everything else: Django's own answer


def refusal(case: str, flow: Any, bob: Any) -> dict[str, Any]:
    request = sms(flow)
    params = dict(QueryDict(request["body"]).items())
    if case == "a wrong signature":
        request["headers"]["x-twilio-signature"] = "bm90IHRoZSBzaWduYXR1cmU="
    elif case == "a missing signature":
        del request["headers"]["x-twilio-signature"]
    elif case == "a signature without the query string":
        request["query"] = "x=1"
    elif case == "another account's token":
        request["headers"]["x-twilio-signature"] = sign(bob, request["path"], params)
    elif case == "an unknown flow":
        request["path"] = request["path"][:-32] + "f" * 32
    elif case == "an unknown account":
        request["path"] = request["path"].replace(flow.account.sid, "AC" + "f" * 32)
    elif case == "a GET":
        request.update(method="GET", body=b"")
    elif case == "a disallowed Host":
        request["headers"]["host"] = "evil.example"
    elif case == "a NUL in a field":
        request = sms(flow, Body="a\x00b")
    elif case == "a NUL in the query":
        request = sms(flow, query="Body=a%00b")
    return request


@pytest.mark.parametrize(
    "case",
    [
        "a wrong signature",
        "a missing signature",
        "a signature without the query string",
        "another account's token",
        "an unknown flow",
        "an unknown account",
        "a GET",
        "a disallowed Host",
        "a NUL in a field",
        "a NUL in the query",
    ],
)
def test_it_leaves_refusals_to_django(
    app: FlowWebhookFastPath, django_app: Django, flow: Any, bob: Any, kicks: Kicks, case: str
) -> None:
    request = refusal(case, flow, bob)

    answer = call(app, **request)

    assert answer.status in (400, 401, 403, 404)
    assert django_app.seen == [(request["path"], request["body"])]  # the body replayed to Django
    assert answer == call(django_app, **request)  # Django's exact answer
    assert InboundEvent.objects.count() == 0 and kicks.clients == []


def test_it_leaves_the_twilio_error_bodies_to_django(
    app: FlowWebhookFastPath, flow: Any, kicks: Kicks
) -> None:
    assert call(app, **sms(flow, signature="")).body == (
        b'{"code": 20003, "message": "Missing X-Twilio-Signature", '
        b'"more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}'
    )
    assert call(app, **sms(flow, signature="bm90")).status == 403


def test_it_leaves_an_inactive_account_to_django(
    app: FlowWebhookFastPath, django_app: Django, flow: Any, kicks: Kicks
) -> None:
    flow.account.status = "suspended"
    flow.account.save()

    answer = call(app, **sms(flow))

    assert answer.status == 404 and len(django_app.seen) == 1
    assert InboundEvent.objects.count() == 0


def test_a_deactivation_reaches_the_fast_path_within_the_lookup_ttl(
    app: FlowWebhookFastPath, django_app: Django, flow: Any, kicks: Kicks, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accounts.models import Account

    call(app, **sms(flow))  # the account is now known to the fast path
    Account.objects.filter(pk=flow.account.pk).update(status="suspended")

    assert call(app, **sms(flow)).body == EMPTY  # still trusted from memory
    later = fast_path.monotonic() + fast_path.LOOKUP_TTL_SECONDS + 0.1
    monkeypatch.setattr(fast_path, "monotonic", lambda: later)
    answer = call(app, **sms(flow))

    assert answer.status == 404 and len(django_app.seen) == 1
    assert InboundEvent.objects.count() == 2


def test_it_leaves_voice_to_django(
    app: FlowWebhookFastPath, django_app: Django, flow: Any, kicks: Kicks
) -> None:
    params = {"CallSid": "CA" + "1" * 32, "From": ME, "To": US, "CallStatus": "completed"}
    path = webhook_path(flow)
    headers = {"content-type": FORM, "x-twilio-signature": sign(flow.account, path, params)}

    answer = call(app, path, urlencode(params).encode(), headers=headers)

    assert django_app.seen == [(path, urlencode(params).encode())]
    assert (answer.status, answer.body) == (200, EMPTY)
    assert InboundEvent.objects.count() == 0


def other_request(case: str, flow: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    request = sms(flow)
    if case == "a FlowEvent":
        request = sms(flow, query="FlowEvent=return")
    elif case == "a repeated key":
        repeated = QueryDict(request["body"], mutable=True)
        repeated.appendlist("Body", "twice")
        request["body"] = repeated.urlencode().encode()
        request["headers"]["x-twilio-signature"] = sign(flow.account, request["path"], repeated)
    elif case == "a JSON body":
        request["headers"]["content-type"] = "application/json"
        request["body"] = b'{"MessageSid": "SM00000000000000000000000000000000"}'
    elif case == "a cookie":
        request["headers"]["cookie"] = "csrftoken=x"
    elif case == "a latin-1 charset":
        request["headers"]["content-type"] = FORM + "; charset=latin-1"
    elif case == "no Content-Length (chunked)":
        request["content_length"] = False
    elif case == "a body over DATA_UPLOAD_MAX_MEMORY_SIZE":
        from django.conf import settings

        monkeypatch.setattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", len(request["body"]) - 1)
    elif case == "eager Celery":
        from config.celery import app

        monkeypatch.setattr(app.conf, "task_always_eager", True)
    elif case == "its database unreachable":
        params = {**fast_path.connection_params(), "port": 1, "connect_timeout": 1}
        monkeypatch.setattr(fast_path, "connection_params", lambda: params)
    return request


@pytest.mark.parametrize(
    "case",
    [
        "a FlowEvent",
        "a repeated key",
        "a JSON body",
        "a cookie",
        "a latin-1 charset",
        "no Content-Length (chunked)",
        "a body over DATA_UPLOAD_MAX_MEMORY_SIZE",
        "eager Celery",
        "its database unreachable",
    ],
)
def test_it_leaves_other_requests_to_django_with_their_body(
    app: FlowWebhookFastPath,
    django_app: Django,
    flow: Any,
    kicks: Kicks,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
) -> None:
    request = other_request(case, flow, monkeypatch)

    call(app, **request, chunks=3)

    assert django_app.seen == [(request["path"], request["body"])]
    assert "django" in kicks.clients or InboundEvent.objects.count() == 0  # recorded by Django, if at all
    assert all(client == "django" for client in kicks.clients)


def test_it_passes_other_requests_through_untouched() -> None:
    """No body read, no wrapper: other paths, methods and protocols reach the app as they came."""
    reached: list[tuple[dict[str, Any], Any]] = []

    async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
        reached.append((scope, receive))

    async def receive() -> dict[str, Any]:
        raise AssertionError("the fast path read a body that is not its own")

    async def send(message: dict[str, Any]) -> None:
        raise AssertionError

    webhook = "/v1/Accounts/AC" + "0" * 32 + "/Flows/FW" + "0" * 32
    scopes: list[dict[str, Any]] = [
        {"type": "http", "method": "POST", "path": "/healthz", "headers": []},
        {"type": "http", "method": "GET", "path": webhook, "headers": []},
        {"type": "http", "method": "POST", "path": webhook + "/", "headers": []},
        {"type": "websocket", "path": "/ws/executions/x", "headers": []},
        {"type": "lifespan"},
    ]
    app = FlowWebhookFastPath(inner)
    for scope in scopes:
        asyncio.run(app(scope, receive, send))

    assert [(scope, r) for scope, r in reached] == [(scope, receive) for scope in scopes]


def test_it_leaves_the_429_to_django_past_the_accounts_webhook_rate(
    app: FlowWebhookFastPath, django_app: Django, flow: Any, kicks: Kicks, settings: Any
) -> None:
    settings.STUDIO = {**settings.STUDIO, "WEBHOOK_RATE_LIMIT": "2/1h"}  # accounts.limits

    answers = [call(app, **sms(flow, sid=f"SM{n:032x}")) for n in range(3)]

    assert [a.status for a in answers] == [200, 200, 429]
    assert len(django_app.seen) == 1  # only the refused request reached Django, which answered it
    refused = answers[2]
    assert b'"code": 20429' in refused.body
    assert int(dict(refused.headers)[b"Retry-After"]) >= 1
    assert InboundEvent.objects.count() == 2


def test_it_leaves_a_functions_host_to_django(
    app: FlowWebhookFastPath, django_app: Django, flow: Any, kicks: Kicks, settings: Any
) -> None:
    # Under the functions domain every path is a function's (serverless FunctionsHostMiddleware).
    settings.SERVERLESS = {**settings.SERVERLESS, "FUNCTIONS_DOMAIN": "fn.example"}
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".fn.example"]
    request = sms(flow)
    request["headers"]["host"] = "demo-1234.fn.example"

    call(app, **request)

    assert django_app.seen == [(request["path"], request["body"])]
    assert InboundEvent.objects.count() == 0 and kicks.clients == []
