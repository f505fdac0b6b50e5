"""Operations on Serverless resources, shared by the REST API, the deploy command and the console.

Each raises ``TwilioAPIError`` with Twilio's codes on bad input, so every caller answers alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from accounts.errors import TwilioAPIError, invalid_parameter, not_found
from accounts.models import Account
from serverless import storage
from serverless.conf import max_upload_bytes
from serverless.models import (
    Asset,
    AssetVersion,
    Build,
    Deployment,
    Environment,
    Function,
    FunctionVersion,
    Service,
    Variable,
    Visibility,
    random_digits,
)

UNIQUE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
FORBIDDEN_PATH_CHARS = set(";,?:@+&$()'\" #")
MAX_SERVICES = 50
RUNTIME_RE = re.compile(r"^node\d+$")


# --- lookups ---------------------------------------------------------------------------------


def service_for(account: Account, sid_or_name: str) -> Service:
    """A service of the account by SID or unique name (Twilio accepts either in URLs)."""
    qs = Service.objects.select_related("account").filter(account=account)
    found = qs.filter(sid=sid_or_name).first() or qs.filter(unique_name=sid_or_name).first()
    if found is None:
        raise not_found(f"The requested resource /Services/{sid_or_name} was not found")
    return found


def child_for(qs: QuerySet[Any], sid: str, path: str) -> Any:
    found = qs.filter(sid=sid).first()
    if found is None:
        raise not_found(f"The requested resource {path} was not found")
    return found


# --- services and environments ---------------------------------------------------------------


def create_service(
    account: Account,
    unique_name: str,
    friendly_name: str,
    include_credentials: bool = True,
    ui_editable: bool = False,
) -> Service:
    if len(unique_name) > 50 or not UNIQUE_NAME_RE.match(unique_name):
        raise invalid_parameter("UniqueName", "letters, digits and dashes, at most 50")
    if len(friendly_name) > 255:
        raise invalid_parameter("FriendlyName", "at most 255 characters")
    if Service.objects.filter(account=account).count() >= MAX_SERVICES:
        raise TwilioAPIError(400, 20001, "Services are limited to less than or equal to 50")
    if Service.objects.filter(account=account, unique_name=unique_name).exists():
        raise TwilioAPIError(409, 54301, f"Unique name already exists: {unique_name}")
    for _ in range(20):  # domain_base is global: retry the random part on a collision
        base = f"{unique_name.lower()}-{random_digits()}"
        if not Service.objects.filter(domain_base=base).exists():
            break
    return Service.objects.create(
        account=account,
        unique_name=unique_name,
        friendly_name=friendly_name,
        include_credentials=include_credentials,
        ui_editable=ui_editable,
        domain_base=base,
    )


def create_environment(service: Service, unique_name: str, domain_suffix: str | None) -> Environment:
    if not unique_name or len(unique_name) > 100:
        raise invalid_parameter("UniqueName", "1 to 100 characters")
    suffix = (domain_suffix or "").strip().lower() or None
    if suffix is not None and (len(suffix) > 16 or not UNIQUE_NAME_RE.match(suffix)):
        raise invalid_parameter("DomainSuffix", "letters, digits and dashes, at most 16")
    if service.environments.filter(unique_name=unique_name).exists():
        raise TwilioAPIError(409, 54301, f"Unique name already exists: {unique_name}")
    if service.environments.filter(domain_suffix=suffix).exists():
        raise TwilioAPIError(409, 54302, f"Domain suffix already used: {suffix}")
    label = service.domain_base + (f"-{suffix}" if suffix else "")
    try:
        return Environment.objects.create(
            account=service.account,
            service=service,
            unique_name=unique_name,
            domain_suffix=suffix,
            label=label,
        )
    except IntegrityError:
        raise TwilioAPIError(409, 54302, f"Domain already used: {label}") from None


# --- versions --------------------------------------------------------------------------------


def clean_path(raw: str) -> str:
    path = raw.strip()
    if not path.startswith("/"):
        path = "/" + path  # Twilio adds the leading slash
    if len(path) >= 256 or FORBIDDEN_PATH_CHARS & set(path) or ".." in path.split("/") or "//" in path:
        raise invalid_parameter("Path", f"{raw!r} is not a valid path")
    return path


def clean_visibility(raw: str | None) -> str:
    value = (raw or Visibility.PUBLIC).strip().lower()
    if value not in Visibility.values:
        raise invalid_parameter("Visibility", "public, protected or private")
    return value


def check_size(content: bytes) -> None:
    if len(content) > max_upload_bytes():
        raise TwilioAPIError(413, 20413, "Request entity too large: a version may hold at most 25 MB")


def create_function_version(
    function: Function, path: str, visibility: str | None, content: bytes, filename: str, content_type: str
) -> FunctionVersion:
    check_size(content)
    return FunctionVersion.objects.create(
        account=function.account,
        service=function.service,
        function=function,
        path=clean_path(path),
        visibility=clean_visibility(visibility),
        filename=filename or "index.js",
        content_type=content_type or "application/javascript",
        content_hash=storage.put(content),
        size=len(content),
    )


def create_asset_version(
    asset: Asset, path: str, visibility: str | None, content: bytes, filename: str, content_type: str
) -> AssetVersion:
    check_size(content)
    return AssetVersion.objects.create(
        account=asset.account,
        service=asset.service,
        asset=asset,
        path=clean_path(path),
        visibility=clean_visibility(visibility),
        filename=filename or path.rsplit("/", 1)[-1],
        content_type=content_type or "application/octet-stream",
        content_hash=storage.put(content),
        size=len(content),
    )


# --- builds ----------------------------------------------------------------------------------


def parse_dependencies(raw: Any) -> list[dict[str, str]]:
    """``Dependencies``: a JSON array of {name, version}; the Toolkit wraps it in an extra pair of
    double quotes (spec §1.3 "Encoding quirk"), so one layer of quoting is stripped first."""
    if raw in (None, ""):
        return []
    if isinstance(raw, (list, dict)):  # already parsed (the deploy command)
        raw = json.dumps(raw)
    text = str(raw).strip()
    try:
        value = json.loads(text)
        if isinstance(value, str):  # '"[...]"' decoded once is the array's text
            value = json.loads(value)
    except json.JSONDecodeError:
        if len(text) >= 2 and text[0] == text[-1] == '"':
            try:
                value = json.loads(text[1:-1])
            except json.JSONDecodeError:
                raise invalid_parameter("Dependencies", "not a JSON array") from None
        else:
            raise invalid_parameter("Dependencies", "not a JSON array") from None
    if isinstance(value, dict):  # package.json style {name: version}
        value = [{"name": k, "version": v} for k, v in value.items()]
    if not isinstance(value, list):
        raise invalid_parameter("Dependencies", "not a JSON array")
    deps: list[dict[str, str]] = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise invalid_parameter("Dependencies", "each item needs a name")
        deps.append({"name": item["name"], "version": str(item.get("version") or "*")})
    return deps


def _versions(qs: QuerySet[Any], sids: Iterable[str], name: str) -> list[Any]:
    wanted = list(dict.fromkeys(s for s in sids if s))
    found = {v.sid: v for v in qs.filter(sid__in=wanted)}
    missing = [s for s in wanted if s not in found]
    if missing:
        raise invalid_parameter(name, f"unknown version {missing[0]}")
    paths = [found[s].path for s in wanted]
    duplicates = sorted({p for p in paths if paths.count(p) > 1})
    if duplicates:
        raise invalid_parameter(name, f"duplicate path {duplicates[0]} in one build")
    return [found[s] for s in wanted]


def create_build(
    service: Service,
    function_versions: Iterable[str],
    asset_versions: Iterable[str],
    dependencies: Any = None,
    runtime: str | None = None,
) -> Build:
    """A new Build (status ``building``); the build task runs once the transaction commits."""
    fvs = _versions(FunctionVersion.objects.filter(service=service), function_versions, "FunctionVersions")
    avs = _versions(AssetVersion.objects.filter(service=service), asset_versions, "AssetVersions")
    runtime = (runtime or "node22").strip()
    if not RUNTIME_RE.match(runtime):
        raise invalid_parameter("Runtime", "nodeNN")
    deps = parse_dependencies(dependencies)
    with transaction.atomic():
        build = Build.objects.create(
            account=service.account, service=service, dependencies=deps, runtime=runtime
        )
        build.function_versions.set(fvs)
        build.asset_versions.set(avs)
        transaction.on_commit(lambda: _queue_build(build.sid))
    return build


def _queue_build(build_sid: str) -> None:
    from serverless.tasks import run_build

    run_build.delay(build_sid)


# --- deployments and variables ---------------------------------------------------------------


def deploy(environment: Environment, build: Build) -> Deployment:
    """Make ``build`` live on ``environment`` (an older build = rollback; another env = promote)."""
    if build.service_id != environment.service_id:
        raise invalid_parameter("BuildSid", "the build belongs to another service")
    if build.status != Build.Status.COMPLETED:
        raise TwilioAPIError(400, 20001, f"Build {build.sid} is {build.status}, not completed")
    with transaction.atomic():
        deployment = Deployment.objects.create(
            account=environment.account, service=environment.service, environment=environment, build=build
        )
        Environment.objects.filter(pk=environment.pk).update(build=build, deployment=deployment)
    environment.build, environment.deployment = build, deployment
    return deployment


def check_variable(key: str | None, value: str | None) -> None:
    if key is not None and (not key or len(key) > 128):
        raise invalid_parameter("Key", "1 to 128 characters")
    if value is not None and len(value.encode()) > 450:
        raise invalid_parameter("Value", "at most 450 bytes")


def set_variable(environment: Environment, key: str, value: str) -> Variable:
    check_variable(key, value)
    variable, _ = Variable.objects.update_or_create(
        environment=environment,
        key=key,
        defaults={"value": value, "account": environment.account, "service": environment.service},
    )
    return variable
