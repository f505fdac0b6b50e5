"""The inbound-message webhook without Django: a lean ASGI route in front of it for the common case.

``POST /v1/Accounts/{AC}/Flows/{FW}`` carrying a signed, form-encoded inbound SMS is the busiest
request the server gets, and Django's full cycle (middleware, a thread hop, the ORM) made it cost
more CPU than a trivial Django view. This layer handles that one case on the event loop, with the
observable semantics of ``executions.inbound.webhook.flow_webhook``: the Host checked as Django
checks it, and the signed URL, the parameters, the event key and the contact pair computed by the
very helpers the view uses (``executions.inbound.requests``); the ``InboundEvent`` recorded with one
``INSERT … ON CONFLICT DO NOTHING`` (a redelivered MessageSid is recorded once; concurrent requests
share one statement, ``executions.inbound.grouped_insert``) on a small per-process pool of psycopg
async connections, the drain kicked (``executions.inbound.drain``), and ``<Response/>`` answered
with the very headers Django's middleware adds. Its SQL names tables and columns from the models'
metadata (``executions.inbound.sql``), so a renamed column cannot leave it behind.

Everything else goes to the wrapped Django app unchanged, the body it read replayed: other paths
and methods, voice (``CallSid``), ``FlowEvent``, other content types, repeated keys, a large body,
a cookie or a repeated header, a bad Host or signature, an unknown flow or an inactive account
(Django answers 400/401/403/404), a database or Redis error, and setups this layer does not
mirror (not PostgreSQL, no Redis or eager Celery, other middleware, a script prefix), and plain
HTTP when Django redirects to HTTPS (behind HTTPS, HSTS is added as Django adds it).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from time import monotonic
from typing import Any, TypeVar

import psycopg
from django.conf import settings
from django.db import connections
from django.http import QueryDict
from django.http.request import split_domain_port, validate_host
from django.utils.encoding import iri_to_uri
from django.utils.http import parse_header_parameters
from psycopg.types.json import Jsonb

from accounts import limits, metrics
from accounts.logcontext import WEBHOOK_HISTOGRAM
from accounts.models import Account
from config.celery import app
from executions.inbound import sql
from executions.inbound.grouped_insert import GroupedInserts
from executions.inbound.requests import event_key, merged_params, message_pair, signature_valid
from executions.models import InboundEvent
from executions.voice.turns import EMPTY

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger(__name__)

# How long a flow's account (token, status) is trusted from memory: a token rotation or an
# account deactivation takes effect on this path within this many seconds.
LOOKUP_TTL_SECONDS = 2.0
# PostgreSQL connections per process; max_connections is shared by every web and worker process.
POOL_SIZE = 4
# Django's list at the time this layer was written: the response headers below are what these
# add to a 200. Any other list turns the fast path off rather than answer differently.
EXPECTED_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "accounts.outage.DatabaseOutageMiddleware",  # changes only a 500 given for the database down
    # A NUL anywhere answers 400: this path leaves any request holding one to Django (parse).
    "accounts.input_guards.NulGuardMiddleware",
    # Only marks which product shares /v1/Services (a /conversations or /serverless prefix is
    # not this path's, and a product host changes nothing on it).
    "conversations.product.ProductPrefixMiddleware",
    # Hosts under the functions domain are Functions' (_host_allowed leaves them to Django).
    "serverless.serving.FunctionsHostMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",  # HTML pages only: nothing on TwiML
    "accounts.logcontext.RequestContextMiddleware",  # log context and timing: no header
]

PATH = re.compile(r"/v1/Accounts/(AC[0-9a-f]{32})/Flows/(FW[0-9a-f]{32})")  # as Django routes it: no slash
FORM = "application/x-www-form-urlencoded"
BODY = EMPTY.encode()
MAX_KEY = InboundEvent._meta.get_field("key").max_length or 0
MAX_ADDRESS = InboundEvent._meta.get_field("contact_channel_address").max_length or 0

LOOKUP = sql.flow_lookup()


R = TypeVar("R")


def per_settings(compute: Callable[..., R]) -> Callable[..., R]:
    """``compute(*args)`` worked out once per settings object instead of per request.

    ``override_settings`` (and pytest-django's ``settings`` fixture, which uses it) installs a
    new settings object for each change, so a value kept for the object it was computed from is
    never stale; the object is held, so its id cannot be reused by another."""
    kept: dict[tuple[Any, ...], tuple[object, R]] = {}

    @functools.wraps(compute)
    def cached(*args: Any) -> R:
        current = settings._wrapped  # type: ignore[misc]  # LazySettings' settings object
        hit = kept.get(args)
        if hit is not None and hit[0] is current:
            return hit[1]
        value = compute(*args)
        kept[args] = (current, value)
        return value

    return cached


@per_settings
def _settings_mirrored() -> bool:
    return (
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
        and bool(settings.REDIS_URL)
        and list(settings.MIDDLEWARE) == EXPECTED_MIDDLEWARE
        and not settings.FORCE_SCRIPT_NAME
        and not settings.PREPEND_WWW
        and not settings.DISALLOWED_USER_AGENTS
    )


def enabled() -> bool:
    """Whether this process's setup is one the fast path mirrors exactly (per request: the
    settings' part per settings object, Celery's eager mode read each time)."""
    return _settings_mirrored() and not app.conf.task_always_eager


def answer_headers(secure: bool = False) -> list[tuple[bytes, bytes]]:
    """Django's headers for ``HttpResponse(EMPTY, content_type="text/xml")`` after the middleware
    (in reverse order: X-Frame-Options, Content-Length from CommonMiddleware, SecurityMiddleware's)."""
    return list(_answer_headers(secure))


@per_settings
def _answer_headers(secure: bool) -> tuple[tuple[bytes, bytes], ...]:
    headers = [
        (b"Content-Type", b"text/xml"),
        (b"X-Frame-Options", settings.X_FRAME_OPTIONS.upper().encode()),
        (b"Content-Length", str(len(BODY)).encode()),
    ]
    if secure and settings.SECURE_HSTS_SECONDS:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            hsts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            hsts += "; preload"
        headers.append((b"Strict-Transport-Security", hsts.encode()))
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append((b"X-Content-Type-Options", b"nosniff"))
    policy = settings.SECURE_REFERRER_POLICY
    if policy:
        values = [v.strip() for v in policy.split(",")] if isinstance(policy, str) else policy
        headers.append((b"Referrer-Policy", ",".join(values).encode()))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append((b"Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY.encode()))
    return tuple(headers)


@dataclass(frozen=True)
class Request:
    """The parts of an HTTP request the fast path reads, as Django would see them."""

    account_sid: str
    flow_sid: str
    full_path: str  # ``request.get_full_path()``
    post: QueryDict
    params: dict[str, Any]  # ``executions.inbound.requests.merged_params``, as the view computes them
    signature: str
    key: str  # MessageSid (or SmsSid)
    contact: str
    channel: str


READ_HEADERS = frozenset(
    {b"host", b"x-forwarded-host", b"content-type", b"content-length", b"x-twilio-signature"}
)


@per_settings
def _proxy_ssl_header() -> tuple[bytes, str] | None:
    """``SECURE_PROXY_SSL_HEADER`` as the ASGI header name it reads, and the value meaning HTTPS."""
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if not proxy:
        return None
    name, secure_value = proxy
    return name.lower().removeprefix("http_").replace("_", "-").encode(), secure_value


@per_settings
def ssl_redirect() -> bool:
    return bool(settings.SECURE_SSL_REDIRECT)


def is_secure(scope: Scope) -> bool:
    """``request.is_secure()``: the proxy's header when one is configured and sent, else the scheme."""
    proxy = _proxy_ssl_header()
    if proxy is not None:
        wanted, secure_value = proxy
        values = [value.decode("latin1") for key, value in scope["headers"] if key == wanted]
        if values:
            return ",".join(values).split(",", 1)[0].strip() == secure_value
    return scope.get("scheme") == "https"


def _headers(scope: Scope) -> dict[bytes, str] | None:
    """The headers this path reads, or None for anything Django might treat differently: a cookie
    (the CSRF middleware may answer with a new one), one of them repeated (Django joins them)."""
    out: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name in READ_HEADERS:
            if name in out:
                return None
            out[name] = value.decode("latin1")
        elif name == b"cookie":
            return None
    return out


@per_settings
def _host_settings() -> tuple[bool, list[str], str]:
    """What ``request.get_host()`` checks: ``USE_X_FORWARDED_HOST``, the allowed hosts (Django's
    defaults under DEBUG), and the Functions domain."""
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    functions = str(getattr(settings, "SERVERLESS", {}).get("FUNCTIONS_DOMAIN") or "").strip(".").lower()
    return bool(settings.USE_X_FORWARDED_HOST), allowed, functions


def _host_allowed(headers: dict[bytes, str]) -> bool:
    """``request.get_host()`` succeeds (else CommonMiddleware answers 400)."""
    forwarded, allowed, functions = _host_settings()
    host = headers.get(b"host")
    if forwarded and b"x-forwarded-host" in headers:
        host = headers[b"x-forwarded-host"]
    if host is None:
        return False  # Django rebuilds it from the server's name: leave that to Django
    domain, _port = split_domain_port(host)
    if functions and domain.endswith("." + functions):
        return False  # a function's host: FunctionsHostMiddleware answers it, whatever the path
    return bool(domain) and validate_host(domain, allowed)


def _form(headers: dict[bytes, str]) -> bool:
    content_type, options = parse_header_parameters(headers.get(b"content-type", ""))
    charset = str(options.get("charset", "utf-8")).lower()
    return content_type == FORM and set(options) <= {"charset"} and charset == "utf-8"


def _body_limit() -> int:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return 2_621_440 if limit is None else limit  # no limit in Django: larger bodies go to Django


def parse(scope: Scope, match: re.Match[str], headers: dict[bytes, str], body: bytes) -> Request | None:
    """The request if it is an inbound message this path records, else None."""
    if not _form(headers) or not _host_allowed(headers):
        return None
    try:
        query = scope.get("query_string", b"").decode()
        post = QueryDict(body, encoding="utf-8")  # request.POST, parsed by Django's own class
        get = QueryDict(query) if query else None
    except (UnicodeDecodeError, ValueError):  # Django answers 400 (TooManyFieldsSent is a ValueError too)
        return None
    if any(len(values) > 1 for _key, values in post.lists()):
        return None
    params = merged_params(post, get)
    key = event_key(params)  # a CallSid key is not one of ours: voice is refused just below
    contact, channel = message_pair(params)
    if (
        not key
        or "FlowEvent" in params
        or "CallSid" in params
        or len(key) > MAX_KEY
        or max(len(contact), len(channel)) > MAX_ADDRESS
        or any("\x00" in k or "\x00" in str(v) for k, v in params.items())  # PostgreSQL refuses NUL
        or (get is not None and any("\x00" in k or "\x00" in "".join(v) for k, v in get.lists()))
    ):
        return None
    return Request(
        account_sid=match[1],
        flow_sid=match[2],
        full_path=scope["path"] + ("?" + iri_to_uri(query) if query else ""),
        post=post,
        params=params,
        signature=headers.get(b"x-twilio-signature", ""),
        key=key,
        contact=contact,
        channel=channel,
    )


def is_call(body: bytes) -> bool:
    """A form carrying ``CallSid`` as a key, which ``parse`` refuses: a call's turn (voice,
    ``executions.inbound.call_path``), told apart without parsing the form. A key spelt with
    escapes is not seen here; ``parse`` then refuses it as before."""
    return body.startswith(b"CallSid=") or b"&CallSid=" in body


@dataclass(frozen=True)
class Found:
    flow_id: int
    auth_token: str | None  # None: the account is not active
    expires: float


class Pool:
    """A few lazily opened autocommit connections; one that failed is closed, not reused."""

    def __init__(self, params: dict[str, Any], size: int) -> None:
        self.params = params
        self.idle: list[psycopg.AsyncConnection[Any]] = []
        self.slots = asyncio.Semaphore(size)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        async with self.slots:
            conn = self.idle.pop() if self.idle else await psycopg.AsyncConnection.connect(**self.params)
            try:
                yield conn
            except BaseException:
                await conn.close()
                raise
            if conn.closed or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                await conn.close()
            else:
                self.idle.append(conn)

    async def close(self) -> None:
        while self.idle:
            await self.idle.pop().close()


def connection_params() -> dict[str, Any]:
    """Django's own connection parameters (NAME, USER, …, OPTIONS), for a psycopg connection."""
    params = connections["default"].get_connection_params()
    for django_only in ("cursor_factory", "context"):
        params.pop(django_only, None)
    return {**params, "autocommit": True}


class Resources:
    """Connections of one process and one event loop (uvicorn workers are separate processes)."""

    def __init__(self) -> None:
        import redis.asyncio  # on use: the fast path runs only with REDIS_URL

        self.pid = os.getpid()
        self.loop = asyncio.get_running_loop()
        self.pool = Pool(connection_params(), POOL_SIZE)
        self.redis = redis.asyncio.Redis.from_url(
            settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5
        )
        self.inserts = GroupedInserts(self.pool, self.redis)

    def current(self) -> bool:
        return self.pid == os.getpid() and self.loop is asyncio.get_running_loop()

    async def close(self) -> None:
        await self.pool.close()
        await self.redis.aclose()


class FlowWebhookFastPath:
    """ASGI middleware: the inbound-message webhook here, every other request to ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.found: dict[tuple[str, str], Found] = {}
        self.resources: Resources | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = PATH.fullmatch(scope["path"]) if scope["type"] == "http" else None
        # Celery's eager mode is read after the body says it is a message: the read costs more
        # than the rest of these checks (~50 µs), and a call's turns all come this way first.
        if match is None or scope["method"] != "POST" or scope.get("root_path") or not _settings_mirrored():
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        length = headers.get(b"content-length", "").strip() if headers is not None else ""
        limit = _body_limit()
        if headers is None or not (length.isascii() and length.isdigit()) or int(length) > limit:
            await self.app(scope, receive, send)
            return
        secure = is_secure(scope)
        if ssl_redirect() and not secure:
            await self.app(scope, receive, send)  # Django redirects to HTTPS
            return
        started = monotonic()
        messages, body = await read_body(receive, limit)
        message = body is not None and not is_call(body) and not app.conf.task_always_eager
        request = parse(scope, match, headers, body) if body is not None and message else None
        if request is None or not await self.record(request):
            await self.app(scope, replay(messages, receive), send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": answer_headers(secure)})
        await send({"type": "http.response.body", "body": BODY, "more_body": False})
        metrics.observe(WEBHOOK_HISTOGRAM, monotonic() - started, route="flow-webhook")

    async def record(self, request: Request) -> bool:
        """True when the event is recorded (now or before) and the answer is ``<Response/>``;
        False to let Django answer (a failure included: Django then records or refuses it)."""
        try:
            resources = self._resources()
            found = await self.lookup(resources, request.account_sid, request.flow_sid)
            if found is None or found.auth_token is None or not request.signature:
                return False
            if not signature_valid(found.auth_token, request.full_path, request.post, request.signature):
                return False
            if limits.webhook_wait(request.account_sid) is not None:
                return False  # Django answers the 429 (counted there too: still over the rate)
            row = (found.flow_id, request.key, request.contact, request.channel, Jsonb(request.params))
            # With the rows of concurrent requests, in one INSERT; committed before this
            # returns, and the drain kicked (executions.inbound.grouped_insert).
            await resources.inserts.record(row)
            return True
        except Exception:
            # After a committed insert Django finds a duplicate and answers 200 without a kick;
            # the sweeper's rescue() drains events left pending.
            log.exception("inbound webhook fast path failed; Django answers instead")
            return False

    async def lookup(self, resources: Resources, account_sid: str, flow_sid: str) -> Found | None:
        now = monotonic()
        found = self.found.get((account_sid, flow_sid))
        if found is not None and found.expires > now:
            return found
        async with resources.pool.connection() as conn:
            cursor = await conn.execute(LOOKUP, (flow_sid, account_sid))
            row = await cursor.fetchone()
        if row is None:
            self.found.pop((account_sid, flow_sid), None)
            return None  # not cached: Django answers the 404, and a new flow is seen at once
        flow_id, token, status = row
        found = Found(flow_id, token if status == Account.Status.ACTIVE else None, now + LOOKUP_TTL_SECONDS)
        self.found[(account_sid, flow_sid)] = found
        return found

    def _resources(self) -> Resources:
        if self.resources is None or not self.resources.current():
            self.resources = Resources()  # after a fork or on another loop: the old ones are not ours
        return self.resources

    async def aclose(self) -> None:
        """Close this process's connections (tests; servers just exit)."""
        if self.resources is not None and self.resources.current():
            await self.resources.close()
        self.resources = None


async def read_body(receive: Receive, limit: int) -> tuple[list[Message], bytes | None]:
    """The messages received and the body, or None for the body when it is not all here
    (larger than ``limit``, or the client went away)."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        size += len(message.get("body", b""))
        if size > limit:
            return messages, None
        if not message.get("more_body", False):
            return messages, b"".join(m.get("body", b"") for m in messages)


def replay(messages: list[Message], receive: Receive) -> Receive:
    """``receive`` for the next app: what was read already, then the rest from the client."""
    pending = list(messages)

    async def receive_again() -> Message:
        return pending.pop(0) if pending else await receive()

    return receive_again
