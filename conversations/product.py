"""Which Twilio product a request is for, where two share a path here.

At Twilio, Conversations (conversations.twilio.com) and Serverless (serverless.twilio.com) both
serve ``/v1/Services``; here one host serves both, and ``/v1/Services/{sid}`` is told apart by
its SID (``IS…`` or ``ZS…``). The list (``GET /v1/Services``) cannot be, so a client says which
product it means in one of two ways, and is then answered as that product's host would:

- a path prefix: ``/conversations/v1/…`` or ``/serverless/v1/…`` (the official clients take a
  base URL with a path: ``client.conversations.base_url = "https://studio.example.com/conversations"``);
- a host named after the product: ``conversations.…`` or ``serverless.…`` (a proxy in front).

Without either, ``GET /v1/Services`` is Serverless's, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

PRODUCTS = ("conversations", "serverless")


def product_of(request: Any) -> str:
    """``conversations``, ``serverless`` or ``""`` (not said)."""
    return str(getattr(request, "twilio_product", ""))


def path_prefix(request: Any) -> str:
    """The product prefix the request came with (``/conversations``), for the URLs it is given."""
    return str(getattr(request, "product_prefix", ""))


class ProductPrefixMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for product in PRODUCTS:
            prefix = f"/{product}"
            if request.path_info.startswith(f"{prefix}/v1/"):
                # Resolved without the prefix; request.path keeps it.
                request.path_info = request.path_info[len(prefix) :]
                request.twilio_product = product  # type: ignore[attr-defined]
                request.product_prefix = prefix  # type: ignore[attr-defined]
                break
        else:
            host = str(request.META.get("HTTP_HOST", "")).split(":")[0]
            first = host.split(".", 1)[0].lower()
            if first in PRODUCTS and "." in host:
                request.twilio_product = first  # type: ignore[attr-defined]
        return self.get_response(request)
