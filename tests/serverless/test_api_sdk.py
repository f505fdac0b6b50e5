"""The official ``twilio`` client drives the Serverless v1 API here (``client.serverless.base_url``),
and version uploads arrive as the Serverless Toolkit sends them (multipart/form-data)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(live_server: Any, account: Any) -> Client:
    twilio = Client(account.sid, account.auth_token)
    twilio.serverless.base_url = live_server.url
    return twilio


@pytest.fixture
def client(live_server: Any, alice: Any) -> Client:
    return client_for(live_server, alice)


def upload(
    live_server: Any,
    account: Any,
    url_path: str,
    path: str,
    visibility: str,
    content: bytes,
    name: str,
    ctype: str,
) -> requests.Response:
    """One version upload, shaped as serverless-api/src/api/functions.ts sends it."""
    return requests.post(
        f"{live_server.url}/v1{url_path}",
        data={"Path": path, "Visibility": visibility},
        files={"Content": (name, content, ctype)},
        auth=(account.sid, account.auth_token),
        timeout=10,
    )


def http_error(attempt: Any) -> tuple[int, int]:
    with pytest.raises(TwilioRestException) as err:
        attempt()
    return err.value.status, err.value.code


def test_it_creates_fetches_updates_lists_and_deletes_services(client: Client) -> None:
    service = client.serverless.v1.services.create(unique_name="my-app", friendly_name="My App")
    assert service.sid.startswith("ZS") and len(service.sid) == 34
    assert service.unique_name == "my-app" and service.include_credentials is True
    assert service.domain_base.startswith("my-app-") and service.domain_base[7:].isdigit()
    assert service.links["environments"].endswith(f"/v1/Services/{service.sid}/Environments")

    by_name = client.serverless.v1.services("my-app").fetch()
    assert by_name.sid == service.sid  # the unique name stands for the SID in URLs
    updated = client.serverless.v1.services(service.sid).update(
        friendly_name="Renamed", include_credentials=False
    )
    assert (updated.friendly_name, updated.include_credentials) == ("Renamed", False)
    assert [s.sid for s in client.serverless.v1.services.list()] == [service.sid]
    assert (
        http_error(lambda: client.serverless.v1.services.create(unique_name="my-app", friendly_name="x"))[0]
        == 409
    )
    assert client.serverless.v1.services(service.sid).delete() is True
    assert client.serverless.v1.services.list() == []


def test_it_names_environments_domains_as_twilio_does(client: Client, settings: Any) -> None:
    service = client.serverless.v1.services.create(unique_name="shop", friendly_name="Shop")
    prod = client.serverless.v1.services(service.sid).environments.create(unique_name="production")
    dev = client.serverless.v1.services(service.sid).environments.create(
        unique_name="dev-environment", domain_suffix="dev"
    )
    assert prod.sid.startswith("ZE") and prod.build_sid is None and prod.domain_suffix is None
    host = settings.PUBLIC_BASE_URL.split("://", 1)[1]  # the server's public host, path by environment
    assert prod.domain_name == f"{host}/fn/{service.domain_base}"
    assert dev.domain_name == f"{host}/fn/{service.domain_base}-dev"
    listed = client.serverless.v1.services(service.sid).environments.list()
    assert [e.unique_name for e in listed] == ["production", "dev-environment"]
    assert client.serverless.v1.services(service.sid).environments(dev.sid).delete() is True


def test_it_keeps_functions_assets_and_their_uploaded_versions(
    client: Client, live_server: Any, alice: Any
) -> None:
    service = client.serverless.v1.services.create(unique_name="files", friendly_name="Files")
    fn = client.serverless.v1.services(service.sid).functions.create(friendly_name="/hello")
    asset = client.serverless.v1.services(service.sid).assets.create(friendly_name="/logo.txt")
    assert fn.sid.startswith("ZH") and asset.sid.startswith("ZH")
    assert (
        client.serverless.v1.services(service.sid).functions(fn.sid).update(friendly_name="/hi").friendly_name
        == "/hi"
    )

    code = b"exports.handler = (context, event, callback) => callback(null, 'hi');\n"
    answer = upload(
        live_server,
        alice,
        f"/Services/{service.sid}/Functions/{fn.sid}/Versions",
        "hello",
        "protected",
        code,
        "hello.js",
        "application/javascript",
    )
    assert answer.status_code == 201, answer.text
    version = answer.json()
    assert (
        version["sid"].startswith("ZN")
        and version["path"] == "/hello"
        and version["visibility"] == "protected"
    )

    fetched = (
        client.serverless.v1.services(service.sid).functions(fn.sid).function_versions(version["sid"]).fetch()
    )
    assert (fetched.path, fetched.visibility) == ("/hello", "protected")
    content = (
        client.serverless.v1.services(service.sid)
        .functions(fn.sid)
        .function_versions(version["sid"])
        .function_version_content()
        .fetch()
    )
    assert content.content == code.decode()
    assert [
        v.sid for v in client.serverless.v1.services(service.sid).functions(fn.sid).function_versions.list()
    ] == [version["sid"]]

    answer = upload(
        live_server,
        alice,
        f"/Services/{service.sid}/Assets/{asset.sid}/Versions",
        "/logo.txt",
        "public",
        b"logo",
        "logo.txt",
        "text/plain",
    )
    assert answer.status_code == 201, answer.text
    asset_versions = client.serverless.v1.services(service.sid).assets(asset.sid).asset_versions.list()
    assert [(v.path, v.visibility) for v in asset_versions] == [("/logo.txt", "public")]


def test_it_refuses_bad_paths_and_oversized_uploads(
    client: Client, live_server: Any, alice: Any, settings: Any
) -> None:
    service = client.serverless.v1.services.create(unique_name="limits", friendly_name="Limits")
    fn = client.serverless.v1.services(service.sid).functions.create(friendly_name="/x")
    url = f"/Services/{service.sid}/Functions/{fn.sid}/Versions"
    bad = upload(live_server, alice, url, "/../etc/passwd", "public", b"x", "x.js", "application/javascript")
    assert (
        bad.status_code == 400
        and bad.json()["code"] == 20001
        and set(bad.json()) >= {"message", "more_info", "status"}
    )
    settings.SERVERLESS = {**settings.SERVERLESS, "MAX_UPLOAD_BYTES": 1024}
    big = upload(live_server, alice, url, "/x", "public", b"x" * 4096, "x.js", "application/javascript")
    assert big.status_code == 413


def test_variables_are_created_updated_and_deleted_per_environment(client: Client) -> None:
    service = client.serverless.v1.services.create(unique_name="vars", friendly_name="Vars")
    env = client.serverless.v1.services(service.sid).environments.create(unique_name="production")
    variables = client.serverless.v1.services(service.sid).environments(env.sid).variables
    created = variables.create(key="GREETING", value="hello")
    assert created.sid.startswith("ZV") and (created.key, created.value) == ("GREETING", "hello")
    assert variables(created.sid).update(value="bonjour").value == "bonjour"
    assert [(v.key, v.value) for v in variables.list()] == [("GREETING", "bonjour")]
    assert http_error(lambda: variables.create(key="GREETING", value="again"))[0] == 409
    assert variables(created.sid).delete() is True
    assert variables.list() == []


def test_another_accounts_resources_answer_404(client: Client, live_server: Any, bob: Any) -> None:
    service = client.serverless.v1.services.create(unique_name="private-app", friendly_name="Mine")
    env = client.serverless.v1.services(service.sid).environments.create(unique_name="production")
    stranger = client_for(live_server, bob)
    assert http_error(lambda: stranger.serverless.v1.services(service.sid).fetch()) == (404, 20404)
    assert http_error(lambda: stranger.serverless.v1.services(service.sid).environments(env.sid).fetch()) == (
        404,
        20404,
    )
    assert stranger.serverless.v1.services.list() == []
    wrong = Client(bob.sid, "not-the-token")
    wrong.serverless.base_url = live_server.url
    with pytest.raises(TwilioException, match="HTTP 401"):  # a list's page error carries the answer
        wrong.serverless.v1.services.list()


def test_unknown_versions_in_a_build_are_refused(client: Client) -> None:
    service = client.serverless.v1.services.create(unique_name="builds", friendly_name="Builds")
    status, code = http_error(
        lambda: client.serverless.v1.services(service.sid).builds.create(function_versions=["ZN" + "0" * 32])
    )
    assert (status, code) == (400, 20001)
    assert client.serverless.v1.services(service.sid).builds.list() == []
