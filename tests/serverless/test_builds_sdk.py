"""Builds, deployments and logs over the API, the Toolkit's way: upload versions (multipart), build,
poll Status, deploy; then the function answers at its environment's URL."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from django.test import Client as DjangoClient
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from serverless.models import Build, Environment

pytestmark = pytest.mark.django_db(transaction=True)

HELLO = b"exports.handler = (context, event, callback) => { console.log('hi ' + event.Name); callback(null, 'v1'); };\n"
HELLO_V2 = (
    b"exports.handler = (context, event, callback) => { console.warn('careful'); callback(null, 'v2'); };\n"
)
BROKEN = b"exports.handler = (context, event, callback) => { callback(null, 'oops' ;\n"


@pytest.fixture
def client(live_server: Any, alice: Any) -> Client:
    twilio = Client(alice.sid, alice.auth_token)
    twilio.serverless.base_url = live_server.url
    return twilio


def upload_function(
    live_server: Any,
    alice: Any,
    service_sid: str,
    function_sid: str,
    code: bytes,
    path: str = "/hello",
    visibility: str = "public",
) -> str:
    answer = requests.post(
        f"{live_server.url}/v1/Services/{service_sid}/Functions/{function_sid}/Versions",
        data={"Path": path, "Visibility": visibility},
        files={"Content": (path.rsplit("/", 1)[-1] + ".js", code, "application/javascript")},
        auth=(alice.sid, alice.auth_token),
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["sid"])


def get(env_sid: str, path: str, **params: str) -> Any:
    env = Environment.objects.get(sid=env_sid)
    return DjangoClient().get(f"/fn/{env.label}{path}", params)


def test_a_build_completes_deploys_and_serves(client: Client, live_server: Any, alice: Any) -> None:
    service = client.serverless.v1.services.create(unique_name="hello", friendly_name="Hello")
    env = client.serverless.v1.services(service.sid).environments.create(unique_name="production")
    fn = client.serverless.v1.services(service.sid).functions.create(friendly_name="/hello")
    version = upload_function(live_server, alice, service.sid, fn.sid, HELLO)

    build = client.serverless.v1.services(service.sid).builds.create(
        function_versions=[version], dependencies='"[]"', runtime="node22"
    )
    assert build.sid.startswith("ZB") and build.status == "building"
    status = client.serverless.v1.services(service.sid).builds(build.sid).build_status().fetch()
    assert status.status == "completed"  # embedded mode: the build ran in-process
    fetched = client.serverless.v1.services(service.sid).builds(build.sid).fetch()
    assert [v["sid"] for v in fetched.function_versions] == [version]
    assert fetched.function_versions[0]["path"] == "/hello"

    deployment = (
        client.serverless.v1.services(service.sid)
        .environments(env.sid)
        .deployments.create(build_sid=build.sid)
    )
    assert deployment.sid.startswith("ZD") and deployment.build_sid == build.sid
    assert client.serverless.v1.services(service.sid).environments(env.sid).fetch().build_sid == build.sid

    answer = get(env.sid, "/hello", Name="Ada")
    assert answer.status_code == 200 and answer.content == b"v1"
    logs = client.serverless.v1.services(service.sid).environments(env.sid).logs.list()
    assert [(log.level, log.message, log.function_sid) for log in logs] == [("info", "hi Ada", fn.sid)]
    assert logs[0].sid.startswith("NO") and logs[0].build_sid == build.sid


def test_redeploying_an_older_build_rolls_back_and_a_build_can_be_promoted(
    client: Client, live_server: Any, alice: Any
) -> None:
    service = client.serverless.v1.services.create(unique_name="roll", friendly_name="Roll")
    dev = client.serverless.v1.services(service.sid).environments.create(
        unique_name="dev-environment", domain_suffix="dev"
    )
    prod = client.serverless.v1.services(service.sid).environments.create(unique_name="production")
    fn = client.serverless.v1.services(service.sid).functions.create(friendly_name="/hello")
    builds = client.serverless.v1.services(service.sid).builds
    first = builds.create(function_versions=[upload_function(live_server, alice, service.sid, fn.sid, HELLO)])
    second = builds.create(
        function_versions=[upload_function(live_server, alice, service.sid, fn.sid, HELLO_V2)]
    )
    deployments = client.serverless.v1.services(service.sid).environments(dev.sid).deployments

    deployments.create(build_sid=second.sid)
    assert get(dev.sid, "/hello").content == b"v2"
    deployments.create(build_sid=first.sid)  # rollback
    assert get(dev.sid, "/hello").content == b"v1"
    assert [d.build_sid for d in deployments.list()] == [first.sid, second.sid]  # newest first

    client.serverless.v1.services(service.sid).environments(prod.sid).deployments.create(build_sid=second.sid)
    assert get(prod.sid, "/hello").content == b"v2" and get(dev.sid, "/hello").content == b"v1"
    assert get(prod.sid, "/nope").status_code == 404


def test_a_syntax_error_fails_the_build_with_the_error_kept(
    client: Client, live_server: Any, alice: Any
) -> None:
    service = client.serverless.v1.services.create(unique_name="broken", friendly_name="Broken")
    env = client.serverless.v1.services(service.sid).environments.create(unique_name="production")
    fn = client.serverless.v1.services(service.sid).functions.create(friendly_name="/hello")
    build = client.serverless.v1.services(service.sid).builds.create(
        function_versions=[upload_function(live_server, alice, service.sid, fn.sid, BROKEN)]
    )
    assert (
        client.serverless.v1.services(service.sid).builds(build.sid).build_status().fetch().status == "failed"
    )
    stored = Build.objects.get(sid=build.sid)
    assert stored.errors and "hello" in stored.errors[0] and stored.errors[0] in stored.build_log
    with pytest.raises(TwilioRestException) as refused:
        client.serverless.v1.services(service.sid).environments(env.sid).deployments.create(
            build_sid=build.sid
        )
    assert refused.value.status == 400
    assert client.serverless.v1.services(service.sid).environments(env.sid).fetch().build_sid is None


def test_duplicate_paths_in_one_build_are_refused(client: Client, live_server: Any, alice: Any) -> None:
    service = client.serverless.v1.services.create(unique_name="dupes", friendly_name="Dupes")
    one = client.serverless.v1.services(service.sid).functions.create(friendly_name="/a")
    two = client.serverless.v1.services(service.sid).functions.create(friendly_name="/b")
    versions = [
        upload_function(live_server, alice, service.sid, one.sid, HELLO, path="/same"),
        upload_function(live_server, alice, service.sid, two.sid, HELLO, path="/same"),
    ]
    with pytest.raises(TwilioRestException) as refused:
        client.serverless.v1.services(service.sid).builds.create(function_versions=versions)
    assert (refused.value.status, refused.value.code) == (400, 20001) and "/same" in refused.value.msg
