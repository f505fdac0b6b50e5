from __future__ import annotations

from django.urls import path

from studio import api

urlpatterns = [
    path("v2/Flows", api.FlowList.as_view(), name="v2-flows"),
]
