"""The engine's Function host (``settings.STUDIO["FUNCTION_HOST"] = "serverless.gateway.FunctionHost"``):
a Run Function widget whose ``function_sid`` names a function deployed here runs it in-process
through the runtime, without an HTTP round trip.

Studio signs its requests, so protected functions accept these calls; the function still sees an
``X-Twilio-Signature`` computed as Twilio would for its URL. Private functions are not callable
(404, as by URL). ``None`` means "not deployed here": the widget then calls the URL over HTTP.
"""

from __future__ import annotations

import re
from typing import Any

from twilio.request_validator import RequestValidator

from serverless.invocation import Route, invoke, routes_of
from serverless.models import Environment, Function, Visibility
from serverless.serializers import resource_url


def live_environment_of(function: Function, environment_sid: str = "") -> tuple[Environment, Route] | None:
    """The environment serving the function: ``environment_sid`` when given (the widget's choice),
    else the most recently deployed one whose live build holds it."""
    envs = (
        Environment.objects.select_related("account", "service", "build", "deployment")
        .filter(service=function.service_id, build__isnull=False, build__function_versions__function=function)
        .distinct()
        .order_by("-deployment__date_created", "-id")
    )
    if environment_sid:
        envs = envs.filter(sid=environment_sid)
    for env in envs:
        assert env.build is not None
        for route in routes_of(env.build).values():
            if route.kind == "function" and route.sid == function.sid:
                return env, route
    return None


def _params(parameters: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in parameters:
        if key in out:  # a repeated key arrives as a list, as a form body's would
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
    return out


def _error_result(status: int, message: str) -> Any:
    import json

    from serverless.runtime import InvokeResult

    body = {"code": 20404 if status == 404 else 82005, "message": message, "status": status}
    return InvokeResult(
        status=status,
        headers=[("Content-Type", "application/json")],
        body=json.dumps(body).encode(),
        logs=[],
        error=message if status >= 500 else None,
        duration_ms=0.0,
    )


HOLD_MUSIC = re.compile(r"hold[^/]*\.(mp3|wav|ogg|m4a)$", re.IGNORECASE)


def chosen_environment(
    account: Any, function_sid: str, environment_sid: str
) -> tuple[Environment, Route] | None:
    """The widget's environment (one indexed read; the live build's routes are cached per
    process) and the function's route in its live build, if it serves the function."""
    env = (
        Environment.objects.select_related("account", "service", "build", "deployment")
        .filter(account=account, sid=environment_sid, build__isnull=False)
        .first()
    )
    if env is None or env.build is None:
        return None
    for route in routes_of(env.build).values():
        if route.kind == "function" and route.sid == function_sid:
            return env, route
    return None


class FunctionHost:
    """Runs deployed functions for Studio's Run Function widget."""

    def hold_music_url(self, account: Any) -> str | None:
        """The newest live, public audio asset named like hold music (``/hold-music.mp3``,
        ``/audio/hold.wav``…) of the account's environments: what a held caller hears."""
        envs = (
            Environment.objects.select_related("account", "build")
            .filter(account=account, build__isnull=False)
            .order_by("-date_updated", "-id")
        )
        for env in envs[:20]:
            assert env.build is not None
            for route in sorted(routes_of(env.build).values(), key=lambda r: r.path):
                if (
                    route.kind == "asset"
                    and route.visibility == Visibility.PUBLIC
                    and HOLD_MUSIC.search(route.path)
                ):
                    return resource_url(env, route.path)
        return None

    @staticmethod
    def _latest(account: Any, function_sid: str) -> tuple[Environment, Route] | None:
        function = (
            Function.objects.select_related("service").filter(account=account, sid=function_sid).first()
        )
        return None if function is None else live_environment_of(function)

    def invoke(
        self,
        account: Any,
        function_sid: str,
        parameters: list[tuple[str, str]],
        headers: dict[str, str],
        environment_sid: str = "",
    ) -> Any:
        found = (
            chosen_environment(account, function_sid, environment_sid)
            if environment_sid
            else self._latest(account, function_sid)
        )
        if found is None:
            return None  # not live (there): the widget's URL is all there is
        env, route = found
        if route.visibility == Visibility.PRIVATE:
            return _error_result(404, f"The requested resource {route.path} was not found")
        params = _params(parameters)
        sent = {name.lower(): value for name, value in headers.items()}
        if "x-twilio-signature" not in sent:
            flat = {k: v if isinstance(v, str) else v[-1] for k, v in params.items()}
            url = resource_url(env, route.path)
            sent["x-twilio-signature"] = RequestValidator(env.account.auth_token).compute_signature(url, flat)
        sent.setdefault("content-type", "application/x-www-form-urlencoded")
        try:
            return invoke(env, route, params, sent, {})
        except Exception as exc:  # the sandbox could not run it: the widget takes `fail`
            return _error_result(503, f"The function could not be run: {exc}")
