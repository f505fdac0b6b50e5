from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from studio.widgets.props import Prop, kv_array
from studio.widgets.runtime import HttpError, Outcome, WidgetCall, json_object
from studio.widgets.widget import Widget

CONTENT_TYPES = (
    "application/x-www-form-urlencoded;charset=utf-8",
    "application/json;charset=utf-8",
)


class MakeHttpRequest(Widget):
    type = "make-http-request"
    family = "Tools & Execute Code"
    label = "Make HTTP Request"
    description = "Call an HTTP endpoint (GET/POST, 10 s, 64 kB); JSON object replies are parsed."
    channel = "any"
    properties = [
        Prop("method", "enum", required=True, allowed=("GET", "POST"), default="GET", label="Request method"),
        Prop("url", "string", required=True, liquid=True, label="Request URL"),
        # Exports also contain the bare media type without the charset (corpus 22), so the
        # list is advisory: other values are only warned about.
        Prop(
            "content_type",
            "enum",
            required=True,
            allowed=(*CONTENT_TYPES, "application/x-www-form-urlencoded", "application/json"),
            open_enum=True,
            default=CONTENT_TYPES[0],
            label="Content type",
        ),
        Prop("body", "string", liquid=True, label="Request body"),
        kv_array("parameters", "HTTP parameters"),
        Prop("add_twilio_auth", "boolean", default=False, label="Authenticate with Twilio"),
    ]
    events = ["success", "failed"]
    outputs = ["body", "content_type", "status_code", "parsed"]
    name_prefix = "http"

    # -- runtime ---------------------------------------------------------------------------
    failure_event = "failed"

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        props = call.properties
        method = str(props.get("method") or "GET").strip().upper()
        url = str(props.get("url") or "").strip()
        if method not in METHODS:
            return _failed(81014, f"{call.name}: unsupported method {method!r} (GET or POST)")
        pairs = kv_pairs(props.get("parameters"))
        reserved = sorted({k for k, _ in pairs if k.lower() in RESERVED_PARAMETERS})
        if reserved:
            return _failed(81014, f"{call.name}: reserved parameter name(s) {reserved}")
        auth: tuple[str, str] | None = None
        if _truthy(props.get("add_twilio_auth")):
            auth = _twilio_auth(call, url)
            if auth is None:
                message = f"{call.name}: 'Authenticate with Twilio' is only allowed for Twilio API URLs"
                return _failed(81014, message)
        content_type = str(props.get("content_type") or CONTENT_TYPES[0]).strip()
        is_json = "json" in content_type.lower()
        kwargs: dict[str, Any] = {"auth": auth}
        if method == "GET":
            kwargs["params"] = pairs
        elif is_json:
            body = props.get("body")
            kwargs["content"] = "" if body is None else str(body)
            kwargs["content_type"] = content_type
            kwargs["params"] = pairs
        else:
            kwargs["form"] = pairs
            kwargs["content_type"] = content_type
        try:
            response = call.services.http_request(method, url, **kwargs)
        except HttpError as exc:
            code = 81014 if exc.kind in ("blocked", "invalid_url") else 81016
            return _failed(code, f"{call.name}: {exc.message}")
        outputs: dict[str, Any] = {
            "status_code": response.status_code,
            "content_type": response.content_type,
            "body": response.body,
        }
        parsed = json_object(response)
        if parsed is not None:
            outputs["parsed"] = parsed
        if 200 <= response.status_code < 300:
            return Outcome(event="success", outputs=outputs)
        warning = (81016, f"{call.name}: {method} {response.url} answered {response.status_code}")
        return Outcome(event="failed", outputs=outputs, warnings=[warning])


METHODS = ("GET", "POST")
# Parameter names Studio refuses (81014): they would clash with the request's own fields.
RESERVED_PARAMETERS = frozenset({"method"})
TWILIO_API_SUFFIX = ".twilio.com"


def _failed(code: int, message: str) -> Outcome:
    # Network, timeout, size and policy failures store nothing (spec §2.18); the reason goes
    # to the execution log.
    return Outcome(event="failed", outputs={}, warnings=[(code, message)])


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def kv_pairs(value: Any) -> list[tuple[str, str]]:
    """``[{key, value}]`` → ``[(key, value)]`` with string values (blank keys dropped)."""
    out: list[tuple[str, str]] = []
    for item in value or []:
        if not isinstance(item, dict):
            continue
        key = str(item.get("key") or "").strip()
        if not key:
            continue
        raw = item.get("value")
        out.append((key, "" if raw is None else raw if isinstance(raw, str) else json.dumps(raw)))
    return out


def _twilio_auth(call: WidgetCall, url: str) -> tuple[str, str] | None:
    """Account credentials for Twilio API URLs (twilio.com, or this server's own API)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    own = urlsplit(str(getattr(settings, "PUBLIC_BASE_URL", "")))
    is_own = bool(own.hostname) and (host, parts.port) == ((own.hostname or "").lower(), own.port)
    if not host or not (host.endswith(TWILIO_API_SUFFIX) or is_own):
        return None
    return call.services.credentials()
