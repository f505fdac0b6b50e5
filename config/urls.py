from __future__ import annotations

import os

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import views as account_views
from conversations.urls import service_routes
from serverless import api as serverless_api

# The database down outside any view: 503 with Retry-After, not a 500 (accounts.views).
handler500 = "accounts.views.server_error"

urlpatterns = [
    path("admin/login/", account_views.admin_login, name="admin-login"),  # sign-in failures limited
    path("admin/", admin.site.urls),
    path("login", account_views.LoginView.as_view(), name="login"),
    path("logout", account_views.LogoutView.as_view(), name="logout"),
    path("healthz", account_views.healthz, name="healthz"),
    path("", include("ops.urls")),  # /healthz/live, /healthz/ready, /metrics
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("accounts.urls")),
    path("", include("studio.urls")),
    path("", include("executions.urls")),
    path("", include("flex.urls")),
    # /v1/Services is Serverless's and Conversations' (two hosts at Twilio): by SID prefix here.
    *service_routes(serverless_api.ServiceList.as_view(), serverless_api.ServiceDetail.as_view()),
    path("", include("conversations.urls")),
    path("", include("serverless.urls")),
    path("", include("webchat.urls")),
    path("", include("scenarios.urls")),  # saved flow tests (the simulator's "Save as test")
    path("", include("frontend.urls")),
    # Last: whatever else is under an API prefix answers Twilio's JSON 404, not an HTML page.
    re_path(r"^(?:v\d+|2010-04-01)/", account_views.api_not_found, name="api-not-found"),
]

if os.environ.get("STUDIO_BENCH_FLOOR") == "1":  # the webhook benchmark's floor (bench/README.md)
    from bench.floor import floor  # only in the benchmark's server

    urlpatterns.append(path("bench/floor", floor))
