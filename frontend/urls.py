from __future__ import annotations

from django.urls import path, re_path

from frontend import views

urlpatterns = [
    path("", views.app, name="flows-list"),
    re_path(r"^flows/(?P<flow_sid>FW[0-9a-f]{32})$", views.app, name="flow-canvas"),
    path("functions", views.app, name="functions-services"),
    re_path(r"^functions/(?P<service_sid>ZS[0-9a-f]{32})$", views.app, name="functions-service"),
    path("executions", views.app, name="executions-explorer"),
    re_path(r"^executions/(?P<execution_sid>FN[0-9a-f]{32})$", views.app, name="execution-page"),
    path("settings", views.app, name="console-settings"),
]
