from __future__ import annotations

from django.urls import path

from studio import api, console_api, console_webhooks

urlpatterns = [
    # Studio v2 REST API (Validate before the {sid} route that would swallow it).
    path("v2/Flows", api.FlowList.as_view(), name="v2-flows"),
    path("v2/Flows/Validate", api.FlowValidate.as_view(), name="v2-flow-validate"),
    path("v2/Flows/<str:sid>", api.FlowDetail.as_view(), name="v2-flow"),
    path("v2/Flows/<str:sid>/Revisions", api.RevisionList.as_view(), name="v2-flow-revisions"),
    path(
        "v2/Flows/<str:sid>/Revisions/<str:revision>", api.RevisionDetail.as_view(), name="v2-flow-revision"
    ),
    path("v2/Flows/<str:sid>/TestUsers", api.FlowTestUsers.as_view(), name="v2-flow-test-users"),
    # Studio v1's Flows: read and delete only (spec §6.6); its Executions are in executions.urls.
    path("v1/Flows", api.FlowV1List.as_view(), name="v1-flows"),
    path("v1/Flows/<str:sid>", api.FlowV1Detail.as_view(), name="v1-flow"),
    # Console JSON API used by the canvas (studio/CONSOLE_API.md).
    path("api/console/me", console_api.Me.as_view(), name="console-me"),
    path("api/console/webhooks", console_webhooks.Webhooks.as_view(), name="console-webhooks"),
    path("api/console/widgets", console_api.WidgetCatalogue.as_view(), name="console-widgets"),
    path("api/console/validate", console_api.Validate.as_view(), name="console-validate"),
    path("api/console/flows", console_api.FlowList.as_view(), name="console-flows"),
    path("api/console/flows/<str:sid>", console_api.FlowDetail.as_view(), name="console-flow"),
    path(
        "api/console/flows/<str:sid>/duplicate",
        console_api.Duplicate.as_view(),
        name="console-flow-duplicate",
    ),
    path(
        "api/console/flows/<str:sid>/revisions",
        console_api.Revisions.as_view(),
        name="console-flow-revisions",
    ),
    path(
        "api/console/flows/<str:sid>/revisions/<str:revision>",
        console_api.RevisionDetail.as_view(),
        name="console-flow-revision",
    ),
    path("api/console/flows/<str:sid>/publish", console_api.Publish.as_view(), name="console-flow-publish"),
    path("api/console/flows/<str:sid>/restore", console_api.Restore.as_view(), name="console-flow-restore"),
    path("api/console/flows/<str:sid>/diff", console_api.Diff.as_view(), name="console-flow-diff"),
]
