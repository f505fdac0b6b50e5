"""Twilio's paging envelope: ``{KEY: [...], "meta": {page, page_size, first_page_url, ...}}``.

``PageToken`` is opaque to clients; here it encodes the position after the last item of the
previous page (a keyset over the queryset's ordering on ``(date_created, id)``), so pages stay
stable while rows are added.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q, QuerySet

from accounts.errors import TwilioAPIError
from accounts.input_guards import int_value

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


def _int_param(params: Any, name: str, default: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        return int_value(raw, name)
    except TwilioAPIError:
        raise TwilioAPIError(400, 20001, f"Invalid parameter {name}") from None


def encode_token(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any]:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(data, dict):
            raise ValueError
        return data
    except (ValueError, UnicodeDecodeError):
        raise TwilioAPIError(400, 20001, "Invalid parameter PageToken") from None


def paginate(
    request: Any,
    queryset: QuerySet[Any],
    key: str,
    serialize: Callable[[Any], dict[str, Any]],
    *,
    path: str,
    newest_first: bool = False,
    base_url: str | None = None,
    extra_params: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Page through ``queryset`` ordered by (date_created, id), oldest or newest first."""
    params = request.query_params if hasattr(request, "query_params") else request.GET
    page_size = min(max(_int_param(params, "PageSize", DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE)
    page = _int_param(params, "Page", 0)
    token = params.get("PageToken")
    order = ("-date_created", "-id") if newest_first else ("date_created", "id")
    qs = queryset.order_by(*order)
    if token:
        after = decode_token(token)
        pk = after.get("id")
        if not isinstance(pk, int):
            raise TwilioAPIError(400, 20001, "Invalid parameter PageToken")
        anchor = queryset.model.objects.filter(pk=pk).values("date_created").first()
        if anchor is not None:
            dc = anchor["date_created"]
            if newest_first:
                qs = qs.filter(Q(date_created__lt=dc) | Q(date_created=dc, id__lt=pk))
            else:
                qs = qs.filter(Q(date_created__gt=dc) | Q(date_created=dc, id__gt=pk))
        else:
            qs = qs.filter(id__lt=pk) if newest_first else qs.filter(id__gt=pk)
    elif page:
        qs = qs[page * page_size :]  # type: ignore[assignment]
    rows = list(qs[: page_size + 1])
    has_more = len(rows) > page_size
    rows = rows[:page_size]

    # A request that came with a product prefix (/conversations/v1/…, conversations.product) is
    # given page URLs with it, so that a client's next page goes to the same product.
    origin = (base_url or settings.PUBLIC_BASE_URL).rstrip("/") + str(getattr(request, "product_prefix", ""))
    extra = {k: v for k, v in (extra_params or {}).items() if v not in (None, "")}

    def url_for(page_no: int, page_token: str | None = None) -> str:
        query = {**extra, "PageSize": page_size, "Page": page_no}
        if page_token:
            query["PageToken"] = page_token
        return f"{origin}{path}?{urlencode(query)}"

    next_url = url_for(page + 1, encode_token({"id": rows[-1].pk})) if has_more and rows else None
    prev_url = url_for(page - 1) if page > 0 else None
    return {
        key: [serialize(row) for row in rows],
        "meta": {
            "page": page,
            "page_size": page_size,
            "first_page_url": url_for(0),
            "previous_page_url": prev_url,
            "url": url_for(page, token),
            "next_page_url": next_url,
            "key": key,
        },
    }
