"""A call's turns without Django's request cycle: the voice counterpart of ``fast_path``.

Every request Twilio makes during a call (the incoming call and its status callbacks on the
flow webhook, Gather actions and ``<Redirect>`` s on an execution's callback URL) is answered
while the caller hears silence. Through Django each paid for the request cycle itself: an
``HttpRequest``, the ten middlewares, URL resolution, the ``request_started``/``request_finished``
signals and their thread hops, and a ``SELECT 1`` health check of the connection; together more
CPU than the turn's own work. Here the common case is read on the event loop (the checks of
``fast_path``: Host, form body, no cookie, no repeated header or key) and the turn runs in one
thread hop with the very functions the views use (``executions.inbound.webhook``,
``executions.voice.turns``, ``executions.engine.store``); the answer carries the headers the
middleware would add (``fast_path.answer_headers``), and what ``RequestContextMiddleware`` gives
a request is given here too: a request sid (``RQ…``) and the URL's account and flow sids on its
log lines, and its answer time in the webhook histogram (no statement, no round trip).

What this path leaves to Django (the body replayed), so that every answer stays Django's:
anything but POST, other content types, a cookie, a repeated key or header, a large body, a bad
Host, ``FlowEvent``, a messaging request (``MessageSid``), and, decided in the thread before
anything is written: an unknown flow or execution, an inactive account, a missing or wrong
signature, an account over its webhook rate (all answered by the Django views with their
4xx). An exception while the turn runs is answered by Django's own exception handling and
middleware (``ErrorAnswer``): the request is not run twice.

The connection: Django checks it (``CONN_HEALTH_CHECKS``) at the first query of every request.
Here a connection this thread used without error in the last ``TRUSTED_SECONDS`` is trusted;
otherwise (idle, or after an error) it gets Django's check, which also closes it when it is past
``CONN_MAX_AGE``.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import re
import threading
from concurrent.futures import Executor
from dataclasses import dataclass
from time import monotonic
from typing import Any
from urllib.parse import unquote

from asgiref.sync import SyncToAsync, ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponseBase, QueryDict
from django.utils.encoding import iri_to_uri

from accounts import limits, metrics
from accounts.logcontext import REQUEST_SID_SCOPE, WEBHOOK_HISTOGRAM, bound
from accounts.sids import new_sid
from executions.inbound import owners
from executions.inbound.fast_path import (
    EXPECTED_MIDDLEWARE,
    Receive,
    Scope,
    Send,
    _body_limit,
    _form,
    _headers,
    _host_allowed,
    answer_headers,
    is_secure,
    per_settings,
    read_body,
    replay,
    ssl_redirect,
)
from executions.inbound.requests import merged_params, signature_valid
from executions.voice import behind, hot, hot_turn, turns
from executions.voice.asgi import OneHopHandler
from studio.widgets.runtime import Inbound

FLOW_PATH = re.compile(r"/v1/Accounts/(AC[0-9a-f]{32})/Flows/(FW[0-9a-f]{32})")
CALLBACK_PATH = re.compile(
    r"/v1/Accounts/(AC[0-9a-f]{32})/Flows/(FW[0-9a-f]{32})/Executions/(FN[0-9a-f]{32})/Callback"
)
# A connection used without error this recently is not checked again (a busy IVR uses each
# thread's connection many times a second); an idle one gets Django's health check.
TRUSTED_SECONDS = 1.0
SCOPE_ERROR = "studio.call_path.error"
# ``serve``'s persistent thread of this request (``PersistentThreads`` puts it in the scope).
EXECUTOR_SCOPE = "studio.executor"


@per_settings
def enabled() -> bool:
    """Whether this process's setup is one this path mirrors (the middleware whose headers
    ``answer_headers`` adds, no script prefix, no user-agent or www rules); worked out once per
    settings object."""
    return (
        list(settings.MIDDLEWARE) == EXPECTED_MIDDLEWARE
        and not settings.FORCE_SCRIPT_NAME
        and not settings.PREPEND_WWW
        and not settings.DISALLOWED_USER_AGENTS
    )


@dataclass(frozen=True)
class Turn:
    """A call's request as the views read it."""

    account_sid: str
    flow_sid: str
    execution_sid: str  # "" on the flow webhook
    full_path: str  # ``request.get_full_path()``
    post: dict[str, str]  # ``request.POST`` (no key repeated)
    params: dict[str, Any]  # ``webhook._params(request)``
    signature: str


@per_settings
def _max_fields() -> int | None:
    limit: int | None = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    return limit


def form_fields(body: bytes) -> dict[str, str] | None:
    """``request.POST`` of a UTF-8 form as Django's ``QueryDict`` parses it (blank values kept,
    at most ``DATA_UPLOAD_MAX_NUMBER_FIELDS``), without its per-key lists; None for what this
    path leaves to Django: another encoding, too many fields, a repeated key."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:  # Django: latin-1 fallback
        return None
    limit = _max_fields()
    if limit is not None and text and 1 + text.count("&") > limit:
        return None  # Django: TooManyFieldsSent
    fields: dict[str, str] = {}
    pairs = 0
    # ``parse_qsl(text, keep_blank_values=True)`` field by field, without its calls for names
    # and values that need no decoding (most of a call's: sids, statuses, digits).
    for field in text.split("&"):
        if not field:
            continue
        name, _, value = field.partition("=")
        if "+" in name:
            name = name.replace("+", " ")
        if "%" in name:
            name = unquote(name, "utf-8", "replace")
        if "+" in value:
            value = value.replace("+", " ")
        if "%" in value:
            value = unquote(value, "utf-8", "replace")
        fields[name] = value
        pairs += 1
    return fields if len(fields) == pairs else None


def parse(scope: Scope, headers: dict[bytes, str], body: bytes) -> Turn | None:
    """The request if it is a call's turn this path answers, else None (Django answers it)."""
    path = scope["path"]
    flow = FLOW_PATH.fullmatch(path)
    callback = None if flow else CALLBACK_PATH.fullmatch(path)
    match = flow or callback
    if match is None or not _form(headers) or not _host_allowed(headers):
        return None
    signature = headers.get(b"x-twilio-signature", "")
    if not signature:
        return None  # Django answers the 401
    post = form_fields(body)
    if post is None:
        return None
    try:
        query = scope.get("query_string", b"").decode()
        get = QueryDict(query) if query else None
    except (UnicodeDecodeError, ValueError):
        return None
    params = merged_params(post, get)
    if flow is not None and (not params.get("CallSid") or params.get("MessageSid") or "FlowEvent" in params):
        return None  # messaging, FlowEvent: the Django view's other branches
    return Turn(
        account_sid=match[1],
        flow_sid=match[2],
        execution_sid=callback[3] if callback is not None else "",
        full_path=path + ("?" + iri_to_uri(query) if query else ""),
        post=post,
        params=params,
        signature=signature,
    )


# -- the turn, in a thread -------------------------------------------------------------------

_used = threading.local()


def _connection_ready() -> None:
    """Django's per-request connection upkeep, minus the check of a connection in active use."""
    connection = connections["default"]
    if monotonic() - getattr(_used, "at", -TRUSTED_SECONDS) > TRUSTED_SECONDS:
        connection.close_if_unusable_or_obsolete()  # checked at its first query (or reopened)
    elif connection.connection is not None:
        connection.health_check_done = True  # type: ignore[attr-defined]  # Django 4.1+, not in the stubs


def _connection_done() -> None:
    connection = connections["default"]
    if connection.errors_occurred or connection.connection is None:
        _used.at = -TRUSTED_SECONDS
        connection.close_if_unusable_or_obsolete()
    else:
        _used.at = monotonic()


def answer(turn: Turn) -> str | None:
    """The turn's TwiML, or None for Django to answer (nothing was written)."""
    _connection_ready()
    try:
        if turn.execution_sid:
            return _callback(turn)
        return _incoming(turn)
    finally:
        _connection_done()


def _signed(auth_token: str, turn: Turn) -> bool:
    return signature_valid(auth_token, turn.full_path, turn.post, turn.signature)


def _incoming(turn: Turn) -> str | None:
    """``webhook.flow_webhook`` for a call (``CallSid``, no ``MessageSid``, no ``FlowEvent``)."""
    flow = owners.flow(turn.account_sid, turn.flow_sid, cached=hot.enabled())
    if flow is None or not flow.account.is_active or not _signed(flow.account.auth_token, turn):
        return None
    if limits.webhook_wait(turn.account_sid) is not None:
        return None  # Django answers the 429 (counted there too: still over the rate)
    return turns.handle_call(flow, turn.params)


def _callback(turn: Turn) -> str | None:
    """``webhook.execution_callback``: the execution read with its account and flow in one
    statement, then the run saved in one statement if the row is still as read
    (``turns.play_callback``)."""
    params = dict(turn.params)
    widget = str(params.pop("Widget", "") or "") or None
    seq_text = str(params.pop("Seq", "") or "")
    seq = int(seq_text) if seq_text.isdigit() else None
    cooled = hot.enabled()
    if cooled:
        answered = _hot_callback(turn, params, widget, seq)
        if answered is not _SYNC:
            return answered  # type: ignore[return-value]  # str or None
    execution = turns.read_for_callback(turn.account_sid, turn.flow_sid, turn.execution_sid, cooled=cooled)
    if execution is None or not execution.account.is_active:
        return None
    if not _signed(execution.account.auth_token, turn):
        return None
    inbound = Inbound(kind="callback", payload=params)
    return turns.twiml_document(turns.play_callback(execution, inbound, widget=widget, seq=seq))


_SYNC = object()


def _hot_callback(turn: Turn, params: dict[str, Any], widget: str | None, seq: int | None) -> object:
    """A hot call's turn (``executions.voice.hot``): its TwiML, None for Django to answer (a bad
    signature), or ``_SYNC`` for the synchronous path (nothing written)."""
    found, queued = hot.load(turn.execution_sid)
    if found is None:
        if queued:
            behind.settle()  # a cooled call's rows still queued: the row read next must be current
        return _SYNC
    if found.account_sid != turn.account_sid or found.flow_sid != turn.flow_sid:
        return _SYNC  # the synchronous path answers what the URL deserves
    flow = owners.flow(turn.account_sid, turn.flow_sid, cached=True)
    if flow is None or not flow.account.is_active:
        return _SYNC
    if not _signed(flow.account.auth_token, turn):
        return None
    inbound = Inbound(kind="callback", payload=params)
    verbs = hot_turn.play(found, flow, inbound, widget=widget, seq=seq)
    return _SYNC if verbs is None else turns.twiml_document(verbs)


# -- ASGI ------------------------------------------------------------------------------------


def _on_thread(executor: Executor, turn: Turn) -> asyncio.Future[str | None]:
    """``answer(turn)`` on the request's persistent thread (``serve``'s ``PersistentThreads``):
    one ``run_in_executor`` with this task's context variables (the log context), instead of
    asgiref's ``sync_to_async`` around it, whose own bookkeeping (its thread-sensitive executor
    lookup, a context copied in and back, a shielded task) cost more of the event loop's CPU
    than the hop itself. What ``sync_to_async`` tells code on that thread is told too: the
    event loop it came from, so an ``async_to_sync`` there (an in-memory channel layer's
    publish) runs on this loop as it would have."""
    loop = asyncio.get_running_loop()
    return loop.run_in_executor(executor, contextvars.copy_context().run, _answer_for, loop, turn)


def _answer_for(loop: asyncio.AbstractEventLoop, turn: Turn) -> str | None:
    local = SyncToAsync.threadlocal
    local.main_event_loop = loop
    local.main_event_loop_pid = os.getpid()
    local.task_context = None  # no task to cancel with it (the turn runs to its end)
    return answer(turn)


class ErrorAnswer(OneHopHandler):
    """Django's answer to an exception this path met, as if the view had raised it: the
    middleware's ``process_exception`` first (the database down is ``RequestContextMiddleware``'s
    503 with ``Retry-After``), else Django's exception handling (log, signal, 500 page); the view
    is never run (``scope[SCOPE_ERROR]`` stands for what it raised)."""

    def _get_response(self, request: HttpRequest) -> HttpResponseBase:
        error = getattr(request, "scope", {})[SCOPE_ERROR]
        response = self.process_exception_by_middleware(error, request)
        if response is None:
            raise error
        return response


class CallPath:
    """ASGI middleware: a call's turns here, everything else to ``app``."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.errors: Any = ErrorAnswer()
        if hot.enabled():
            behind.started()  # rows queued by a process that stopped are written without waiting for a call

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith("/v1/Accounts/") or scope["method"] != "POST" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        if not (FLOW_PATH.fullmatch(path) or CALLBACK_PATH.fullmatch(path)) or not enabled():
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        length = headers.get(b"content-length", "").strip() if headers is not None else ""
        limit = _body_limit()
        secure = is_secure(scope)
        if (
            headers is None
            or not (length.isascii() and length.isdigit())
            or int(length) > limit
            or (ssl_redirect() and not secure)
        ):
            await self.app(scope, receive, send)
            return
        started = monotonic()
        messages, body = await read_body(receive, limit)
        turn = parse(scope, headers, body) if body is not None else None
        if turn is None:
            await self.app(scope, replay(messages, receive), send)
            return
        # What RequestContextMiddleware gives a request: its sid and the URL's account and flow on
        # every log line (Django reuses the sid when it answers after all), and the answer time.
        sid = new_sid("RQ")
        scope = {**scope, REQUEST_SID_SCOPE: sid}
        with bound(request_sid=sid, account_sid=turn.account_sid, flow_sid=turn.flow_sid):
            if await self._answer(turn, scope, messages, receive, send, secure):
                route = "execution-callback" if turn.execution_sid else "flow-webhook"
                metrics.observe(WEBHOOK_HISTOGRAM, monotonic() - started, route=route)

    async def _answer(
        self, turn: Turn, scope: Scope, messages: list[Any], receive: Receive, send: Send, secure: bool
    ) -> bool:
        """Answer the turn: True when answered here, False when Django did (and timed it)."""
        try:
            executor = scope.get(EXECUTOR_SCOPE)
            if executor is not None:
                document = await _on_thread(executor, turn)
            else:  # no persistent threads (``serve --threads 0``, tests): asgiref's own hop
                async with ThreadSensitiveContext():
                    document = await sync_to_async(answer, thread_sensitive=True)(turn)
        except Exception as exc:  # noqa: BLE001 - Django's handling answers it (logged there)
            await self.errors({**scope, SCOPE_ERROR: exc}, replay(messages, receive), send)
            return False
        if document is None:
            await self.app(scope, replay(messages, receive), send)
            return False
        data = document.encode()
        headers_out = [
            (name, str(len(data)).encode() if name == b"Content-Length" else value)
            for name, value in answer_headers(secure)
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers_out})
        await send({"type": "http.response.body", "body": data, "more_body": False})
        return True
