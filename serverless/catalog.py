"""What the canvas offers as pickers: ``GET /api/console/functions/catalog``.

The Run Function inspector chooses service → environment → function (as Studio's does) and
fills ``service_sid``, ``environment_sid``, ``function_sid`` and ``url``; Say/Play and other URL
fields pick an asset's URL. One read answers all of it: the account's services, each with its
environments, and for each environment what its live build serves (public and protected
functions, public and protected assets — private ones are not routable), with their URLs.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import ConsoleSessionAuthentication, IsAccountAuthenticated, request_account
from serverless.models import AssetVersion, Environment, FunctionVersion, Service, Visibility
from serverless.serializers import domain_name, resource_url


def _served(env: Environment, versions: Any, owner: str) -> list[dict[str, str]]:
    out = []
    for v in versions:
        if v.visibility == Visibility.PRIVATE:
            continue
        out.append(
            {
                "sid": getattr(v, owner),
                "path": v.path,
                "visibility": v.visibility,
                "url": resource_url(env, v.path),
            }
        )
    return sorted(out, key=lambda item: item["path"])


def catalog(account: Any) -> list[dict[str, Any]]:
    services = list(Service.objects.filter(account=account).order_by("unique_name"))
    envs = (
        Environment.objects.filter(service__in=services)
        .select_related("build")
        .order_by("date_created", "id")
    )
    build_ids = [e.build_id for e in envs if e.build_id]
    functions: dict[int, list[Any]] = {}
    assets: dict[int, list[Any]] = {}
    for fv in FunctionVersion.objects.filter(builds__in=build_ids).values_list(
        "builds", "function__sid", "path", "visibility"
    ):
        functions.setdefault(fv[0], []).append(_Row(fv[1], fv[2], fv[3]))
    for av in AssetVersion.objects.filter(builds__in=build_ids).values_list(
        "builds", "asset__sid", "path", "visibility"
    ):
        assets.setdefault(av[0], []).append(_Row(av[1], av[2], av[3]))
    by_service: dict[int, list[dict[str, Any]]] = {}
    for env in envs:
        by_service.setdefault(env.service_id, []).append(
            {
                "sid": env.sid,
                "unique_name": env.unique_name,
                "domain_name": domain_name(env),
                "build_sid": env.build.sid if env.build else None,
                "functions": _served(env, functions.get(env.build_id or 0, []), "sid"),
                "assets": _served(env, assets.get(env.build_id or 0, []), "sid"),
            }
        )
    return [
        {
            "sid": s.sid,
            "unique_name": s.unique_name,
            "friendly_name": s.friendly_name,
            "environments": by_service.get(s.id, []),
        }
        for s in services
    ]


class _Row:
    __slots__ = ("sid", "path", "visibility")

    def __init__(self, sid: str, path: str, visibility: str) -> None:
        self.sid, self.path, self.visibility = sid, path, visibility


class Catalog(APIView):
    authentication_classes = [ConsoleSessionAuthentication]
    permission_classes = [IsAccountAuthenticated]

    @extend_schema(
        operation_id="console_functions_catalog",
        tags=["Console"],
        summary="Services, environments and the functions and assets each one serves (for pickers)",
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        return Response({"services": catalog(request_account(request))})
