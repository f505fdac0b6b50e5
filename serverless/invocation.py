"""What serving a live environment needs, shared by the HTTP gateway and Studio's Run Function:
the route table of a build, the ``context`` of an invocation, the call into the runtime, and
the function's console output stored as Log rows."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from accounts import metrics
from accounts.sids import new_sid
from serverless.builds import bundle_for
from serverless.conf import api_base_url
from serverless.live import publish
from serverless.models import Build, Environment, Log
from serverless.serializers import domain_name, resource_url

# Headers a function never sees in event.request.headers (the Toolkit's emulation list, spec §2.2).
WITHHELD_PREFIXES = ("i-twilio-", "i-t-", "ot-", "x-amz", "x-forwarded-", "x-accel-")
WITHHELD = {
    "via",
    "referer",
    "transfer-encoding",
    "proxy-authorization",
    "proxy-authenticate",
    "x-real-ip",
    "connection",
    "proxy-connection",
    "expect",
    "trailer",
    "upgrade",
}


@dataclass(frozen=True)
class Route:
    kind: str  # "function" | "asset"
    path: str
    visibility: str
    sid: str  # ZH of the function or asset
    content_hash: str
    content_type: str


_routes: dict[str, dict[str, Route]] = {}
_lock = threading.Lock()


def routes_of(build: Build) -> dict[str, Route]:
    """path -> Route for a build (immutable, so computed once per process)."""
    with _lock:
        cached = _routes.get(build.sid)
    if cached is not None:
        return cached
    table: dict[str, Route] = {}
    for av in build.asset_versions.select_related("asset"):
        table[av.path] = Route(
            "asset", av.path, av.visibility, av.asset.sid, av.content_hash, av.content_type
        )
    for fv in build.function_versions.select_related("function"):
        table[fv.path] = Route(
            "function", fv.path, fv.visibility, fv.function.sid, fv.content_hash, fv.content_type
        )
    with _lock:
        _routes[build.sid] = table
    return table


def live_environment(label: str) -> Environment | None:
    return (
        Environment.objects.select_related("account", "service", "build", "deployment")
        .filter(label=label)
        .first()
    )


def visible_headers(headers: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers.items():
        low = name.lower()
        if low in WITHHELD or low.startswith(WITHHELD_PREFIXES):
            continue
        out[low] = value
    return out


def context_for(env: Environment, path: str) -> dict[str, str]:
    """Variables, then the names the runtime sets (a variable cannot shadow them)."""
    context = {v.key: v.value for v in env.variables.all()}
    context.update(
        {
            "DOMAIN_NAME": domain_name(env),
            "PATH": path,
            "SERVICE_SID": env.service.sid,
            "ENVIRONMENT_SID": env.sid,
        }
    )
    if env.service.include_credentials:
        context["ACCOUNT_SID"] = env.account.sid
        context["AUTH_TOKEN"] = env.account.auth_token
    else:  # the Toolkit never uploads these from .env: without credentials they are absent
        context.pop("ACCOUNT_SID", None)
        context.pop("AUTH_TOKEN", None)
    return context


def invoke(
    env: Environment, route: Route, params: dict[str, Any], headers: dict[str, str], cookies: dict[str, str]
) -> Any:
    """Run ``route``'s function on the environment's live build; its logs become Log rows."""
    from serverless.runtime import InvokeRequest
    from serverless.runtime import invoke as runtime_invoke

    assert env.build is not None
    bundle = bundle_for(env.build)
    table = routes_of(env.build)
    event: dict[str, Any] = {
        "request": {"headers": visible_headers(headers), "cookies": dict(cookies)},
        **params,
    }
    request = InvokeRequest(
        bundle=bundle,
        path=route.path,
        context=context_for(env, route.path),
        event=event,
        api_base_url=api_base_url(),
        asset_urls={r.path: resource_url(env, r.path) for r in table.values() if r.kind == "asset"},
    )
    try:
        result = runtime_invoke(request)
    except Exception:
        metrics.inc("studio_function_invocations_total", outcome="error")
        raise
    metrics.inc("studio_function_invocations_total", outcome="error" if result.error else "ok")
    record_logs(env, route.sid, result, function_path=route.path)
    return result


def record_logs(env: Environment, function_sid: str, result: Any, function_path: str = "") -> None:
    request_sid = new_sid("RQ")
    common = {
        "account": env.account,
        "service": env.service,
        "environment": env,
        "build_sid": env.build.sid if env.build else "",
        "deployment_sid": env.deployment.sid if env.deployment else "",
        "function_sid": function_sid,
        "request_sid": request_sid,
    }
    rows = [
        Log(
            level=line.level if line.level in Log.Level.values else Log.Level.INFO,
            message=line.message,
            **common,
        )
        for line in result.logs
    ]
    if result.error:
        rows.append(Log(level=Log.Level.ERROR, message=str(result.error), **common))
    if rows:
        Log.objects.bulk_create(rows)
        publish(env.sid, rows, function_path=function_path)
