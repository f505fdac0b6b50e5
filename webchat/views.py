"""The web chat's HTTP side: the embeddable script and its styles, opening a chat, the demo page.

The script and ``POST /webchat/v1/sessions`` answer any page (``Access-Control-Allow-Origin: *``,
no cookies: the visitor's token travels in the body and the socket's query), unless the account's
key lists the origins allowed to embed it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.auth import membership_for
from accounts.errors import TwilioAPIError, error_body, twilio_error_response
from accounts.input_guards import parse_json
from studio.models import Flow
from webchat import visitors
from webchat.models import WebChatKey

STATIC = Path(__file__).resolve().parent / "static" / "webchat"
MAX_BODY = 16 * 1024


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")


def _cors(response: HttpResponse, origin: str = "*") -> HttpResponse:
    response["Access-Control-Allow-Origin"] = origin
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "600"
    response["Vary"] = "Origin"
    return response


def _asset(name: str, content_type: str) -> HttpResponse:
    response = HttpResponse((STATIC / name).read_bytes(), content_type=content_type)
    response["Cache-Control"] = "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return _cors(response)


def embed_js(request: HttpRequest) -> HttpResponse:
    return _asset("embed.js", "text/javascript; charset=utf-8")


def embed_css(request: HttpRequest) -> HttpResponse:
    return _asset("embed.css", "text/css; charset=utf-8")


def _error(exc: TwilioAPIError) -> HttpResponse:
    response = JsonResponse(error_body(exc.status_code, exc.code, str(exc.detail)), status=exc.status_code)
    if exc.status_code == 429:
        response["Retry-After"] = "60"
    return _cors(response)


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def open_session(request: HttpRequest) -> HttpResponse:
    """Open a chat: ``{key, flow, friendlyName?, question?, location?}`` → the visitor's token."""
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204))
    if len(request.body) > MAX_BODY:
        return _cors(twilio_error_response(413, 20001, "The request body is too large"))
    try:
        data = parse_json(request.body.decode("utf-8", errors="strict") or "{}")
        if not isinstance(data, dict):
            raise TwilioAPIError(400, 20001, "The body must be a JSON object")
        key = visitors.key_for(str(data.get("key") or ""))
        origin = request.headers.get("Origin")
        if not key.allows(origin):
            raise TwilioAPIError(403, 20403, "This page may not embed the account's web chat")
        if visitors.too_many(f"open:{key.key}:{_client_ip(request)}", visitors.OPENS_PER_MINUTE, 60):
            raise visitors.rate_limited()
        visitor, conversation = visitors.open_chat(
            key,
            str(data.get("flow") or ""),
            name=data.get("friendlyName"),
            question=data.get("question"),
            page=data.get("location"),
        )
    except UnicodeDecodeError:
        return _cors(twilio_error_response(400, 20001, "The body is not UTF-8"))
    except ValueError as exc:
        return _cors(twilio_error_response(400, 20001, f"The body is not valid JSON: {exc}"))
    except TwilioAPIError as exc:
        return _error(exc)
    body = {
        "conversation_sid": conversation.sid,
        "identity": visitor.identity,
        "token": visitors.token_for(visitor),
        "socket_path": f"/ws/webchat/{conversation.sid}",
    }
    return _cors(JsonResponse(body, status=201))


def snippet(request: HttpRequest, key: WebChatKey, flow_sid: str) -> str:
    base = request.build_absolute_uri("/").rstrip("/")
    return (
        f'<script src="{base}/webchat/embed.js" data-key="{key.key}" data-flow="{flow_sid}" async></script>'
    )


@method_decorator(login_required, name="dispatch")
class DemoPage(View):
    """The account's web chat on a page of its own, with the tag to paste into any site."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return demo_page(request)


def demo_page(request: HttpRequest) -> HttpResponse:
    membership = membership_for(
        request.user, request.GET.get("account") or request.session.get("account_sid")
    )
    if membership is None:
        return HttpResponse("This user belongs to no account", status=403, content_type="text/plain")
    account = membership.account
    key = WebChatKey.for_account(account)
    flows = list(
        Flow.objects.filter(account=account, published_revision__isnull=False).order_by("friendly_name")
    )
    wanted = request.GET.get("flow") or ""
    chosen: Any = next((f for f in flows if f.sid == wanted), None)
    chosen = chosen or next((f for f in flows if f.friendly_name == "WebChat Flow"), None)
    chosen = chosen or (flows[0] if flows else None)
    context = {
        "key": key,
        "flows": flows,
        "flow": chosen,
        "snippet": snippet(request, key, chosen.sid) if chosen else "",
        "config": json.dumps({"key": key.key, "flow": chosen.sid if chosen else ""}),
    }
    return render(request, "webchat/demo.html", context)
