"""No transaction stays open while the engine waits on the network.

A widget that needs the network (Make HTTP Request, Run Function, TwiML Redirect's messaging
branch) asks ``DbServices.http_request``/``invoke_function``. Inside a transaction the services
do not make the request: they raise ``NetworkDeferred`` and the runner parks the widget like a
zero-length wait ("awaiting network": a token, and a timer as a safety net). The run is saved,
the caller commits, and ``settle`` (an on_commit effect of ``Writes.flush``) makes the request
with no transaction open, then locks the execution again and delivers the answer: the widget
runs again from its start, its earlier requests answered in order from the wait's data.

If the process dies between the commit and the delivery, the safety timer fires (the sweeper)
and the widget gets a timeout answer, so nobody waits forever and no request is sent twice.
Voice turns gather the TwiML of the continuation with ``collect()`` to answer the same call.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connection

from accounts.signing import twilio_signature
from executions.backends import http_client
from executions.engine.ports import FunctionResult, ports
from studio.conf import studio_settings
from studio.widgets.runtime import HttpError, HttpResponse

log = logging.getLogger(__name__)

KEY = "network"  # wait_state["data"][KEY] = {"request": …, "answers": […]}
MAX_ROUND_TRIPS = 32  # requests one widget run may make (TwiML Redirect follows 10 documents)


def grace_seconds() -> float:
    """The safety timer of a parked widget: well past the client's own deadline."""
    return float(studio_settings.HTTP_TIMEOUT_SECONDS) * 3 + 30


@dataclass
class Parked:
    """A widget parked on the network, to be settled after commit."""

    execution: Any  # Execution (its pk is known once the run's rows are flushed)
    token: str
    request: dict[str, Any]


def in_transaction() -> bool:
    """A real transaction is open on this thread's connection. The atomic blocks a Django
    TestCase wraps around a test never commit: under them the request is made in place."""
    if not connection.in_atomic_block:
        return False
    return not all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks[:1])


# -- answers: plain JSON, kept in the wait's data ------------------------------------------


def response_answer(response: HttpResponse | None) -> dict[str, Any]:
    if response is None:
        return {"none": True}
    return {
        "response": {
            "status_code": response.status_code,
            "content_type": response.content_type,
            "body": response.body,
            "headers": dict(response.headers),
            "url": response.url,
        }
    }


def error_answer(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"kind": kind, "message": message}}


def replay(answer: dict[str, Any]) -> HttpResponse | None:
    """What the widget's request returns (or raises) on its next run."""
    if "error" in answer:
        raise HttpError(str(answer["error"].get("kind")), str(answer["error"].get("message")))
    if answer.get("none"):
        return None
    data = answer["response"]
    return HttpResponse(
        status_code=int(data["status_code"]),
        content_type=str(data.get("content_type") or ""),
        body=str(data.get("body") or ""),
        headers={str(k): str(v) for k, v in (data.get("headers") or {}).items()},
        url=str(data.get("url") or ""),
    )


# -- making the request, outside any transaction ---------------------------------------------


def perform(account: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Make a parked request (no transaction may be open) and return its answer."""
    if connection.in_atomic_block and in_transaction():
        raise RuntimeError("a network request was about to be made inside a transaction")
    try:
        if request.get("op") == "function":
            return response_answer(_invoke(account, request))
        return response_answer(_http(account, request))
    except HttpError as exc:
        return error_answer(exc.kind, exc.message)


def _http(account: Any, request: dict[str, Any]) -> HttpResponse:
    headers = dict(request.get("headers") or {})
    params = _pairs(request.get("params"))
    form = _pairs(request.get("form"))
    token = str(account.auth_token or "")
    if request.get("signed") and token:
        target = http_client._with_params(str(request["url"]), params)
        headers["X-Twilio-Signature"] = twilio_signature(token, target, list(form or []))
    auth: tuple[str, str] | None = None
    if request.get("account_auth"):
        auth = (str(account.sid), token)
    return http_client.request(
        str(request["method"]),
        str(request["url"]),
        params=params,
        form=form,
        content=request.get("content"),
        content_type=request.get("content_type"),
        headers=headers,
        auth=auth,
    )


def _invoke(account: Any, request: dict[str, Any]) -> HttpResponse | None:
    host = ports().function_host()
    if host is None:
        return None
    result = host.invoke(
        account,
        str(request["function_sid"]),
        _pairs(request.get("parameters")) or [],
        {},
        str(request.get("environment_sid") or ""),
    )
    return None if result is None else function_response(result)


def function_response(result: FunctionResult) -> HttpResponse:
    headers = {name.lower(): value for name, value in result.headers}
    if not isinstance(result.body, bytes | bytearray):
        raise HttpError("network", "the function answered no body")
    return HttpResponse(
        status_code=int(result.status),
        content_type=headers.get("content-type", ""),
        body=bytes(result.body).decode("utf-8", errors="replace"),
        headers=headers,
    )


def _pairs(value: Any) -> list[tuple[str, str]] | None:
    if value is None:
        return None
    return [(str(k), str(v)) for k, v in value]


# -- settling: perform, re-lock, deliver, until nothing is parked ------------------------------

_queue: ContextVar[list[Parked] | None] = ContextVar("studio_network_queue", default=None)
_twiml: ContextVar[list[str] | None] = ContextVar("studio_network_twiml", default=None)
_detached: ContextVar[bool] = ContextVar("studio_network_detached", default=False)
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


@contextmanager
def detached(enabled: bool = True) -> Iterator[None]:
    """Within the block, parked requests are settled on a small thread pool instead of the
    committing thread: a drainer (the embedded one, a Celery worker) goes on with the next
    batch, so one account's slow peer never delays another account's messages."""
    token = _detached.set(enabled)
    try:
        yield
    finally:
        _detached.reset(token)


def _settle_in_pool(items: list[Parked]) -> None:
    try:
        settle(items)
    finally:
        connection.close()  # the pool thread's own connection


def _submit(items: list[Parked]) -> None:
    global _pool
    with _pool_lock:
        if _pool is None:
            workers = max(1, int(studio_settings.NETWORK_WORKERS))
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="studio-network")
    for item in items:  # one execution per task: a slow peer holds one thread only
        _pool.submit(_settle_in_pool, [item])


def after_commit(items: list[Parked]) -> None:
    """The on_commit effect ``Writes.flush`` registers: settle the parked requests, or hand them
    to the settle loop already running on this thread (a continuation parked again)."""
    queue = _queue.get()
    if queue is not None:
        queue.extend(items)
    elif _detached.get() and _twiml.get() is None:
        _submit(items)
    else:
        settle(items)


@contextmanager
def collect() -> Iterator[list[str]]:
    """Gather the TwiML of runs continued after commit (a voice turn answers with it)."""
    verbs: list[str] = []
    token = _twiml.set(verbs)
    try:
        yield verbs
    finally:
        _twiml.reset(token)


# How a parked execution goes on with its answer: installed by ``engine.store`` (lock the
# execution, deliver the answer, save; returns the run's TwiML). Handed in, not imported: the
# store imports this module.
Continuation = Callable[[Parked, dict[str, Any]], list[str]]
_continuation: Continuation | None = None


def install(continuation: Continuation) -> None:
    global _continuation
    _continuation = continuation


def settle(items: list[Parked]) -> None:
    """After commit: make each parked request and continue its execution, one at a time."""
    queue = list(items)
    token = _queue.set(queue)
    try:
        while queue:
            item = queue.pop(0)
            try:
                _settle_one(item)
            except Exception:  # noqa: BLE001 - the safety timer answers it (timeout)
                log.exception("continuing execution %s after a network request failed", item.execution.pk)
    finally:
        _queue.reset(token)


def _settle_one(item: Parked) -> None:
    answer = perform(item.execution.account, item.request)
    if _continuation is None:
        raise RuntimeError("no continuation installed (executions.engine.store is not loaded)")
    twiml = _continuation(item, answer)
    sink = _twiml.get()
    if sink is not None:
        sink.extend(twiml)
