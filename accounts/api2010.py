"""Shared pieces of the 2010-04-01 REST API (Messages.json, Calls.json, Keys.json): the account
in the path, integer parameters, RFC 2822 dates, and that API's paging envelope (``page``,
``uri``, ``next_page_uri``…)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from rest_framework.request import Request

from accounts.auth import request_account
from accounts.errors import TwilioAPIError, not_found
from accounts.input_guards import MAX_INT, int_value

API = "/2010-04-01"


def rfc2822(value: dt.datetime | None) -> str | None:
    return format_datetime(value.astimezone(dt.UTC)) if value else None


def path_account(request: Request, account_sid: str, resource: str) -> Any:
    """The caller's account, which must be the one named in the path (another's answers 404)."""
    account = request_account(request)
    if account.sid != account_sid:
        raise not_found(f"The requested resource {API}/Accounts/{account_sid}/{resource} was not found")
    return account


def int_param(params: Any, name: str, default: int) -> int:
    raw = params.get(name, default)
    try:
        return max(int_value(raw, name, minimum=-MAX_INT), 0)
    except TwilioAPIError:
        raise TwilioAPIError(400, 20001, f"Invalid parameter {name}") from None


def page_of(
    params: Any,
    qs: QuerySet[Any],
    *,
    key: str,
    base: str,
    filters: dict[str, str],
    serialize: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """One page of ``qs`` (newest first) in the 2010 API's envelope."""
    page_size = min(max(int_param(params, "PageSize", 50), 1), 1000)
    page = int_param(params, "Page", 0)
    rows = list(qs.order_by("-date_created", "-id")[page * page_size : (page + 1) * page_size + 1])
    has_more = len(rows) > page_size
    rows = rows[:page_size]

    def uri(page_no: int) -> str:
        return f"{base}?{urlencode({**filters, 'PageSize': page_size, 'Page': page_no})}"

    start = page * page_size
    return {
        key: [serialize(row) for row in rows],
        "end": start + max(len(rows) - 1, 0),
        "first_page_uri": uri(0),
        "next_page_uri": uri(page + 1) if has_more else None,
        "page": page,
        "page_size": page_size,
        "previous_page_uri": uri(page - 1) if page > 0 else None,
        "start": start,
        "uri": uri(page),
    }
