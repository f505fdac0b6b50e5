"""The golden format's ``http`` section: canned responses from a loopback stub, recorded requests."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from executions.backends import http_client
from scenarios.driver import run_file
from scenarios.stubs import HttpStubs, normalize_url
from studio.widgets.runtime import json_object

FLOW = {
    "description": "Order status over HTTP",
    "initial_state": "Trigger",
    "flags": {"allow_concurrent_calls": True},
    "states": [
        {
            "name": "Trigger",
            "type": "trigger",
            "properties": {"offset": {"x": 0, "y": 0}},
            "transitions": [{"event": "incomingMessage", "next": "lookup"}],
        },
        {
            "name": "lookup",
            "type": "make-http-request",
            "properties": {
                "method": "POST",
                "content_type": "application/json;charset=utf-8",
                "url": "https://Orders.Example.com/v1/lookup",
                "body": '{"order": "{{trigger.message.Body}}", "from": "{{trigger.message.From}}"}',
                "offset": {"x": 0, "y": 200},
            },
            "transitions": [{"event": "success", "next": "reply"}, {"event": "failed", "next": "sorry"}],
        },
        {
            "name": "reply",
            "type": "send-message",
            "properties": {
                "from": "{{flow.channel.address}}",
                "to": "{{contact.channel.address}}",
                "body": "Order {{widgets.lookup.parsed.id}} is {{widgets.lookup.parsed.status}}",
                "offset": {"x": 0, "y": 400},
            },
            "transitions": [{"event": "sent"}, {"event": "failed"}],
        },
        {
            "name": "sorry",
            "type": "send-message",
            "properties": {
                "from": "{{flow.channel.address}}",
                "to": "{{contact.channel.address}}",
                "body": "Lookup failed",
                "offset": {"x": 300, "y": 400},
            },
            "transitions": [{"event": "sent"}, {"event": "failed"}],
        },
    ],
}

SHIPPED = {"status": "shipped", "id": "A-17"}


def scenario(tmp_path: Path, name: str = "orders", **spec: Any) -> Path:
    (tmp_path / "orders.json").write_text(json.dumps(FLOW))
    base: dict[str, Any] = {
        "flow": "orders.json",
        "trigger": {"type": "message", "from": "+15553330001", "to": "+15553339999", "body": "A-17"},
    }
    path = tmp_path / f"{name}.test.json"
    path.write_text(json.dumps({**base, **spec}))
    return path


@pytest.fixture
def stubs() -> Any:
    made: list[HttpStubs] = []

    def make(entries: list[dict[str, Any]]) -> HttpStubs:
        made.append(HttpStubs(entries))
        return made[-1]

    yield make
    for s in made:
        s.close()


# -- the routing hook and the stub server ----------------------------------------------------


def test_it_serves_a_canned_response_for_a_stubbed_url(stubs: Any) -> None:
    http = stubs([{"method": "GET", "url": "https://api.example.com/status", "body": {"ok": True}}])
    with http.active():
        response = http_client.request("GET", "https://api.example.com/status", params=[("a", "1")])
    assert response.status_code == 200
    assert response.media_type == "application/json"
    assert json_object(response) == {"ok": True}
    assert response.url == "https://api.example.com/status?a=1"
    assert http.requests[0]["url"] == "https://api.example.com/status?a=1"
    assert http.requests[0]["query"] == {"a": "1"}
    assert http.requests[0]["headers"]["host"] == "api.example.com"


def test_it_keeps_the_ssrf_check_outside_the_block(stubs: Any) -> None:
    http = stubs([{"url_prefix": "http://", "body": "hi"}])
    with http.active():
        http_client.request("GET", "http://service.example.com/")
    port = next(iter(http.servers.values())).server_address[1]
    with pytest.raises(http_client.HttpError) as exc:
        http_client.request("GET", f"http://127.0.0.1:{port}/")
    assert exc.value.kind == "blocked"


def test_it_does_not_route_other_threads(stubs: Any) -> None:
    http = stubs([{"url_prefix": "http://127.0.0.1", "body": "routed"}])
    outcome: dict[str, Any] = {}

    def elsewhere() -> None:
        try:
            http_client.request("GET", "http://127.0.0.1:9/")
        except http_client.HttpError as exc:
            outcome["kind"] = exc.kind

    with http.active():
        assert http_client.request("GET", "http://127.0.0.1:9/").body == "routed"
        worker = threading.Thread(target=elsewhere)
        worker.start()
        worker.join()
    assert outcome == {"kind": "blocked"}


def test_it_refuses_a_stub_address_off_loopback() -> None:
    with http_client.routed(lambda scheme, host, port: ("93.184.216.34", 80)):
        with pytest.raises(http_client.HttpError) as exc:
            http_client.request("GET", "https://api.example.com/")
    assert exc.value.kind == "blocked"


def test_it_matches_by_method_then_exact_prefix_and_pattern(stubs: Any) -> None:
    http = stubs(
        [
            {"method": "POST", "url": "https://a.example.com/x", "body": "post-x"},
            {"url": "https://a.example.com/x?v=2", "body": "x-v2"},
            {"url": "https://a.example.com/x", "body": "any-x"},
            {"url_prefix": "https://a.example.com/files/", "body": "file"},
            {"url_pattern": r"^https://[a-z]+\.example\.com/item/\d+$", "body": "item"},
        ]
    )
    with http.active():
        assert http_client.request("POST", "https://a.example.com/x", form=[]).body == "post-x"
        assert http_client.request("GET", "https://a.example.com/x?v=2").body == "x-v2"
        assert http_client.request("GET", "https://a.example.com/x?v=3").body == "any-x"
        assert http_client.request("GET", "https://A.Example.com/files/readme").body == "file"
        assert http_client.request("GET", "https://b.example.com/item/42").body == "item"
        with pytest.raises(http_client.HttpError) as exc:
            http_client.request("GET", "https://b.example.com/item/abc")
    assert exc.value.kind == "network"  # unmatched: no response, like an unreachable host
    assert [r["matched"] for r in http.requests] == [True, True, True, True, True, False]


def test_it_serves_once_stubs_in_order_then_falls_through(stubs: Any) -> None:
    http = stubs(
        [
            {"url": "https://a.example.com/n", "once": True, "body": "first"},
            {"url": "https://a.example.com/n", "once": True, "body": "second"},
            {"url": "https://a.example.com/n", "body": "always"},
        ]
    )
    with http.active():
        got = [http_client.request("GET", "https://a.example.com/n").body for _ in range(4)]
    assert got == ["first", "second", "always", "always"]


def test_it_serves_status_content_type_and_headers(stubs: Any) -> None:
    http = stubs(
        [
            {
                "url": "https://a.example.com/fn",
                "status": 404,
                "content_type": "text/html; charset=utf-8",
                "body": "<p>gone</p>",
                "headers": {"X-Twilio-Function-Concurrency": "3"},
            }
        ]
    )
    with http.active():
        response = http_client.request("POST", "https://a.example.com/fn", form=[("k", "v")])
    assert (response.status_code, response.media_type, response.body) == (404, "text/html", "<p>gone</p>")
    assert response.headers["x-twilio-function-concurrency"] == "3"


def test_it_delays_and_drops_responses(stubs: Any) -> None:
    http = stubs(
        [
            {"url": "https://a.example.com/slow", "delay": 0.5, "body": "late"},
            {"url": "https://a.example.com/drop", "drop": True},
        ]
    )
    with http.active():
        with pytest.raises(http_client.HttpError) as slow:
            http_client.request("GET", "https://a.example.com/slow", timeout=0.2)
        with pytest.raises(http_client.HttpError) as dropped:
            http_client.request("GET", "https://a.example.com/drop")
    assert slow.value.kind == "timeout"
    assert dropped.value.kind == "network"
    assert all(r["matched"] for r in http.requests)


def test_it_follows_redirects_between_stubbed_origins(stubs: Any) -> None:
    http = stubs(
        [
            {
                "url": "https://old.example.com/a",
                "status": 302,
                "headers": {"Location": "https://new.example.com/b"},
            },
            {"url": "https://new.example.com/b", "body": "moved"},
        ]
    )
    with http.active():
        response = http_client.request("GET", "https://old.example.com/a")
    assert response.body == "moved"
    assert [r["url"] for r in http.requests] == ["https://old.example.com/a", "https://new.example.com/b"]


def test_it_records_form_and_json_bodies(stubs: Any) -> None:
    http = stubs([{"url_prefix": "https://a.example.com/", "body": "ok"}])
    with http.active():
        http_client.request("POST", "https://a.example.com/form", form=[("a", "1"), ("b", "2"), ("b", "3")])
        http_client.request(
            "POST", "https://a.example.com/json", content='{"x": [1, 2]}', content_type="application/json"
        )
    form, js = http.requests
    assert form["form"] == {"a": "1", "b": ["2", "3"]}
    assert js["json"] == {"x": [1, 2]}
    assert js["body"] == '{"x": [1, 2]}'


def test_it_rejects_a_malformed_http_section() -> None:
    with pytest.raises(ValueError):
        HttpStubs({"url": "https://a.example.com/"})  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        HttpStubs([{"body": "no url"}])


def test_it_normalizes_scheme_host_and_default_port() -> None:
    assert normalize_url("HTTPS://API.Example.COM:443/Path?Q=1") == "https://api.example.com/Path?Q=1"
    assert normalize_url("http://h.example.com:8080/") == "http://h.example.com:8080/"


# -- scenarios --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_replays_a_scenario_with_http_stubs_and_expect_requests(tmp_path: Path) -> None:
    path = scenario(
        tmp_path,
        http=[{"method": "POST", "url": "https://orders.example.com/v1/lookup", "body": SHIPPED}],
        expect_requests=[
            {
                "method": "POST",
                "url": "https://orders.example.com/v1/lookup",
                "headers": {"Content-Type": "application/json;charset=utf-8"},
                "json": {"order": "A-17", "from": "+15553330001"},
            }
        ],
        expect_messages=[{"to": "+15553330001", "body": "Order A-17 is shipped"}],
        expect={
            "status": "ended",
            "context": {"widgets": {"lookup": {"status_code": 200, "parsed": SHIPPED}}},
        },
    )
    report = run_file(path)
    assert report.ok, report.failures


@pytest.mark.django_db(transaction=True)
def test_it_reports_request_differences(tmp_path: Path) -> None:
    path = scenario(
        tmp_path,
        http=[{"url": "https://orders.example.com/v1/lookup", "body": SHIPPED}],
        expect_requests=[{"method": "GET", "json": {"order": "B-2"}}],
    )
    failures = run_file(path).failures
    assert "trigger request 0: method expected 'GET', got 'POST'" in failures
    assert "trigger request 0: json.order: expected 'B-2', got 'A-17'" in failures


@pytest.mark.django_db(transaction=True)
def test_it_fails_a_scenario_on_an_unstubbed_request(tmp_path: Path) -> None:
    path = scenario(
        tmp_path,
        http=[{"url": "https://other.example.com/"}],
        expect_messages=[{"body": "Lookup failed"}],
    )
    failures = run_file(path).failures
    assert failures == [
        "trigger: unexpected request POST https://orders.example.com/v1/lookup (no http stub matches)"
    ]


@pytest.mark.django_db(transaction=True)
def test_it_checks_requests_per_turn(tmp_path: Path) -> None:
    path = scenario(
        tmp_path,
        http=[
            {"url": "https://orders.example.com/v1/lookup", "once": True, "body": SHIPPED},
            {"url": "https://orders.example.com/v1/lookup", "status": 503, "body": "down"},
        ],
        expect_requests=[{"json": {"order": "A-17"}}],
        turns=[
            {
                "message": "C-3",
                "expect_requests": [{"json": {"order": "C-3"}}],
                "expect_messages": [{"body": "Lookup failed"}],
            }
        ],
        expect={"status": "ended", "context": {"widgets": {"lookup": {"status_code": 503, "body": "down"}}}},
    )
    report = run_file(path)
    assert report.ok, report.failures


@pytest.mark.django_db(transaction=True)
def test_it_reports_one_line_per_scenario_and_exits_1(tmp_path: Path, capsys: Any) -> None:
    http = [{"url": "https://orders.example.com/v1/lookup", "body": SHIPPED}]
    scenario(tmp_path, "a-good", http=http, expect_messages=[{"body": "Order A-17 is shipped"}])
    scenario(tmp_path, "b-bad", http=http, expect_messages=[{"body": "Order A-17 is lost"}])
    with pytest.raises(CommandError) as exc:
        call_command("flows", "test", str(tmp_path))
    assert exc.value.returncode == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "PASS a-good",
        "FAIL b-bad: trigger message 0: body expected 'Order A-17 is lost', got 'Order A-17 is shipped'",
        "1 passed, 1 failed",
    ]


@pytest.mark.django_db(transaction=True)
def test_it_runs_voice_scenarios_with_http_stubs_from_the_command(capsys: Any) -> None:
    voice = Path(__file__).parent.parent / "executions" / "golden_voice"
    call_command(
        "flows",
        "test",
        str(voice / "order-lookup-connects.test.json"),
        str(voice / "worker-extension-retry-then-flex.test.json"),
    )
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "PASS order-lookup-connects",
        "PASS worker-extension-retry-then-flex",
        "2 passed, 0 failed",
    ]
