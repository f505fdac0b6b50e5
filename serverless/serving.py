"""The functions gateway (spec §1.5, §2.1, §2.6, §5): a live environment's functions and assets by
URL, under ``/fn/{label}/…`` or, with a functions domain configured, on ``{label}.{domain}``.

Public answers anyone; protected needs a valid ``X-Twilio-Signature`` made with the account's
auth token (else 401); private is not routable (404). Assets keep their content type and answer
``ETag``/``If-None-Match`` and byte ranges; functions run through ``serverless.runtime``.
"""

from __future__ import annotations

import json
import logging
import re
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from twilio.request_validator import RequestValidator

from accounts.errors import twilio_error_response
from serverless import storage
from serverless.conf import functions_domain, public_base
from serverless.invocation import Route, invoke, live_environment, routes_of
from serverless.models import Environment, Visibility
from serverless.serializers import resource_url

logger = logging.getLogger(__name__)
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Authorization, Content-Length, X-Requested-With, User-Agent",
    "Access-Control-Max-Age": "86400",
    "Access-Control-Allow-Credentials": "true",
}


def not_found(path: str) -> HttpResponse:
    return twilio_error_response(404, 20404, f"The requested resource {path} was not found")


@csrf_exempt
def serve_by_path(
    request: HttpRequest, label: str, path: str | None = None
) -> HttpResponse | StreamingHttpResponse:
    return serve(request, label, path or "/")


def label_from_host(host: str) -> str | None:
    """``{label}.{functions domain}`` → label; None for any other host."""
    domain = functions_domain()
    name = host.split(":", 1)[0].lower()
    if domain and name.endswith("." + domain):
        label = name[: -len(domain) - 1]
        return label if label and "." not in label else None
    return None


class FunctionsHostMiddleware:
    """Requests to ``{label}.{functions domain}`` go to the gateway, whatever their path."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        label = label_from_host(request.META.get("HTTP_HOST", ""))
        if label is None:
            return self.get_response(request)
        return serve(request, label, request.path or "/")


def _signed_urls(request: HttpRequest, env: Environment, path: str) -> list[str]:
    """The URLs a caller may have signed: this server's public one, the environment's, and the one
    the request arrived on (behind a proxy that keeps the Host)."""
    query = request.META.get("QUERY_STRING", "")
    tail = f"?{query}" if query else ""
    urls = [public_base() + request.path + tail, resource_url(env, path) + tail]
    host = request.META.get("HTTP_HOST")
    if host:
        scheme = urlsplit(public_base()).scheme or "http"
        urls.append(f"{scheme}://{host}{request.path}{tail}")
    return list(dict.fromkeys(urls))


def signature_ok(request: HttpRequest, env: Environment, path: str) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    validator = RequestValidator(env.account.auth_token)
    params = request.POST if request.method == "POST" else {}
    return any(validator.validate(url, params, signature) for url in _signed_urls(request, env, path))


def resolve(env: Environment, path: str) -> Route | None:
    assert env.build is not None
    table = routes_of(env.build)
    route = table.get(path)
    if route is None and path == "/":  # the production fallback the Toolkit mirrors
        route = table.get("/index.html") or table.get("/assets/index.html")
    return route


def serve(request: HttpRequest, label: str, path: str) -> HttpResponse | StreamingHttpResponse:
    env = live_environment(label)
    if env is None or env.build is None or not env.account.is_active:
        return not_found(path)
    route = resolve(env, path)
    if route is None or route.visibility == Visibility.PRIVATE:
        return not_found(path)
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        for name, value in CORS.items():
            response[name] = value
        return response
    if request.method not in ("GET", "POST", "HEAD"):
        return twilio_error_response(405, 20004, "Method not allowed")
    if route.visibility == Visibility.PROTECTED and not signature_ok(request, env, route.path):
        return twilio_error_response(401, 20003, "Unauthorized: a valid X-Twilio-Signature is required")
    if route.kind == "asset":
        return serve_asset(request, route)
    return serve_function(request, env, route)


def serve_asset(request: HttpRequest, route: Route) -> HttpResponse | StreamingHttpResponse:
    etag = f'"{route.content_hash}"'
    if request.headers.get("If-None-Match") in (etag, "*"):
        unchanged = HttpResponse(status=304)
        unchanged["ETag"] = etag
        return unchanged
    blob = storage.blob_path(route.content_hash)
    size = blob.stat().st_size
    start, end, status = 0, size - 1, 200
    wanted = request.headers.get("Range", "")
    match = RANGE_RE.match(wanted.strip()) if wanted else None
    if match and (match.group(1) or match.group(2)):
        first, last = match.group(1), match.group(2)
        if first:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        else:  # a suffix range: the last N bytes
            start, end = max(size - int(last), 0), size - 1
        if start > end or start >= size:
            refused = HttpResponse(status=416)
            refused["Content-Range"] = f"bytes */{size}"
            return refused
        status = 206
    length = end - start + 1

    def chunks() -> Any:
        with blob.open("rb") as handle:
            handle.seek(start)
            left = length
            while left > 0:
                data = handle.read(min(65536, left))
                if not data:
                    break
                left -= len(data)
                yield data

    response: HttpResponse | StreamingHttpResponse
    if request.method == "HEAD":
        response = HttpResponse(status=status)
    else:
        response = StreamingHttpResponse(chunks(), status=status)
    response["Content-Type"] = route.content_type or "application/octet-stream"
    response["Content-Length"] = str(length)
    response["ETag"] = etag
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response


def request_params(request: HttpRequest) -> dict[str, Any]:
    """Query parameters, then the body's (form or JSON): the body wins, as on Twilio."""

    def flat(data: Any) -> dict[str, Any]:
        return {k: (v[0] if len(v) == 1 else v) for k, v in data.lists()}

    params = flat(request.GET)
    content_type = (request.content_type or "").lower()
    if request.method == "POST":
        if content_type == "application/json":
            try:
                body = json.loads(request.body or b"{}")
            except (json.JSONDecodeError, UnicodeDecodeError):
                body = {}
            if isinstance(body, dict):
                params.update(body)
        else:
            params.update(flat(request.POST))
    return params


def request_headers(request: HttpRequest) -> dict[str, str]:
    return {name.lower(): value for name, value in request.headers.items()}


def to_http(result: Any) -> HttpResponse:
    response = HttpResponse(bytes(result.body or b""), status=int(result.status or 200))
    seen: dict[str, str] = {}
    for name, value in result.headers:
        if name.lower() == "set-cookie":
            response.cookies.load(SimpleCookie(str(value)))  # each cookie its own header
            continue
        key = name.lower()
        seen[key] = f"{seen[key]}, {value}" if key in seen and key != "content-type" else str(value)
        response[name] = seen[key]
    return response


def serve_function(request: HttpRequest, env: Environment, route: Route) -> HttpResponse:
    if request.method == "GET" and request.body:
        return twilio_error_response(403, 20403, "A GET request may not carry a body")
    try:
        result = invoke(env, route, request_params(request), request_headers(request), dict(request.COOKIES))
    except Exception as exc:  # no sandbox available (e.g. bubblewrap missing): say so, keep serving
        logger.exception("function %s on %s could not run", route.path, env.label)
        return twilio_error_response(503, 82005, f"The function could not be run: {exc}")
    return to_http(result)
