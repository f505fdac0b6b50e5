"""Studio's limits and tunables: one typed object, read everywhere as ``studio_settings.NAME``.

Defaults live here and only here; ``settings.STUDIO`` (config/settings.py, or a test's
``override_settings(STUDIO=...)``) overrides any of them by name. As DRF's ``api_settings``, the
object re-reads ``settings.STUDIO`` when a test changes it. The README's "Limits and tunables"
table lists every name.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, cast

from django.conf import settings
from django.core.signals import setting_changed


@dataclass(frozen=True)
class StudioSettings:
    # The engine (spec limits).
    MAX_STEPS: int = 1000
    MAX_SAME_WIDGET_REPEATS: int = 10
    EXECUTION_LIFETIME_DAYS: float = 30
    # Operations (README "Operations"): executions and their steps are kept this long after they
    # start (Twilio: 30 days), then purged in batches; the admin lists as stuck an active
    # execution idle this long with no timer still to come.
    EXECUTION_RETENTION_DAYS: float = 30
    PURGE_BATCH: int = 1000
    PURGE_INTERVAL_SECONDS: float = 3600
    STUCK_AFTER_MINUTES: float = 60
    # Widget HTTP (Make HTTP Request, Run Function, TwiML Redirect).
    HTTP_TIMEOUT_SECONDS: float = 10
    HTTP_MAX_BODY_BYTES: int = 64 * 1024
    ALLOWED_HTTP_HOSTS: list[str] = field(default_factory=list)  # hosts/CIDRs allowed although private
    # Liquid.
    LIQUID_LOOP_LIMIT: int = 15
    LIQUID_OUTPUT_LIMIT: int = 16 * 1024
    LIQUID_VALUE_LIMIT: int = 256 * 1024  # the longest string or list a filter may build
    # A Split's regex against stranger text gives up (no match) after this long.
    REGEX_TIMEOUT_SECONDS: float = 0.25
    # Timers (Wait rows) and inbound messages.
    SWEEP_BATCH: int = 500
    SWEEP_INTERVAL_SECONDS: float = 1.0
    INBOUND_BATCH: int = 250
    INBOUND_DRAINERS: int = 3
    # Threads per process that make the requests of widgets parked on the network (drainers).
    NETWORK_WORKERS: int = 8
    # Providers: "simulator" or "twilio"; the simulator's scripted failures.
    PROVIDER: str = "simulator"
    SIMULATOR_REJECT_TO: tuple[str, ...] = ()  # refused (21211) besides Twilio's magic numbers
    SIMULATOR_UNDELIVERABLE_TO: tuple[str, ...] = ("+15005550004",)
    SIMULATOR_CALL_OUTCOMES: dict[str, Any] = field(default_factory=dict)
    # The twilio provider's default credentials (accounts may carry their own).
    TWILIO_ACCOUNT_SID: str = ""
    TWILIO_AUTH_TOKEN: str = ""
    # Plugs of the Flex and Functions apps: dotted paths of factories (see executions.engine.ports).
    FLEX_GATEWAY: str = ""
    FUNCTION_HOST: str = ""
    CONVERSATION_HOST: str = ""
    # Request limits, read by accounts.limits ("N/Ts": N per T seconds; accounts imports no other
    # app, so it keeps the same defaults and a test holds the two equal).
    API_RATE_LIMIT: str = "2000/10s"
    WEBHOOK_RATE_LIMIT: str = "20000/10s"
    LOGIN_FAILURES_PER_USER: str = "5/900s"
    LOGIN_FAILURES_PER_ADDRESS: str = "20/900s"
    API_AUTH_FAILURES_PER_ADDRESS: str = "30/300s"
    PROXY_COUNT: int = 0
    # A call's execution kept in Redis between its turns, its rows written after the answer
    # (executions/voice/hot.py); needs Redis and PostgreSQL. config/settings.py turns it on
    # with REDIS_URL outside tests.
    VOICE_HOT_CALLS: bool = False


NAMES = frozenset(f.name for f in dataclasses.fields(StudioSettings))


def load() -> StudioSettings:
    overrides: dict[str, Any] = dict(getattr(settings, "STUDIO", {}) or {})
    unknown = sorted(set(overrides) - NAMES)
    if unknown:
        raise ValueError(f"unknown settings.STUDIO keys: {unknown} (known: {sorted(NAMES)})")
    return StudioSettings(**{k: v for k, v in overrides.items() if v is not None})


class _Lazy:
    """``studio_settings``: the current ``StudioSettings``, loaded on first use."""

    _current: StudioSettings | None = None

    def __getattr__(self, name: str) -> Any:
        if self._current is None:
            self._current = load()
        return getattr(self._current, name)

    def reload(self) -> None:
        self._current = None


_lazy = _Lazy()
studio_settings = cast(StudioSettings, _lazy)


def _reload(*, setting: str, **kwargs: Any) -> None:
    if setting == "STUDIO":
        _lazy.reload()


setting_changed.connect(_reload)
