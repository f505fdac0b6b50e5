"""The server's routes, read from the URL configuration (HTTP) and the WebSocket routing, and
the small list of routes that are public on purpose: the isolation matrix covers every route
that is not on that list, so a new endpoint is covered (or fails the test) the day it lands."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# Route name (or, for Django's admin, the prefix) → why a stranger may reach it.
PUBLIC: dict[str, str] = {
    "admin/": "Django's admin: staff accounts only (is_staff), no account's data by role",
    "admin-login": "the admin's sign-in form (failures limited: tests/ops/test_limits.py)",
    "login": "the console's sign-in form",
    "logout": "ends the caller's own session, whoever it is",
    "healthz": "liveness: no data",
    "api-schema": "the OpenAPI document: no account's data",
    "api-docs": "Swagger UI over the OpenAPI document",
    "flow-webhook": "signed with the flow's account token (X-Twilio-Signature); another account's "
    "signature is refused: tests/executions/test_webhook_messaging.py",
    "execution-callback": "signed like the flow webhook; checked against the execution's account",
    "message-status-callback": "signed like the flow webhook; checked against the message's account",
    "sl-serve": "public Functions and Assets are public by design (protected ones check a signature)",
    "flows-list": "the console app's static shell: same HTML for every user, data via the console API",
    "flow-canvas": "the console app's static shell (data via the console API, covered)",
    "functions-services": "the console app's static shell",
    "functions-service": "the console app's static shell",
    "flex-agent": "the agent page's static shell (data via /api/console/flex, covered)",
    "flex-supervisor": "the supervisor page's static shell",
    "healthz-live": "liveness: no data",
    "healthz-ready": "readiness: which dependency answers, no account's data",
    "metrics": "Prometheus figures summed over every account, behind METRICS_TOKEN (tests/operations)",
    "cv-media-temporary": "a signed, expiring link to one media file (Twilio's content_direct_temporary): "
    "the signature is the credential (tests/conversations/test_media_links.py)",
    "cv-inbound-sms": "signed with the account's token like the flow webhook (tests/conversations)",
    "executions-explorer": "the console app's static shell (data via the console API, covered)",
    "execution-page": "the console app's static shell",
    "console-settings": "the console app's static shell",
    "webchat-embed-js": "the web chat's script: the same file for every page that embeds it",
    "webchat-embed-css": "the web chat's styles",
    "api-not-found": "Twilio's 404 body for a path that names no resource: the same answer to "
    "everyone, no account's data (tests/accounts/test_unknown_api_paths.py)",
    "webchat-sessions": "a visitor opens a chat with an account's public web chat key, by design "
    "(rate-limited; another account's flow is a 404: tests/webchat)",
}

PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Route:
    template: str  # "/v2/Flows/{sid}" (Django's <str:sid> as {sid})
    name: str
    methods: tuple[str, ...]
    regex: bool = False

    @property
    def params(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.template)

    def public_reason(self) -> str | None:
        if self.template.startswith("/admin/"):
            return PUBLIC["admin/"]
        return PUBLIC.get(self.name)

    def path(self, values: dict[str, str]) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], self.template)


def _methods(callback: Any) -> tuple[str, ...]:
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view is None:
        return ("get", "post")
    names = [m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)]
    return tuple(names)


def _walk(patterns: list[Any], prefix: str) -> list[tuple[str, Any, str, bool]]:
    found: list[tuple[str, Any, str, bool]] = []
    for pattern in patterns:
        text = str(pattern.pattern)
        regex = text.startswith("^")
        if isinstance(pattern, URLResolver):
            found += _walk(pattern.url_patterns, prefix + text)
        elif isinstance(pattern, URLPattern):
            found.append((prefix + text, pattern.callback, pattern.name or "", regex))
    return found


def http_routes() -> list[Route]:
    routes = []
    for text, callback, name, regex in _walk(get_resolver().url_patterns, ""):
        template = "/" + PARAM.sub(lambda m: "{" + m.group(1) + "}", text)
        routes.append(Route(template=template, name=name, methods=_methods(callback), regex=regex))
    return routes


def websocket_routes() -> list[Route]:
    from config.routing import websocket_urlpatterns

    routes = []
    for pattern in websocket_urlpatterns:
        template = "/" + PARAM.sub(lambda m: "{" + m.group(1) + "}", str(pattern.pattern))
        routes.append(Route(template=template, name=template, methods=("connect",)))
    return routes


def record(name: str, **figures: int) -> None:
    """The matrix's figures, for docs/RELIABILITY.md: var/reliability/isolation.json."""
    from django.conf import settings

    from executions.management.reliability import now

    out = Path(settings.BASE_DIR) / "var" / "reliability" / "isolation.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    known = json.loads(out.read_text()) if out.exists() else {}
    out.write_text(json.dumps({**known, name: {**figures, "measured_at": now()}}, indent=2))
