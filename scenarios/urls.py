"""The console API of saved flow tests (``scenarios.api``)."""

from __future__ import annotations

from django.urls import path

from scenarios import api

urlpatterns = [
    path("api/console/flows/<str:sid>/tests", api.FlowTests.as_view(), name="console-flow-tests"),
    path("api/console/flows/<str:sid>/tests/run", api.FlowTestsRun.as_view(), name="console-flow-tests-run"),
    path(
        "api/console/flows/<str:sid>/tests/<str:name>", api.FlowTestFile.as_view(), name="console-flow-test"
    ),
]
