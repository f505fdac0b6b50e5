"""Outbound HTTP policy (executions.backends.http_client): no private destinations unless allowed."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from executions.backends import http_client
from executions.backends.http_client import HttpError
from scenarios.stubs import Stub
from tests.executions.factories import definition, on, state
from tests.executions.support import start_rest, step_names


def allow(settings: Any, *hosts: str) -> None:
    settings.STUDIO = {**settings.STUDIO, "ALLOWED_HTTP_HOSTS": list(hosts)}


def test_it_refuses_loopback_when_not_allowed(stub: Stub, settings: Any) -> None:
    allow(settings)
    stub.route("/x")
    with pytest.raises(HttpError) as info:
        http_client.request("GET", stub.url("/x"))
    assert info.value.kind == "blocked"
    assert stub.requests == []


def test_it_allows_loopback_when_listed(stub: Stub, allow_local: None) -> None:
    stub.route("/x", body="ok")
    assert http_client.request("GET", stub.url("/x")).body == "ok"


def test_it_allows_a_listed_cidr(stub: Stub, settings: Any) -> None:
    allow(settings, "127.0.0.0/8")
    stub.route("/x", body="ok")
    assert http_client.request("GET", stub.url("/x")).status_code == 200


def test_it_allows_a_listed_host_name(stub: Stub, settings: Any) -> None:
    allow(settings, "localhost")
    stub.route("/x", body="ok")
    assert http_client.request("GET", f"http://localhost:{stub.port}/x").body == "ok"


def test_it_refuses_a_name_that_resolves_to_loopback(stub: Stub, settings: Any) -> None:
    allow(settings, "127.0.0.2")  # an unrelated entry
    with pytest.raises(HttpError) as info:
        http_client.request("GET", f"http://localhost:{stub.port}/x")
    assert info.value.kind == "blocked"


def test_it_refuses_a_redirect_to_a_private_address(stub: Stub, settings: Any) -> None:
    allow(settings, "127.0.0.1")
    stub.route("/hop", status=302, headers={"Location": "http://10.0.0.1/internal"})
    with pytest.raises(HttpError) as info:
        http_client.request("GET", stub.url("/hop"))
    assert info.value.kind == "blocked"
    assert "10.0.0.1" in info.value.message


def test_it_refuses_a_redirect_to_an_unlisted_loopback_host(stub: Stub, settings: Any) -> None:
    allow(settings, "127.0.0.1")
    stub.route("/hop", status=307, headers={"Location": f"http://[::1]:{stub.port}/x"})
    with pytest.raises(HttpError) as info:
        http_client.request("GET", stub.url("/hop"))
    assert info.value.kind == "blocked"


def test_it_stops_after_too_many_redirects(stub: Stub, allow_local: None) -> None:
    stub.route("/loop", status=302, headers={"Location": "/loop"})
    with pytest.raises(HttpError) as info:
        http_client.request("GET", stub.url("/loop"))
    assert info.value.kind == "too_many_redirects"
    assert len(stub.requests) == http_client.MAX_REDIRECTS + 1


def test_it_connects_to_the_address_it_checked(stub: Stub, settings: Any, monkeypatch: Any) -> None:
    """DNS rebinding: the name is resolved once; the connection goes to that checked address."""
    allow(settings, "127.0.0.1")
    lookups: list[str] = []
    real = socket.getaddrinfo

    def rebinding(host: str, *args: Any, **kw: Any) -> Any:
        if host == "rebind.test":
            lookups.append(host)
            # First answer: the allowed address; any later answer: a forbidden one.
            return real("127.0.0.1" if len(lookups) == 1 else "10.9.9.9", *args, **kw)
        return real(host, *args, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    stub.route("/x", body="ok")
    response = http_client.request("GET", f"http://rebind.test:{stub.port}/x")
    assert response.body == "ok"
    assert lookups == ["rebind.test"]
    assert stub.requests[0].headers["host"] == f"rebind.test:{stub.port}"


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "224.0.0.1",
     "0.0.0.0", "240.0.0.1", "100.64.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::"],
)  # fmt: skip
def test_it_classifies_non_public_addresses(address: str) -> None:
    assert not http_client.is_public(ipaddress.ip_address(address))


def test_it_classifies_a_public_address() -> None:
    assert http_client.is_public(ipaddress.ip_address("93.184.216.34"))


def test_it_refuses_non_http_schemes() -> None:
    with pytest.raises(HttpError) as info:
        http_client.request("GET", "file:///etc/passwd")
    assert info.value.kind == "invalid_url"


@pytest.mark.django_db(transaction=True)
def test_it_takes_failed_with_a_clear_error_when_blocked(
    flow_factory: Any, stub: Stub, settings: Any
) -> None:
    allow(settings)
    stub.route("/x")
    flow = definition(
        state("http", "make-http-request", [on("success"), on("failed")], method="GET", url=stub.url("/x")),
        trigger=[on("incomingRequest", "http")],
    )
    ex = start_rest(flow_factory(flow))
    assert step_names(ex)[-1] == "http-failed->Ended"
    assert stub.requests == []
    entry = next(e for e in ex.log if e["widget"] == "http")
    assert entry["code"] == 81014
    assert "not allowed" in entry["message"]
