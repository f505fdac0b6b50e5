"""The database down anywhere in a request answers the same 503 in Twilio's shape (20503,
``Retry-After``), in debug mode as in production mode: in a view, and in a middleware too (the
Functions host gateway runs in one; a session saved on the way out; authentication).

A view's error reaches ``RequestContextMiddleware.process_exception``, which answers the 503. An
error raised in a middleware does not: Django turns it into a response where it was raised, with
``handler500`` in production mode (``accounts.views.server_error``: the 503 too) but with its
technical page in debug mode (a traceback and the settings, and a 500 that says "bug" rather than
"retry"). Django announces each such exception with ``got_request_exception`` while handling it;
the receiver here marks the request, and ``DatabaseOutageMiddleware``, outside the others, answers
the 503 in place of the 500 given for a marked request.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponseBase

from accounts.errors import database_unavailable, service_unavailable

MARK = "studio_database_unavailable"


def note_database_unavailable(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """``got_request_exception``: sent while the exception is handled (``sys.exc_info`` holds it)."""
    if request is not None and database_unavailable(sys.exc_info()[1]):
        setattr(request, MARK, True)


got_request_exception.connect(note_database_unavailable, dispatch_uid="accounts.outage")


class DatabaseOutageMiddleware:
    """Outside every middleware that may meet the database: a 500 given for the database down is
    answered 503 in Twilio's shape. Any other response passes unchanged (no header added).

    Synchronous only, like the middlewares inside it, so that under ASGI it joins their one
    thread hop instead of adding one of its own (``MiddlewareMixin`` would, for its
    ``process_response``)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response: HttpResponseBase = self.get_response(request)
        if response.status_code == 500 and getattr(request, MARK, False):
            return service_unavailable()
        return response
