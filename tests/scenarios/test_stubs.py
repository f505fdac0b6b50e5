"""``scenarios.stubs``: the one loopback HTTP server, for tests (``Stub``) and scenarios (``HttpStubs``)."""

from __future__ import annotations

import socket

import httpx
import pytest

from scenarios.stubs import LoopbackServer, Recorded, Reply, Stub


def test_it_answers_a_route_and_records_the_request() -> None:
    with Stub() as stub:
        stub.route("/items", status=201, body={"id": 7}, headers={"X-Trace": "t1"})
        response = httpx.post(stub.url("/items?page=2"), data={"name": "Ann", "tag": "a"})
    assert (response.status_code, response.json(), response.headers["x-trace"]) == (201, {"id": 7}, "t1")
    assert response.headers["content-type"] == "application/json"
    (seen,) = stub.requests
    assert (seen.method, seen.path, seen.query, seen.target) == (
        "POST",
        "/items",
        {"page": "2"},
        "/items?page=2",
    )
    assert seen.form == {"name": "Ann", "tag": "a"}
    assert seen.headers["content-type"] == "application/x-www-form-urlencoded"


def test_it_answers_404_for_a_path_without_a_route() -> None:
    with Stub() as stub:
        response = httpx.get(stub.url("/nowhere"))
    assert (response.status_code, response.text) == (404, "nope")
    assert [r.path for r in stub.requests] == ["/nowhere"]


def test_it_lets_a_handler_compute_the_answer() -> None:
    def echo(request: Recorded) -> Reply:
        return 200, {"Content-Type": "application/json"}, request.body

    with Stub() as stub:
        stub.route("/echo", handler=echo)
        response = httpx.put(stub.url("/echo"), json={"x": [1, 2]})
    assert response.json() == {"x": [1, 2]}
    assert stub.requests[0].json == {"x": [1, 2]}


def test_it_closes_the_connection_when_the_responder_gives_no_answer() -> None:
    server = LoopbackServer(lambda request: None)
    try:
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{server.port}/")
    finally:
        server.close()


def test_it_listens_on_loopback_only_and_stops_on_close() -> None:
    stub = Stub()
    host, port = stub.server.server_address[:2]
    assert host == "127.0.0.1"
    stub.close()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
