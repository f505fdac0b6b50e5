"""Serverless v1 REST API: Versions (multipart uploads), Builds, Deployments, Variables, Logs."""

from __future__ import annotations

import datetime as dt
import mimetypes

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.errors import TwilioAPIError, invalid_parameter
from serverless import services, storage
from serverless.api import ServerlessView, page, param, required
from serverless.conf import max_upload_bytes
from serverless.models import AssetVersion, Build, Deployment, FunctionVersion, Log, Variable
from serverless.serializers import (
    asset_version_json,
    build_json,
    build_status_json,
    deployment_json,
    function_version_json,
    log_json,
    variable_json,
)

# Room for the multipart envelope and the other parts around a 25 MB file.
MULTIPART_OVERHEAD = 64 * 1024


def _too_large(request: Request) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_upload_bytes() + MULTIPART_OVERHEAD:
        raise TwilioAPIError(413, 20413, "Request entity too large: a version may hold at most 25 MB")


def _content(request: Request, default_type: str) -> tuple[bytes, str, str]:
    """(bytes, filename, content type) of the ``Content`` part, a file part or a plain field."""
    upload = request.FILES.get("Content")
    if upload is not None:
        if upload.size and upload.size > max_upload_bytes():
            raise TwilioAPIError(413, 20413, "Request entity too large: a version may hold at most 25 MB")
        name = upload.name or ""
        ctype = upload.content_type or mimetypes.guess_type(name)[0] or default_type
        return upload.read(), name, ctype
    raw = request.data.get("Content")
    if raw in (None, ""):
        raise TwilioAPIError(400, 20001, "Missing required parameter Content in the post body")
    return str(raw).encode(), "", default_type


class FunctionVersionList(ServerlessView):
    def get(self, request: Request, service_sid: str, function_sid: str) -> Response:
        fn = self.function(request, service_sid, function_sid)
        qs = FunctionVersion.objects.select_related("account", "service", "function").filter(function=fn)
        path = f"/Services/{fn.service.sid}/Functions/{fn.sid}/Versions"
        return page(request, qs, "function_versions", function_version_json, path)

    def post(self, request: Request, service_sid: str, function_sid: str) -> Response:
        _too_large(request)
        fn = self.function(request, service_sid, function_sid)
        content, filename, ctype = _content(request, "application/javascript")
        path = required(request, "Path")
        version = services.create_function_version(
            fn,
            path,
            param(request, "Visibility"),
            content,
            filename or f"{path.rsplit('/', 1)[-1]}.js",
            ctype,
        )
        return Response(function_version_json(version), status=201)


class FunctionVersionDetail(ServerlessView):
    def version(self, request: Request, service_sid: str, function_sid: str, sid: str) -> FunctionVersion:
        fn = self.function(request, service_sid, function_sid)
        found: FunctionVersion = services.child_for(
            FunctionVersion.objects.select_related("account", "service", "function").filter(function=fn),
            sid,
            f"/Services/{fn.service.sid}/Functions/{fn.sid}/Versions/{sid}",
        )
        return found

    def get(self, request: Request, service_sid: str, function_sid: str, sid: str) -> Response:
        return Response(function_version_json(self.version(request, service_sid, function_sid, sid)))


class FunctionVersionContent(FunctionVersionDetail):
    def get(self, request: Request, service_sid: str, function_sid: str, sid: str) -> Response:
        v = self.version(request, service_sid, function_sid, sid)
        body = function_version_json(v)
        return Response(
            {
                "sid": v.sid,
                "account_sid": v.account.sid,
                "service_sid": v.service.sid,
                "function_sid": v.function.sid,
                "content": storage.get(v.content_hash).decode("utf-8", "replace"),
                "url": body["url"] + "/Content",
            }
        )


class AssetVersionList(ServerlessView):
    def get(self, request: Request, service_sid: str, asset_sid: str) -> Response:
        asset = self.asset(request, service_sid, asset_sid)
        qs = AssetVersion.objects.select_related("account", "service", "asset").filter(asset=asset)
        path = f"/Services/{asset.service.sid}/Assets/{asset.sid}/Versions"
        return page(request, qs, "asset_versions", asset_version_json, path)

    def post(self, request: Request, service_sid: str, asset_sid: str) -> Response:
        _too_large(request)
        asset = self.asset(request, service_sid, asset_sid)
        content, filename, ctype = _content(request, "application/octet-stream")
        path = required(request, "Path")
        if ctype == "application/octet-stream":  # name the type from the path when the part did not
            ctype = mimetypes.guess_type(path)[0] or ctype
        version = services.create_asset_version(
            asset, path, param(request, "Visibility"), content, filename, ctype
        )
        return Response(asset_version_json(version), status=201)


class AssetVersionDetail(ServerlessView):
    def get(self, request: Request, service_sid: str, asset_sid: str, sid: str) -> Response:
        asset = self.asset(request, service_sid, asset_sid)
        found = services.child_for(
            AssetVersion.objects.select_related("account", "service", "asset").filter(asset=asset),
            sid,
            f"/Services/{asset.service.sid}/Assets/{asset.sid}/Versions/{sid}",
        )
        return Response(asset_version_json(found))


def _list(request: Request, name: str) -> list[str]:
    data = request.data
    values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
    if isinstance(values, str):
        values = [values]
    return [str(v) for v in values if v]


class BuildList(ServerlessView):
    def get(self, request: Request, service_sid: str) -> Response:
        service = self.service(request, service_sid)
        qs = Build.objects.select_related("account", "service").filter(service=service)
        return page(request, qs, "builds", build_json, f"/Services/{service.sid}/Builds", newest_first=True)

    def post(self, request: Request, service_sid: str) -> Response:
        service = self.service(request, service_sid)
        build = services.create_build(
            service,
            function_versions=_list(request, "FunctionVersions"),
            asset_versions=_list(request, "AssetVersions"),
            dependencies=param(request, "Dependencies"),
            runtime=param(request, "Runtime"),
        )
        # Serialized as created: the task (in-process when embedded) may already have finished.
        build.status = Build.Status.BUILDING
        return Response(build_json(build), status=201)


class BuildDetail(ServerlessView):
    def build(self, request: Request, service_sid: str, sid: str) -> Build:
        service = self.service(request, service_sid)
        found: Build = services.child_for(
            Build.objects.select_related("account", "service").filter(service=service),
            sid,
            f"/Services/{service.sid}/Builds/{sid}",
        )
        return found

    def get(self, request: Request, service_sid: str, sid: str) -> Response:
        return Response(build_json(self.build(request, service_sid, sid)))

    def delete(self, request: Request, service_sid: str, sid: str) -> Response:
        build = self.build(request, service_sid, sid)
        live = build.service.environments.filter(build=build).first()
        if live is not None:
            raise TwilioAPIError(409, 20409, f"Build {build.sid} is live on environment {live.unique_name}")
        build.delete()
        return Response(status=204)


class BuildStatus(BuildDetail):
    def get(self, request: Request, service_sid: str, sid: str) -> Response:
        return Response(build_status_json(self.build(request, service_sid, sid)))


class DeploymentList(ServerlessView):
    def get(self, request: Request, service_sid: str, environment_sid: str) -> Response:
        env = self.environment(request, service_sid, environment_sid)
        qs = Deployment.objects.select_related("account", "service", "environment", "build").filter(
            environment=env
        )
        path = f"/Services/{env.service.sid}/Environments/{env.sid}/Deployments"
        return page(request, qs, "deployments", deployment_json, path, newest_first=True)

    def post(self, request: Request, service_sid: str, environment_sid: str) -> Response:
        env = self.environment(request, service_sid, environment_sid)
        build_sid = param(request, "BuildSid")
        if build_sid is None:  # Twilio deploys the environment's current build again
            if env.build is None:
                raise TwilioAPIError(400, 20001, "Missing required parameter BuildSid in the post body")
            build = env.build
        else:
            build = services.child_for(
                Build.objects.filter(service=env.service),
                build_sid,
                f"/Services/{env.service.sid}/Builds/{build_sid}",
            )
        return Response(deployment_json(services.deploy(env, build)), status=201)


class DeploymentDetail(ServerlessView):
    def get(self, request: Request, service_sid: str, environment_sid: str, sid: str) -> Response:
        env = self.environment(request, service_sid, environment_sid)
        found = services.child_for(
            Deployment.objects.select_related("account", "service", "environment", "build").filter(
                environment=env
            ),
            sid,
            f"/Services/{env.service.sid}/Environments/{env.sid}/Deployments/{sid}",
        )
        return Response(deployment_json(found))


class VariableList(ServerlessView):
    def get(self, request: Request, service_sid: str, environment_sid: str) -> Response:
        env = self.environment(request, service_sid, environment_sid)
        qs = Variable.objects.select_related("account", "service", "environment").filter(environment=env)
        return page(
            request,
            qs,
            "variables",
            variable_json,
            f"/Services/{env.service.sid}/Environments/{env.sid}/Variables",
        )

    def post(self, request: Request, service_sid: str, environment_sid: str) -> Response:
        env = self.environment(request, service_sid, environment_sid)
        key, value = required(request, "Key"), str(request.data.get("Value", ""))
        if "Value" not in request.data:
            raise TwilioAPIError(400, 20001, "Missing required parameter Value in the post body")
        if env.variables.filter(key=key).exists():
            raise TwilioAPIError(409, 54208, f"Variable with key {key} already exists")
        services.check_variable(key, value)
        variable = Variable.objects.create(
            account=env.account, service=env.service, environment=env, key=key, value=value
        )
        return Response(variable_json(variable), status=201)


class VariableDetail(ServerlessView):
    def variable(self, request: Request, service_sid: str, environment_sid: str, sid: str) -> Variable:
        env = self.environment(request, service_sid, environment_sid)
        found: Variable = services.child_for(
            Variable.objects.select_related("account", "service", "environment").filter(environment=env),
            sid,
            f"/Services/{env.service.sid}/Environments/{env.sid}/Variables/{sid}",
        )
        return found

    def get(self, request: Request, service_sid: str, environment_sid: str, sid: str) -> Response:
        return Response(variable_json(self.variable(request, service_sid, environment_sid, sid)))

    def post(self, request: Request, service_sid: str, environment_sid: str, sid: str) -> Response:
        variable = self.variable(request, service_sid, environment_sid, sid)
        key = param(request, "Key")
        value = str(request.data["Value"]) if "Value" in request.data else None
        services.check_variable(key, value)
        if key is not None and key != variable.key:
            if variable.environment.variables.filter(key=key).exists():
                raise TwilioAPIError(409, 54208, f"Variable with key {key} already exists")
            variable.key = key
        if value is not None:
            variable.value = value
        variable.save()
        return Response(variable_json(variable))

    def delete(self, request: Request, service_sid: str, environment_sid: str, sid: str) -> Response:
        self.variable(request, service_sid, environment_sid, sid).delete()
        return Response(status=204)


def _date(request: Request, name: str, default: dt.datetime) -> dt.datetime:
    raw = request.query_params.get(name)
    if not raw:
        return default
    value = parse_datetime(raw)
    if value is None:
        day = parse_date(raw)
        if day is None:
            raise invalid_parameter(name, "an ISO 8601 date")
        value = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class LogList(ServerlessView):
    def get(self, request: Request, service_sid: str, environment_sid: str) -> Response:
        env = self.environment(request, service_sid, environment_sid)
        now = timezone.now()
        start = _date(request, "StartDate", now - dt.timedelta(days=1))
        end = _date(request, "EndDate", now + dt.timedelta(seconds=1))
        qs = Log.objects.select_related("account", "service", "environment").filter(
            environment=env, date_created__gte=start, date_created__lte=end
        )
        extra: dict[str, str] = {}
        function_sid = request.query_params.get("FunctionSid")
        if function_sid:
            qs = qs.filter(function_sid=function_sid)
            extra["FunctionSid"] = function_sid
        path = f"/Services/{env.service.sid}/Environments/{env.sid}/Logs"
        return page(request, qs, "logs", log_json, path, newest_first=True, extra_params=extra)


class LogDetail(ServerlessView):
    def get(self, request: Request, service_sid: str, environment_sid: str, sid: str) -> Response:
        env = self.environment(request, service_sid, environment_sid)
        found = services.child_for(
            Log.objects.select_related("account", "service", "environment").filter(environment=env),
            sid,
            f"/Services/{env.service.sid}/Environments/{env.sid}/Logs/{sid}",
        )
        return Response(log_json(found))
