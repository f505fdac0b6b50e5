"""Configuration read from the environment, with the embedded defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# SQLite under concurrent requests (embedded mode serves them on several threads): WAL lets readers
# run beside the one writer; a writer waits up to 30 s for the lock (busy_timeout) instead of failing
# with "database is locked"; and every transaction takes the write lock when it begins (IMMEDIATE):
# a transaction that read first and wrote later could not wait for it (SQLite answers such an
# upgrade with an immediate "database is locked", whatever the busy timeout).
SQLITE_OPTIONS: dict[str, Any] = {
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000",
    "transaction_mode": "IMMEDIATE",
}


def database_from_url(url: str | None) -> dict[str, Any]:
    """Turn DATABASE_URL into Django's DATABASES['default'].

    Supported: ``sqlite:///relative/or/absolute.db`` and ``postgres://user:pw@host:port/name``.
    """
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "studio.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
        }
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        # sqlite:///var/x.db is relative to the project; sqlite:////abs/x.db is absolute.
        if path.startswith("//"):
            name: Any = path[1:]
        else:
            name = BASE_DIR / path.lstrip("/") if path not in ("", "/") else ":memory:"
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name, "OPTIONS": SQLITE_OPTIONS}
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "postgres",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
            "CONN_HEALTH_CHECKS": True,
            # An unreachable host (not a refused port) would hold a request until the kernel's
            # TCP timeout, minutes: give up sooner and answer 503 (accounts.errors).
            "OPTIONS": {"connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))},
        }
    raise ValueError(f"Unsupported DATABASE_URL scheme: {parsed.scheme!r}")
