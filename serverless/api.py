"""Serverless v1 REST API: Services, Environments, Functions, Assets (versions: api_versions.py).

Bodies are form-encoded as the twilio SDKs send them; every lookup goes through the caller's
account, so another account's SID answers 404 exactly like an unknown one.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import (
    CanEditOrReadOnly,
    ConsoleSessionAuthentication,
    TwilioBasicAuthentication,
    request_account,
)
from accounts.errors import TwilioAPIError, invalid_parameter, missing_parameter
from accounts.pagination import paginate
from accounts.schema import PlainResourceSchema
from serverless import services
from serverless.models import Asset, Environment, Function, Service
from serverless.serializers import asset_json, environment_json, function_json, service_json


def param(request: Request, name: str) -> str | None:
    value = request.data.get(name)
    return None if value in (None, "") else str(value)


def required(request: Request, name: str) -> str:
    value = param(request, name)
    if value is None:
        raise missing_parameter(name)
    return value


def bool_param(request: Request, name: str, default: bool | None) -> bool | None:
    raw = param(request, name)
    if raw is None:
        return default
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise invalid_parameter(name, "true or false")


class ServerlessSchema(PlainResourceSchema):
    """OpenAPI: Twilio's JSON shapes (serializers.py) are plain objects; one tag for the API."""

    tag = "Serverless v1"
    prefix = "serverless"


class ServerlessView(APIView):
    schema = ServerlessSchema()
    # The console's Functions pages drive this same API with their session (and CSRF token), so a
    # deploy from the page takes the Toolkit's path: upload versions, build, deploy.
    authentication_classes = [TwilioBasicAuthentication, ConsoleSessionAuthentication]
    permission_classes = [CanEditOrReadOnly]

    def service(self, request: Request, service_sid: str) -> Service:
        return services.service_for(request_account(request), service_sid)

    def environment(self, request: Request, service_sid: str, sid: str) -> Environment:
        service = self.service(request, service_sid)
        env: Environment = services.child_for(
            Environment.objects.select_related("account", "service", "build").filter(service=service),
            sid,
            f"/Services/{service.sid}/Environments/{sid}",
        )
        return env

    def function(self, request: Request, service_sid: str, sid: str) -> Function:
        service = self.service(request, service_sid)
        fn: Function = services.child_for(
            Function.objects.select_related("account", "service").filter(service=service),
            sid,
            f"/Services/{service.sid}/Functions/{sid}",
        )
        return fn

    def asset(self, request: Request, service_sid: str, sid: str) -> Asset:
        service = self.service(request, service_sid)
        asset: Asset = services.child_for(
            Asset.objects.select_related("account", "service").filter(service=service),
            sid,
            f"/Services/{service.sid}/Assets/{sid}",
        )
        return asset


def page(request: Request, qs: Any, key: str, serialize: Any, path: str, **kw: Any) -> Response:
    return Response(paginate(request, qs, key, serialize, path=f"/v1{path}", **kw))


class ServiceList(ServerlessView):
    def get(self, request: Request) -> Response:
        qs = Service.objects.select_related("account").filter(account=request_account(request))
        return page(request, qs, "services", service_json, "/Services")

    def post(self, request: Request) -> Response:
        service = services.create_service(
            request_account(request),
            unique_name=required(request, "UniqueName"),
            friendly_name=required(request, "FriendlyName"),
            include_credentials=bool(bool_param(request, "IncludeCredentials", True)),
            ui_editable=bool(bool_param(request, "UiEditable", False)),
        )
        return Response(service_json(service), status=201)


class ServiceDetail(ServerlessView):
    def get(self, request: Request, sid: str) -> Response:
        return Response(service_json(self.service(request, sid)))

    def post(self, request: Request, sid: str) -> Response:
        service = self.service(request, sid)
        name = param(request, "FriendlyName")
        if name is not None:
            if len(name) > 255:
                raise invalid_parameter("FriendlyName", "at most 255 characters")
            service.friendly_name = name
        for field, key in (("include_credentials", "IncludeCredentials"), ("ui_editable", "UiEditable")):
            value = bool_param(request, key, None)
            if value is not None:
                setattr(service, field, value)
        service.save()
        return Response(service_json(service))

    def delete(self, request: Request, sid: str) -> Response:
        self.service(request, sid).delete()
        return Response(status=204)


class EnvironmentList(ServerlessView):
    def get(self, request: Request, service_sid: str) -> Response:
        service = self.service(request, service_sid)
        qs = Environment.objects.select_related("account", "service", "build").filter(service=service)
        return page(request, qs, "environments", environment_json, f"/Services/{service.sid}/Environments")

    def post(self, request: Request, service_sid: str) -> Response:
        service = self.service(request, service_sid)
        env = services.create_environment(
            service, required(request, "UniqueName"), param(request, "DomainSuffix")
        )
        return Response(environment_json(env), status=201)


class EnvironmentDetail(ServerlessView):
    def get(self, request: Request, service_sid: str, sid: str) -> Response:
        return Response(environment_json(self.environment(request, service_sid, sid)))

    def delete(self, request: Request, service_sid: str, sid: str) -> Response:
        self.environment(request, service_sid, sid).delete()
        return Response(status=204)


class FunctionList(ServerlessView):
    model: type[Function] | type[Asset] = Function
    key = "functions"
    segment = "Functions"

    def serialize(self, obj: Any) -> dict[str, Any]:
        return function_json(obj)

    def get(self, request: Request, service_sid: str) -> Response:
        service = self.service(request, service_sid)
        qs = self.model.objects.select_related("account", "service").filter(service=service)
        return page(request, qs, self.key, self.serialize, f"/Services/{service.sid}/{self.segment}")

    def post(self, request: Request, service_sid: str) -> Response:
        service = self.service(request, service_sid)
        name = required(request, "FriendlyName")
        if len(name) > 255:
            raise invalid_parameter("FriendlyName", "at most 255 characters")
        obj = self.model.objects.create(account=service.account, service=service, friendly_name=name)
        return Response(self.serialize(obj), status=201)


class AssetList(FunctionList):
    model = Asset
    key = "assets"
    segment = "Assets"

    def serialize(self, obj: Any) -> dict[str, Any]:
        return asset_json(obj)


class FunctionDetail(ServerlessView):
    def lookup(self, request: Request, service_sid: str, sid: str) -> Function | Asset:
        return self.function(request, service_sid, sid)

    def serialize(self, obj: Any) -> dict[str, Any]:
        return function_json(obj)

    def get(self, request: Request, service_sid: str, sid: str) -> Response:
        return Response(self.serialize(self.lookup(request, service_sid, sid)))

    def post(self, request: Request, service_sid: str, sid: str) -> Response:
        obj = self.lookup(request, service_sid, sid)
        name = required(request, "FriendlyName")
        if len(name) > 255:
            raise invalid_parameter("FriendlyName", "at most 255 characters")
        obj.friendly_name = name
        obj.save()
        return Response(self.serialize(obj))

    def delete(self, request: Request, service_sid: str, sid: str) -> Response:
        obj = self.lookup(request, service_sid, sid)
        live = Environment.objects.filter(service=obj.service, build__isnull=False)
        for env in live:
            assert env.build is not None
            versions = env.build.function_versions if isinstance(obj, Function) else env.build.asset_versions
            if versions.filter(**{"function" if isinstance(obj, Function) else "asset": obj}).exists():
                raise TwilioAPIError(409, 20409, f"{obj.sid} is part of the build live on {env.unique_name}")
        obj.delete()
        return Response(status=204)


class AssetDetail(FunctionDetail):
    def lookup(self, request: Request, service_sid: str, sid: str) -> Function | Asset:
        return self.asset(request, service_sid, sid)

    def serialize(self, obj: Any) -> dict[str, Any]:
        return asset_json(obj)
