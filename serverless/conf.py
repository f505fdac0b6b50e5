"""The app's settings (``settings.SERVERLESS``) with their defaults."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

MAX_UPLOAD_BYTES = 25 * 1024 * 1024


def _conf() -> dict[str, object]:
    return dict(getattr(settings, "SERVERLESS", {}) or {})


def storage_root() -> Path:
    """Where version contents, build bundles and the npm cache live."""
    root = _conf().get("ROOT") or Path(settings.BASE_DIR) / "var" / "serverless"
    path = Path(str(root))
    path.mkdir(parents=True, exist_ok=True)
    return path


def functions_domain() -> str:
    """The host name suffix of per-environment hosts (``{label}.{domain}``); empty: paths only."""
    return str(_conf().get("FUNCTIONS_DOMAIN") or "").strip(".").lower()


def max_upload_bytes() -> int:
    return int(str(_conf().get("MAX_UPLOAD_BYTES") or MAX_UPLOAD_BYTES))


def public_base() -> str:
    return str(settings.PUBLIC_BASE_URL).rstrip("/")


def public_netloc() -> str:
    return urlsplit(public_base()).netloc


def api_base_url() -> str:
    """Where functions' ``getTwilioClient()`` send their API requests: this server."""
    return str(_conf().get("API_BASE_URL") or public_base())


def npm_cache_dir() -> Path | None:
    value = _conf().get("NPM_CACHE")
    return Path(str(value)) if value else None
