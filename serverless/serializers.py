"""JSON shapes of the Serverless v1 resources, field for field as Twilio answers them."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from serverless.conf import functions_domain, public_base, public_netloc
from serverless.models import (
    Asset,
    AssetVersion,
    Build,
    Deployment,
    Environment,
    Function,
    FunctionVersion,
    Log,
    Service,
    Variable,
)


def iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def api_url(path: str) -> str:
    return f"{public_base()}/v1{path}"


def svc_path(service_sid: str) -> str:
    return f"/Services/{service_sid}"


# --- domains ---------------------------------------------------------------------------------


def domain_name(env: Environment) -> str:
    """``{label}.{functions domain}`` when one is configured, else this server's host + /fn/{label}:
    ``https://{DOMAIN_NAME}/path`` as templates build it then reaches the function either way."""
    domain = functions_domain()
    if domain:
        return f"{env.label}.{domain}"
    return f"{public_netloc()}/fn/{env.label}"


def environment_base_url(env: Environment) -> str:
    scheme = urlsplit(public_base()).scheme or "http"
    return f"{scheme}://{domain_name(env)}"


def resource_url(env: Environment, path: str) -> str:
    return environment_base_url(env) + (path if path.startswith("/") else "/" + path)


# --- resources -------------------------------------------------------------------------------


def service_json(s: Service) -> dict[str, Any]:
    base = svc_path(s.sid)
    return {
        "sid": s.sid,
        "account_sid": s.account.sid,
        "friendly_name": s.friendly_name,
        "unique_name": s.unique_name,
        "include_credentials": s.include_credentials,
        "ui_editable": s.ui_editable,
        "domain_base": s.domain_base,
        "date_created": iso(s.date_created),
        "date_updated": iso(s.date_updated),
        "url": api_url(base),
        "links": {
            "environments": api_url(f"{base}/Environments"),
            "functions": api_url(f"{base}/Functions"),
            "assets": api_url(f"{base}/Assets"),
            "builds": api_url(f"{base}/Builds"),
        },
    }


def environment_json(e: Environment) -> dict[str, Any]:
    base = f"{svc_path(e.service.sid)}/Environments/{e.sid}"
    return {
        "sid": e.sid,
        "account_sid": e.account.sid,
        "service_sid": e.service.sid,
        "build_sid": e.build.sid if e.build else None,
        "unique_name": e.unique_name,
        "domain_suffix": e.domain_suffix or None,
        "domain_name": domain_name(e),
        "custom_domain_name": None,
        "date_created": iso(e.date_created),
        "date_updated": iso(e.date_updated),
        "url": api_url(base),
        "links": {
            "variables": api_url(f"{base}/Variables"),
            "deployments": api_url(f"{base}/Deployments"),
            "logs": api_url(f"{base}/Logs"),
        },
    }


def function_json(f: Function) -> dict[str, Any]:
    base = f"{svc_path(f.service.sid)}/Functions/{f.sid}"
    return {
        "sid": f.sid,
        "account_sid": f.account.sid,
        "service_sid": f.service.sid,
        "friendly_name": f.friendly_name,
        "date_created": iso(f.date_created),
        "date_updated": iso(f.date_updated),
        "url": api_url(base),
        "links": {"function_versions": api_url(f"{base}/Versions")},
    }


def asset_json(a: Asset) -> dict[str, Any]:
    base = f"{svc_path(a.service.sid)}/Assets/{a.sid}"
    return {
        "sid": a.sid,
        "account_sid": a.account.sid,
        "service_sid": a.service.sid,
        "friendly_name": a.friendly_name,
        "date_created": iso(a.date_created),
        "date_updated": iso(a.date_updated),
        "url": api_url(base),
        "links": {"asset_versions": api_url(f"{base}/Versions")},
    }


def function_version_json(v: FunctionVersion) -> dict[str, Any]:
    base = f"{svc_path(v.service.sid)}/Functions/{v.function.sid}/Versions/{v.sid}"
    return {
        "sid": v.sid,
        "account_sid": v.account.sid,
        "service_sid": v.service.sid,
        "function_sid": v.function.sid,
        "path": v.path,
        "visibility": v.visibility,
        "date_created": iso(v.date_created),
        "url": api_url(base),
        "links": {"function_version_content": api_url(f"{base}/Content")},
    }


def asset_version_json(v: AssetVersion) -> dict[str, Any]:
    base = f"{svc_path(v.service.sid)}/Assets/{v.asset.sid}/Versions/{v.sid}"
    return {
        "sid": v.sid,
        "account_sid": v.account.sid,
        "service_sid": v.service.sid,
        "asset_sid": v.asset.sid,
        "path": v.path,
        "visibility": v.visibility,
        "date_created": iso(v.date_created),
        "url": api_url(base),
    }


def _embedded_version(v: FunctionVersion | AssetVersion, owner_key: str, owner_sid: str) -> dict[str, Any]:
    # The SDK fixtures embed version objects in a build, not bare SIDs (spec §1.3 "Shape quirk").
    return {
        "sid": v.sid,
        "account_sid": v.account.sid,
        "service_sid": v.service.sid,
        owner_key: owner_sid,
        "date_created": iso(v.date_created),
        "path": v.path,
        "visibility": v.visibility,
    }


def build_json(b: Build) -> dict[str, Any]:
    base = f"{svc_path(b.service.sid)}/Builds/{b.sid}"
    functions = b.function_versions.select_related("account", "service", "function").order_by("path")
    assets = b.asset_versions.select_related("account", "service", "asset").order_by("path")
    return {
        "sid": b.sid,
        "account_sid": b.account.sid,
        "service_sid": b.service.sid,
        "status": b.status,
        "asset_versions": [_embedded_version(v, "asset_sid", v.asset.sid) for v in assets],
        "function_versions": [_embedded_version(v, "function_sid", v.function.sid) for v in functions],
        "dependencies": b.dependencies,
        "runtime": b.runtime,
        "date_created": iso(b.date_created),
        "date_updated": iso(b.date_updated),
        "url": api_url(base),
        "links": {"build_status": api_url(f"{base}/Status")},
    }


def build_status_json(b: Build) -> dict[str, Any]:
    return {
        "sid": b.sid,
        "account_sid": b.account.sid,
        "service_sid": b.service.sid,
        "status": b.status,
        "url": api_url(f"{svc_path(b.service.sid)}/Builds/{b.sid}/Status"),
    }


def deployment_json(d: Deployment) -> dict[str, Any]:
    return {
        "sid": d.sid,
        "account_sid": d.account.sid,
        "service_sid": d.service.sid,
        "environment_sid": d.environment.sid,
        "build_sid": d.build.sid,
        "date_created": iso(d.date_created),
        "date_updated": iso(d.date_updated),
        "url": api_url(f"{svc_path(d.service.sid)}/Environments/{d.environment.sid}/Deployments/{d.sid}"),
    }


def variable_json(v: Variable) -> dict[str, Any]:
    return {
        "sid": v.sid,
        "account_sid": v.account.sid,
        "service_sid": v.service.sid,
        "environment_sid": v.environment.sid,
        "key": v.key,
        "value": v.value,
        "date_created": iso(v.date_created),
        "date_updated": iso(v.date_updated),
        "url": api_url(f"{svc_path(v.service.sid)}/Environments/{v.environment.sid}/Variables/{v.sid}"),
    }


def log_json(log: Log) -> dict[str, Any]:
    return {
        "sid": log.sid,
        "account_sid": log.account.sid,
        "service_sid": log.service.sid,
        "environment_sid": log.environment.sid,
        "build_sid": log.build_sid or None,
        "deployment_sid": log.deployment_sid or None,
        "function_sid": log.function_sid or None,
        "request_sid": log.request_sid or None,
        "level": log.level,
        "message": log.message,
        "date_created": iso(log.date_created),
        "url": api_url(f"{svc_path(log.service.sid)}/Environments/{log.environment.sid}/Logs/{log.sid}"),
    }
