"""TaskRouter's ``/v1/Workspaces`` routes live beside the other ``/v1/`` routes without shadowing
them (Studio's flow webhooks at ``/v1/Accounts/…/Flows/…``; Serverless's ``/v1/Services``)."""

from __future__ import annotations

import pytest
from django.urls import Resolver404, resolve

AC, FW, WS = "AC" + "1" * 32, "FW" + "2" * 32, "WS" + "3" * 32


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/v1/Workspaces", "tr-workspaces"),
        (f"/v1/Workspaces/{WS}", "tr-workspace"),
        (f"/v1/Workspaces/{WS}/Tasks/WT{'4' * 32}/Reservations", "tr-reservations"),
        (f"/v1/Workspaces/{WS}/Workers/WK{'5' * 32}/Reservations/WR{'6' * 32}", "tr-worker-reservation"),
        (f"/v1/Workspaces/{WS}/TaskQueues/WQ{'7' * 32}/RealTimeStatistics", "tr-queue-rts"),
        (f"/v1/Accounts/{AC}/Flows/{FW}", "flow-webhook"),
    ],
)
def test_each_path_reaches_its_own_view(path: str, name: str) -> None:
    assert resolve(path).url_name == name


def test_no_flex_route_claims_another_v1_resource() -> None:
    from flex.urls import urlpatterns

    v1 = [str(p.pattern) for p in urlpatterns if str(p.pattern).startswith("v1/")]
    assert v1 and all(p.startswith("v1/Workspaces") for p in v1)
    try:
        match = resolve("/v1/Services")
    except Resolver404:
        return
    assert not match.func.__module__.startswith("flex.")
