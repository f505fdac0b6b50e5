"""Request limits: per-account rates (REST API, inbound webhooks) and failed-credential counters
(console and admin sign-in, API Basic auth).

Rates are fixed windows ("N/Ts": N requests per T seconds), configured in ``settings.STUDIO``
(README "Limits"). The REST API and the failure counters count in Django's cache (Redis when
REDIS_URL is set, so every web process shares them); the inbound webhook counts in process memory
(one lock, no network round trip: it sits in front of the busiest path, ``executions.inbound.fast_path``),
so with several web processes its limit is per process.
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

DEFAULTS = {
    "API_RATE_LIMIT": "2000/10s",
    "WEBHOOK_RATE_LIMIT": "20000/10s",
    "LOGIN_FAILURES_PER_USER": "5/900s",
    "LOGIN_FAILURES_PER_ADDRESS": "20/900s",
    "API_AUTH_FAILURES_PER_ADDRESS": "30/300s",
    "PROXY_COUNT": 0,
}
RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smh])\s*$")
UNITS = {"s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate:
    """``"100/s"``, ``"2000/10s"``, ``"5/15m"``."""
    match = RATE.match(str(text))
    if match is None:
        raise ValueError(f"invalid rate {text!r}: expected N/s, N/Ts, N/m or N/h")
    return Rate(int(match[1]), int(match[2] or 1) * UNITS[match[3]])


def setting(name: str) -> Any:
    return getattr(settings, "STUDIO", {}).get(name, DEFAULTS[name])


def rate(name: str) -> Rate:
    return parse_rate(setting(name))


def _window(rate: Rate, now: float) -> tuple[int, float]:
    """The window's number and the seconds left in it."""
    number = int(now // rate.seconds)
    return number, (number + 1) * rate.seconds - now


def retry_after(wait: float) -> str:
    return str(max(1, math.ceil(wait)))


# -- shared counters (Django's cache) ---------------------------------------------------------


def _cache_key(kind: str, who: str, window: int) -> str:
    return f"studio:limit:{kind}:{who}:{window}"


def count(kind: str, who: str, limit: Rate) -> float | None:
    """Count one request; None while within ``limit``, else the seconds until it resets."""
    window, left = _window(limit, time.time())
    key = _cache_key(kind, who, window)
    if cache.add(key, 1, timeout=limit.seconds + 1):
        used = 1
    else:
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=limit.seconds + 1)
            used = 1
    return left if used > limit.count else None


def exhausted(kind: str, who: str, limit: Rate) -> float | None:
    """Seconds until the window resets when ``limit`` is used up, else None (counts nothing)."""
    window, left = _window(limit, time.time())
    used = cache.get(_cache_key(kind, who, window)) or 0
    return left if used >= limit.count else None


# -- per-process counters (the inbound webhook) -------------------------------------------------


class LocalWindows:
    """Fixed-window counters in memory, for the paths a cache round trip would slow down."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: dict[str, tuple[int, int]] = {}

    def count(self, who: str, limit: Rate) -> float | None:
        window, left = _window(limit, time.time())
        with self.lock:
            seen_window, used = self.counts.get(who, (window, 0))
            used = used + 1 if seen_window == window else 1
            if len(self.counts) > 100_000:  # old windows of many accounts: start over
                self.counts.clear()
            self.counts[who] = (window, used)
        return left if used > limit.count else None


webhooks = LocalWindows()


def webhook_wait(account_sid: str) -> float | None:
    """Count one signed inbound webhook of the account; the seconds to wait when over its rate."""
    return webhooks.count(account_sid, rate("WEBHOOK_RATE_LIMIT"))


# -- addresses ----------------------------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or behind ``PROXY_COUNT`` trusted proxies the address
    the outermost of them saw (X-Forwarded-For, counted from the right: clients can prepend)."""
    proxies = int(setting("PROXY_COUNT"))
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR") or "unknown")


# -- the REST API -------------------------------------------------------------------------------


class AccountRateThrottle(BaseThrottle):
    """DRF throttle: requests per account (authentication ran first: only known accounts count)."""

    def __init__(self) -> None:
        self.waiting: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        account = getattr(request, "account", None) or getattr(request._request, "account", None)
        if account is None:
            return True  # unauthenticated requests answer 401; failures are counted per address
        self.waiting = count("api", str(account.sid), rate("API_RATE_LIMIT"))
        return self.waiting is None

    def wait(self) -> float | None:
        return self.waiting
