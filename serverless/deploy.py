"""Deploying a Toolkit project folder, step for step as the Toolkit's deployProject (spec §1.4):
service (reused by unique name), environment (by domain suffix), one version per function and
asset, a build, the .env variables, a deployment. Shared by ``manage.py functions deploy`` and
the console."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from accounts.models import Account
from serverless import services
from serverless.models import Asset, Build, Environment, Function, Service
from serverless.project import Project, read_project
from serverless.serializers import domain_name, resource_url

BUILD_WAIT_SECONDS = 300  # the Toolkit gives up after 5 minutes too


@dataclass
class DeployResult:
    service: Service
    environment: Environment
    build: Build
    functions: list[dict[str, str]] = field(default_factory=list)
    assets: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.build.status == Build.Status.COMPLETED

    def as_json(self) -> dict[str, Any]:
        return {
            "service_sid": self.service.sid,
            "environment_sid": self.environment.sid,
            "build_sid": self.build.sid,
            "build_status": self.build.status,
            "domain_name": domain_name(self.environment),
            "functions": self.functions,
            "assets": self.assets,
            "errors": list(self.build.errors),
        }


def unique_name_for(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9-]+", "-", name.split("/")[-1]).strip("-").lower()
    return (cleaned or "service")[:50]


def environment_for(service: Service, name: str) -> Environment:
    """The Toolkit's convention: ``production`` has no suffix; any other name N is the suffix of
    the environment ``N-environment``."""
    suffix = "" if name in ("", "production") else name.lower()
    found = service.environments.filter(domain_suffix=suffix or None).first()
    if found is not None:
        return found
    unique = "production" if not suffix else f"{suffix}-environment"
    return services.create_environment(service, unique, suffix or None)


def _owner(model: type[Function] | type[Asset], service: Service, path: str) -> Any:
    # The Toolkit names functions and assets by their path and matches existing ones by it.
    found = model.objects.filter(service=service, friendly_name=path).order_by("date_created").first()
    return found or model.objects.create(account=service.account, service=service, friendly_name=path)


def deploy_project(
    account: Account,
    root: Path,
    service_name: str | None = None,
    environment: str = "dev",
    project: Project | None = None,
) -> DeployResult:
    project = project or read_project(root)
    unique = unique_name_for(service_name or project.name)
    with transaction.atomic():
        service = Service.objects.filter(account=account, unique_name=unique).first()
        if service is None:
            service = services.create_service(account, unique, service_name or project.name)
        env = environment_for(service, environment)
        function_versions, asset_versions = [], []
        for file in project.functions:
            fv = services.create_function_version(
                _owner(Function, service, file.path),
                file.path,
                file.visibility,
                file.content,
                file.filename,
                file.content_type,
            )
            function_versions.append(fv)
        for file in project.assets:
            av = services.create_asset_version(
                _owner(Asset, service, file.path),
                file.path,
                file.visibility,
                file.content,
                file.filename,
                file.content_type,
            )
            asset_versions.append(av)
        deps = [{"name": k, "version": v} for k, v in project.dependencies.items()]
        build = services.create_build(
            service, [v.sid for v in function_versions], [v.sid for v in asset_versions], deps
        )
    build = wait_for(build)
    result = DeployResult(service, env, build)
    if not result.ok:
        return result
    for key, value in project.variables.items():
        services.set_variable(env, key, value)
    services.deploy(env, build)
    result.functions = [_entry(env, v.function.sid, v.path, v.visibility) for v in function_versions]
    result.assets = [_entry(env, v.asset.sid, v.path, v.visibility) for v in asset_versions]
    return result


def _entry(env: Environment, sid: str, path: str, visibility: str) -> dict[str, str]:
    return {"path": path, "sid": sid, "visibility": visibility, "url": resource_url(env, path)}


def wait_for(build: Build, timeout: float = BUILD_WAIT_SECONDS) -> Build:
    """Poll the build as the Toolkit polls Status (embedded mode finished it already)."""
    deadline = time.monotonic() + timeout
    while True:
        build.refresh_from_db()
        if build.status != Build.Status.BUILDING or time.monotonic() > deadline:
            return build
        time.sleep(0.5)
