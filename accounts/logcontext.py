"""Structured logs: the sids a log line is about, and one JSON object per line.

Whoever knows what a line is about says so once, in a context: the request middleware (the
request's own ``RQ…`` sid and the account of the URL) and the engine when it runs an execution
(its ``FN…``, ``FW…`` and ``AC…`` sids). ``ContextFilter`` copies the current context onto every
record; ``JsonFormatter`` writes a record as one JSON object. ``settings.LOGGING`` picks JSON or
text by ``LOG_FORMAT`` (``config.settings``): JSON is the production default, text the developer's.

The context lives in ``contextvars``: per thread and per asyncio task, copied into
``sync_to_async`` threads, so concurrent requests never see each other's sids.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, HttpResponse

from accounts import metrics
from accounts.sids import new_sid

FIELDS = ("request_sid", "account_sid", "flow_sid", "execution_sid")

_context: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "studio_log_context", default=None
)


def current() -> dict[str, str]:
    return dict(_context.get() or {})


@contextmanager
def bound(**sids: str | None) -> Iterator[None]:
    """Within the block, log lines carry these sids (added to those already bound)."""
    merged = {**(_context.get() or {}), **{k: v for k, v in sids.items() if v}}
    token = _context.set(merged)
    try:
        yield
    finally:
        _context.reset(token)


class ContextFilter(logging.Filter):
    """Puts the bound sids on each record (``record.execution_sid`` …; "" when unknown)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get() or {}
        for name in FIELDS:
            if not hasattr(record, name):
                setattr(record, name, context.get(name, ""))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the known sids, the exception."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, "")
            if value:
                body[name] = value
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body, default=str, ensure_ascii=False)


def logging_config(fmt: str, level: str) -> dict[str, Any]:
    """``settings.LOGGING`` for ``fmt`` "json" or "text"."""
    text = "%(asctime)s %(levelname)s %(name)s [%(request_sid)s %(execution_sid)s] %(message)s"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"sids": {"()": "accounts.logcontext.ContextFilter"}},
        "formatters": {
            "json": {"()": "accounts.logcontext.JsonFormatter"},
            "text": {"format": text},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["sids"],
                "formatter": "json" if fmt == "json" else "text",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        # Without a handler of its own: Django's console handler (debug mode) would print its
        # lines a second time, as text; they reach the root's once.
        "loggers": {"django": {"handlers": [], "level": level, "propagate": True}},
    }


WEBHOOK_PREFIX = "/v1/Accounts/"  # the flow webhook, execution callbacks, message status
WEBHOOK_HISTOGRAM = "studio_webhook_duration_seconds"
# An ASGI scope key: the request sid given by an entry point in front of Django (a call's turns,
# executions.inbound.call_path) that hands the request to Django after all; its lines keep it.
REQUEST_SID_SCOPE = "studio.request_sid"


class RequestContextMiddleware:
    """Binds a request sid (``RQ…``) and the URL's account sid for the request's log lines, and
    times webhook answers (``accounts.metrics``, by route name). A view that meets the database
    down answers 503 in Twilio's shape with ``Retry-After`` (``accounts.errors.service_unavailable``),
    not a 500: clients and Twilio retry, and the readiness probe takes the process out meanwhile.

    It adds no response header: the inbound fast path (executions.inbound.fast_path) answers
    exactly as Django's middleware does, and this one changes nothing there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sid = getattr(request, "scope", {}).get(REQUEST_SID_SCOPE) or new_sid("RQ")
        started = time.monotonic()
        with bound(request_sid=sid):
            request.studio_request_sid = sid  # type: ignore[attr-defined]
            response = self.get_response(request)
        match = request.resolver_match
        if match is not None and request.path.startswith(WEBHOOK_PREFIX):
            metrics.observe(WEBHOOK_HISTOGRAM, time.monotonic() - started, route=match.url_name or "other")
        return response

    def process_view(
        self, request: HttpRequest, view: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        account = kwargs.get("account_sid")
        if isinstance(account, str) and account.startswith("AC"):
            # Within __call__'s context: read back by every line the view logs.
            _context.set({**(_context.get() or {}), "account_sid": account})
        flow = kwargs.get("flow_sid")
        if isinstance(flow, str) and flow.startswith("FW"):
            _context.set({**(_context.get() or {}), "flow_sid": flow})

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Late: this module is loaded with the logging configuration, before the apps.
        from accounts.errors import database_unavailable, service_unavailable

        if not database_unavailable(exception):
            return None  # Django's handling: the 500 page, logged
        logging.getLogger("django.request").error(
            "database unavailable: %s %s: %r", request.method, request.path, exception
        )
        return service_unavailable()
