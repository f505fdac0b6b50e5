"""What a flow may do with its account's credentials ("Authenticate with Twilio" on Make HTTP
Request): editors publish flows, so a flow's request carries the account's SID and token only to
the Studio and Messaging API paths an editor could use anyway, for its own account, never to key
management or the account resource (README "What editors may do")."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from executions.models import Execution
from scenarios.stubs import Stub
from tests.executions.factories import definition, on, state
from tests.executions.support import start_rest, step_names

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_host(stub: Stub, settings: Any, allow_local: None) -> Stub:
    """The stub plays this server's own host (PUBLIC_BASE_URL)."""
    settings.PUBLIC_BASE_URL = stub.url("").rstrip("/")
    return stub


def call(flow_factory: Any, url: str, method: str = "GET") -> Execution:
    flow = definition(
        state(
            "http",
            "make-http-request",
            [on("success"), on("failed")],
            method=method,
            content_type="application/x-www-form-urlencoded;charset=utf-8",
            url=url,
            add_twilio_auth=True,
        ),
        trigger=[on("incomingRequest", "http")],
    )
    return start_rest(flow_factory(flow))


@pytest.mark.parametrize(
    "path",
    [
        "/2010-04-01/Accounts/{sid}/Messages.json",
        "/2010-04-01/Accounts/{sid}/Calls/CA0123456789abcdef0123456789abcdef.json",
        "/v2/Flows/FW0123456789abcdef0123456789abcdef/Executions",
        "/v2/Flows/FW0123456789abcdef0123456789abcdef/Executions/FN0123456789abcdef0123456789abcdef/Steps",
    ],
)
def test_it_authenticates_requests_to_the_studio_and_messaging_apis(
    flow_factory: Any, own_host: Stub, alice: Any, path: str
) -> None:
    url_path = path.format(sid=alice.sid)
    own_host.route(url_path.split("?")[0])
    ex = call(flow_factory, own_host.url(url_path))
    assert step_names(ex)[-1] == "http-success->Ended"
    token = base64.b64encode(f"{alice.sid}:{alice.auth_token}".encode()).decode()
    assert own_host.requests[0].headers["authorization"] == f"Basic {token}"


@pytest.mark.parametrize(
    "path",
    [
        "/2010-04-01/Accounts/{sid}/Keys.json",  # minting API keys
        "/2010-04-01/Accounts/{sid}/Keys/SK0123456789abcdef0123456789abcdef.json",
        "/2010-04-01/Accounts/{sid}.json",  # the account itself
        "/2010-04-01/Accounts.json",
        "/2010-04-01/Accounts/{other}/Messages.json",  # another account's resources
        "/v2/Flows/../../2010-04-01/Accounts/{sid}/Keys.json",  # dot segments
        "/2010-04-01/Accounts/{sid}/%4Beys.json",  # encoded letters
        "/api/console/me",  # the console API
        "/admin/",
    ],
)
def test_it_never_sends_the_credentials_elsewhere_on_this_server(
    flow_factory: Any, own_host: Stub, alice: Any, bob: Any, path: str
) -> None:
    ex = call(flow_factory, own_host.url(path.format(sid=alice.sid, other=bob.sid)), method="POST")
    assert step_names(ex)[-1] == "http-failed->Ended"
    assert own_host.requests == []  # refused before sending anything
    assert any(entry["code"] == 81014 for entry in ex.log)
