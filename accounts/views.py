"""Console login/logout, the health check and the REST APIs' 404 for unknown paths."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from accounts.errors import database_unavailable, service_unavailable, twilio_error_response
from accounts.forms import ConsoleAuthenticationForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = ConsoleAuthenticationForm

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        return _throttled(self.request, response)


def _throttled(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """429 when the sign-in form refused for too many failures (accounts.forms)."""
    if getattr(request, "login_throttled", False):
        response.status_code = 429
    return response


def admin_login(request: HttpRequest) -> HttpResponse:
    """Django admin's sign-in, with the console's failure limits (accounts.forms)."""
    from django.contrib import admin

    return _throttled(request, admin.site.login(request))


class LogoutView(auth_views.LogoutView):
    """POST (with the CSRF token) ends the session. A GET, from an old link or a bookmark, shows a
    "Log out" button that POSTs: logging out on a GET would let any page log users out."""

    http_method_names = ["get", "post", "options"]
    next_page = "/login"
    template_name = "accounts/logout.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return render(request, self.template_name)


@csrf_exempt  # API clients POST with Basic auth and no CSRF token; nothing is written
def api_not_found(request: HttpRequest) -> JsonResponse:
    """A path under an API prefix that names no resource: Twilio's 404 body (20404) for every
    method and caller, so clients raise their error with its code rather than choke on HTML."""
    return twilio_error_response(404, 20404, f"The requested resource {request.path} was not found")


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500`` (production mode): the database down where no view caught it (a middleware
    saving a session, say) is a 503 to retry, as in views (``RequestContextMiddleware``); any
    other error keeps Django's 500 page. Django calls it while handling the exception."""
    if database_unavailable(sys.exc_info()[1]):
        return service_unavailable()
    return defaults.server_error(request)


def database_check() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def redis_check() -> None:
    import redis  # on use: only with REDIS_URL (embedded mode has no Redis)

    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()


def healthz(request: HttpRequest) -> JsonResponse:
    """The database and Redis (when configured); ``/healthz/live`` and ``/healthz/ready`` (ops.health)
    split it for orchestrators."""
    checks: dict[str, str] = {}
    try:
        database_check()
        checks["database"] = "ok"
    except Exception as exc:  # any failure means unhealthy, whatever the driver raises
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            redis_check()
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001 - report, don't raise
            checks["redis"] = f"error: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in checks.values())
    failing = [k for k, v in checks.items() if v != "ok"]
    body = {"status": "ok" if healthy else "unavailable", "checks": checks, "failing": failing}
    return JsonResponse(body, status=200 if healthy else 503)
