"""Voice turns through Django in one thread hop instead of one per middleware.

Under ASGI, Django runs each of the project's sync middlewares (``MiddlewareMixin``) through its
own ``sync_to_async`` on the way in and again on the way out: about fifteen thread hops per
request, several milliseconds of CPU, before a voice turn's view even starts — while the caller
hears silence. Here the flow webhook and the execution callbacks (every request Twilio makes
during a call) go through Django's ASGI handler with its middleware chain loaded in *sync* mode
and run as a whole in a single hop, like WSGI does. Same middleware, same views, same answers
and headers; only the thread hopping differs. Every other path keeps Django's own ASGI handler.
"""

from __future__ import annotations

import re
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase

# The requests of a call: the flow webhook (incoming call, status callbacks, also the messaging
# webhook's rare cases that reach Django) and the action/redirect URLs of waiting widgets.
VOICE_PATH = re.compile(
    r"/v1/Accounts/AC[0-9a-f]{32}/Flows/FW[0-9a-f]{32}(?:/Executions/FN[0-9a-f]{32}/Callback)?"
)


class OneHopHandler(ASGIHandler):
    """Django's ASGI handler whose middleware chain is synchronous and runs in one thread hop."""

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        # thread_sensitive: the same thread Django would use for sync code in this request (the
        # serve command's persistent threads, each with its database connection).
        response: HttpResponseBase = await sync_to_async(self.get_response, thread_sensitive=True)(request)
        return response


class VoiceRoutes:
    """ASGI: voice paths to ``OneHopHandler``, everything else to the wrapped Django app."""

    def __init__(self, django_app: Any) -> None:
        self.django_app = django_app
        self.one_hop = OneHopHandler()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and VOICE_PATH.fullmatch(scope.get("path", "")):
            await self.one_hop(scope, receive, send)
        else:
            await self.django_app(scope, receive, send)
