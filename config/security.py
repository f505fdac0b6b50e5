"""Safe defaults: the production mode's settings, the console pages' Content Security Policy, and
debug pages that show no passwords.

Development (``make run``) sets ``DJANGO_DEBUG=true`` itself; anything else runs in production
mode (README "Production mode"): debug pages off, a real ``SECRET_KEY`` required, HTTPS behind a
proxy assumed unless ``DJANGO_HTTPS=false`` (cookies marked Secure, HSTS, a redirect to HTTPS).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.http import HttpRequest, HttpResponse
from django.views.debug import SafeExceptionReporterFilter

from config.env import env_bool

DEVELOPMENT_SECRET_KEY = "dev-insecure-secret-key-change-me-in-production-0123456789"


@register(Tags.security)
def production_secret_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A server reachable by strangers must not sign sessions with a key published in the source.
    An error, so every command that runs the checks refuses to start (``serve``, ``migrate``,
    ``check``), while importing the settings (mypy, Celery, collectstatic at image build) works."""
    if settings.DEBUG or getattr(settings, "TESTING", False):
        return []
    key = settings.SECRET_KEY
    if key == DEVELOPMENT_SECRET_KEY or key.startswith("change-me") or len(key) < 32 or len(set(key)) < 5:
        return [
            Error(
                "SECRET_KEY is the development key while DJANGO_DEBUG is off (production mode).",
                hint="Set SECRET_KEY in the environment (50+ random characters), "
                "or DJANGO_DEBUG=true for a development server.",
                id="studio.E001",
            )
        ]
    return []


def https_settings(debug: bool, default: bool = True) -> dict[str, Any]:
    """Settings for a server behind an HTTPS-terminating proxy (README "Production mode"). The proxy
    must set ``X-Forwarded-Proto`` (and replace what clients send). ``default``: whether HTTPS is
    assumed when DJANGO_HTTPS is unset (not in the test suite, whose clients speak plain HTTP)."""
    if debug or not env_bool("DJANGO_HTTPS", default):
        return {"SECURE_PROXY_SSL_HEADER": None}
    return {
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "SECURE_SSL_REDIRECT": True,
        # Container health checks and Prometheus speak plain HTTP to the process, not through the proxy.
        "SECURE_REDIRECT_EXEMPT": [r"^healthz(/live|/ready)?$", r"^metrics$"],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000")),
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True),
        # Preloading is a promise to browsers' built-in lists that is hard to take back: the operator
        # opts in (security.W021 is silenced for that reason, see settings).
        "SECURE_HSTS_PRELOAD": env_bool("DJANGO_HSTS_PRELOAD", False),
    }


# The built canvas (frontend/dist) loads its scripts and styles from /static/, opens a WebSocket to
# the same host (the live monitor) and draws some icons from data: URLs. CodeMirror adds its styles
# through constructable stylesheets and React sets styles through the CSSOM, neither of which CSP's
# style-src restricts; the sign-in page has one inline <style> element, hence 'unsafe-inline' for
# styles only (no script is ever inline).
def content_security_policy(request: HttpRequest) -> str:
    host = request.get_host()
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data:",
        "font-src": "'self' data:",
        "connect-src": f"'self' ws://{host} wss://{host}",
        "worker-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


# Pages that are not the console's: the API documentation (Swagger UI starts from an inline script)
# and Django's admin (its own pages, framed by nobody either way: X-Frame-Options covers them).
CSP_EXEMPT = ("/api/docs/", "/admin/")


class ContentSecurityPolicyMiddleware:
    """Adds the console's policy to HTML pages. Other answers (JSON, TwiML) are not documents a
    browser renders, and the inbound-webhook fast path (executions.inbound.fast_path) mirrors this."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if (
            content_type.startswith("text/html")
            and "Content-Security-Policy" not in response
            and not request.path.startswith(CSP_EXEMPT)
        ):
            response["Content-Security-Policy"] = content_security_policy(request)
        return response


URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<password>[^@\s/]+)(?=@)", re.I)


class SettingsFilter(SafeExceptionReporterFilter):
    """Debug pages (development only) still show no password: Django hides settings by name
    (DATABASES' PASSWORD), this also hides the password part of any URL (REDIS_URL, the Celery
    broker, the channel layer's hosts)."""

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str):
            return URL_PASSWORD.sub(lambda m: m["head"] + self.cleansed_substitute, cleansed)
        return cleansed
