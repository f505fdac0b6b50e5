"""The canvas's pickers read ``/api/console/functions/catalog``: the account's services, their
environments, and what each environment's live build serves (functions and assets, with URLs)."""

from __future__ import annotations

from typing import Any

import pytest

from serverless import services
from serverless.models import Asset, Build, Environment, Function
from serverless.serializers import environment_base_url

pytestmark = pytest.mark.django_db


def deployed(account: Any, name: str) -> Environment:
    """A service whose production environment serves /hello (public), /admin (protected),
    /secret (private) and the asset /hold.mp3; staging has nothing deployed."""
    service = services.create_service(account, name, name)
    env = services.create_environment(service, "production", None)
    services.create_environment(service, "staging", "stage")
    fns = []
    for path, visibility in (("/hello", "public"), ("/admin", "protected"), ("/secret", "private")):
        fn = Function.objects.create(account=account, service=service, friendly_name=path)
        fns.append(services.create_function_version(fn, path, visibility, b"exports.handler=()=>{}", "", ""))
    asset = Asset.objects.create(account=account, service=service, friendly_name="/hold.mp3")
    hold = services.create_asset_version(asset, "/hold.mp3", "public", b"ID3", "hold.mp3", "audio/mpeg")
    build = Build.objects.create(account=account, service=service, status=Build.Status.COMPLETED)
    build.function_versions.set(fns)
    build.asset_versions.set([hold])
    services.deploy(env, build)
    return env


def test_the_catalog_lists_what_each_environment_serves_with_urls(console: Any, bob: Any) -> None:
    env = deployed(console.account, "ivr")
    deployed(bob, "strangers")
    answer = console.get("/api/console/functions/catalog")
    assert answer.status_code == 200
    [service] = answer.json()["services"]  # Bob's service is not Alice's to pick
    assert (service["sid"], service["unique_name"]) == (env.service.sid, "ivr")
    production, staging = service["environments"]
    assert production["sid"] == env.sid and production["build_sid"] == env.build.sid
    base = environment_base_url(env)  # PUBLIC_BASE_URL/fn/{label}
    assert base.endswith(f"/fn/{env.label}")
    assert [(f["path"], f["visibility"], f["url"]) for f in production["functions"]] == [
        ("/admin", "protected", f"{base}/admin"),
        ("/hello", "public", f"{base}/hello"),
    ]  # private functions are not routable, so not offered
    hello = production["functions"][1]
    assert Function.objects.get(sid=hello["sid"]).friendly_name == "/hello"
    assert [(a["path"], a["url"]) for a in production["assets"]] == [("/hold.mp3", f"{base}/hold.mp3")]
    assert staging["unique_name"] == "staging" and staging["functions"] == staging["assets"] == []


def test_the_catalog_needs_a_console_session(api: Any) -> None:
    assert api.get("/api/console/functions/catalog").status_code in (401, 403)


def test_the_function_host_runs_a_function_only_in_an_environment_of_the_account_that_serves_it(
    alice: Any, bob: Any
) -> None:
    """The widget's environment is looked up by SID within the account: staging (nothing
    deployed), another account's environment, or a function the build lacks → not live there
    (``None``: the widget calls its URL instead). Nothing here reaches the sandbox."""
    from serverless.gateway import FunctionHost

    env = deployed(alice, "ivr")
    hello = env.build.function_versions.get(path="/hello").function.sid
    staging = env.service.environments.get(unique_name="staging")
    strangers = deployed(bob, "strangers")
    host = FunctionHost()
    assert host.invoke(alice, hello, [], {}, staging.sid) is None
    assert host.invoke(alice, hello, [], {}, strangers.sid) is None
    assert host.invoke(bob, hello, [], {}, env.sid) is None
    assert host.invoke(alice, "ZH" + "0" * 32, [], {}, env.sid) is None
    secret = env.build.function_versions.get(path="/secret").function.sid
    assert host.invoke(alice, secret, [], {}, env.sid).status == 404  # private: not callable
