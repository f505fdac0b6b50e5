"""Serverless v1 API routes (``/v1/Services…``; Twilio serves them on serverless.twilio.com) and
the functions gateway (``/fn/{domain}/{path}``)."""

from __future__ import annotations

from django.urls import path, re_path

from serverless import api, catalog, serving
from serverless import api_versions as v

S = "v1/Services"
SVC = f"{S}/<str:service_sid>"
ENV = f"{SVC}/Environments/<str:environment_sid>"

urlpatterns = [
    path(S, api.ServiceList.as_view(), name="sl-services"),
    path(f"{S}/<str:sid>", api.ServiceDetail.as_view(), name="sl-service"),
    path(f"{SVC}/Environments", api.EnvironmentList.as_view(), name="sl-environments"),
    path(f"{SVC}/Environments/<str:sid>", api.EnvironmentDetail.as_view(), name="sl-environment"),
    path(f"{SVC}/Functions", api.FunctionList.as_view(), name="sl-functions"),
    path(f"{SVC}/Functions/<str:sid>", api.FunctionDetail.as_view(), name="sl-function"),
    path(
        f"{SVC}/Functions/<str:function_sid>/Versions", v.FunctionVersionList.as_view(), name="sl-fversions"
    ),
    path(
        f"{SVC}/Functions/<str:function_sid>/Versions/<str:sid>",
        v.FunctionVersionDetail.as_view(),
        name="sl-fversion",
    ),
    path(
        f"{SVC}/Functions/<str:function_sid>/Versions/<str:sid>/Content",
        v.FunctionVersionContent.as_view(),
        name="sl-fversion-content",
    ),
    path(f"{SVC}/Assets", api.AssetList.as_view(), name="sl-assets"),
    path(f"{SVC}/Assets/<str:sid>", api.AssetDetail.as_view(), name="sl-asset"),
    path(f"{SVC}/Assets/<str:asset_sid>/Versions", v.AssetVersionList.as_view(), name="sl-aversions"),
    path(
        f"{SVC}/Assets/<str:asset_sid>/Versions/<str:sid>", v.AssetVersionDetail.as_view(), name="sl-aversion"
    ),
    path(f"{SVC}/Builds", v.BuildList.as_view(), name="sl-builds"),
    path(f"{SVC}/Builds/<str:sid>", v.BuildDetail.as_view(), name="sl-build"),
    path(f"{SVC}/Builds/<str:sid>/Status", v.BuildStatus.as_view(), name="sl-build-status"),
    path(f"{ENV}/Deployments", v.DeploymentList.as_view(), name="sl-deployments"),
    path(f"{ENV}/Deployments/<str:sid>", v.DeploymentDetail.as_view(), name="sl-deployment"),
    path(f"{ENV}/Variables", v.VariableList.as_view(), name="sl-variables"),
    path(f"{ENV}/Variables/<str:sid>", v.VariableDetail.as_view(), name="sl-variable"),
    path(f"{ENV}/Logs", v.LogList.as_view(), name="sl-logs"),
    path(f"{ENV}/Logs/<str:sid>", v.LogDetail.as_view(), name="sl-log"),
    path("api/console/functions/catalog", catalog.Catalog.as_view(), name="sl-catalog"),
    # The functions gateway by path: /fn/{environment label}/{function or asset path}.
    re_path(r"^fn/(?P<label>[a-z0-9-]+)(?P<path>/.*)?$", serving.serve_by_path, name="sl-serve"),
]
