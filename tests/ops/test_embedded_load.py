"""Embedded mode (SQLite, no Redis, one `serve` process) under concurrent load: REST execution
creates and inbound-webhook bursts from 10 clients at once answer no 500 ("database is locked"),
every accepted webhook has its event and its execution."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.executions.factories import definition, on, state
from tests.topology.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 10
PER_CLIENT = 30


@dataclass
class Embedded:
    base_url: str
    database: Path
    account_sid: str
    auth_token: str
    flow_sid: str
    slow_flow_sid: str

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.database, timeout=30) as db:
            return db.execute(sql).fetchall()


def two_way_flow() -> dict[str, object]:
    """An SMS conversation (send-and-wait) and a REST-triggered message: both write steps."""
    return definition(
        state(
            "ask",
            "send-and-wait-for-reply",
            [on("incomingMessage"), on("timeout"), on("deliveryFailure")],
            body="Hi {{trigger.message.Body}}, your name?",
            timeout="3600",
            **{"from": "{{flow.channel.address}}"},
        ),
        state(
            "hello",
            "send-message",
            [on("sent"), on("failed")],
            body="Hello {{flow.data.n}}",
            to="{{contact.channel.address}}",
            **{"from": "{{flow.channel.address}}"},
        ),
        trigger=[on("incomingMessage", "ask"), on("incomingRequest", "hello")],
    )


class SlowPeer:
    """An HTTP service on 127.0.0.1 that answers after SLOW_SECONDS."""

    def __init__(self) -> None:
        import http.server
        import threading

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                time.sleep(SLOW_SECONDS)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/slow"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


SLOW_SECONDS = 3.0
SLOW_PEER = SlowPeer()


def slow_http_flow(url: str) -> dict[str, object]:
    return definition(
        state(
            "lookup",
            "make-http-request",
            [on("success"), on("failed")],
            method="GET",
            content_type="application/x-www-form-urlencoded;charset=utf-8",
            url=url,
        ),
        trigger=[on("incomingMessage", "lookup")],
    )


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedded]:
    tmp = tmp_path_factory.mktemp("embedded")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'studio.sqlite3'}",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        DJANGO_DEBUG="false",
        DJANGO_HTTPS="false",
        SECRET_KEY="embedded-load-" + "0123456789abcdef" * 4,
        STUDIO_WEB_THREADS="8",
        STUDIO_ALLOWED_HTTP_HOSTS="127.0.0.1",  # the slow peer below
        PYTHONUNBUFFERED="1",
    )

    def manage(*args: str) -> str:
        out = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    manage("migrate", "--noinput", "-v", "0")
    account = json.loads(manage("createaccount", "--name", "Load", "--json"))
    flow_file = tmp / "flow.json"
    flow_file.write_text(json.dumps(two_way_flow()))
    flow = json.loads(
        manage("flows", "import", str(flow_file), "--account", account["account_sid"], "--publish", "--json")
    )
    flow_file.write_text(json.dumps(slow_http_flow(SLOW_PEER.url)))
    slow = json.loads(
        manage("flows", "import", str(flow_file), "--account", account["account_sid"], "--publish", "--json")
    )
    log = open(tmp / "serve.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp / "serve.log").read_text()
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        yield Embedded(
            base_url,
            tmp / "studio.sqlite3",
            account["account_sid"],
            account["auth_token"],
            flow["sid"],
            slow["sid"],
        )
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def together(work: list[tuple[int, int]], send: object) -> Counter[int]:
    """Run ``send(client, client_number, n)`` from CLIENTS clients at once; count the statuses."""

    def one_client(number: int) -> list[int]:
        with httpx.Client(timeout=60) as client:
            return [send(client, number, n) for n in range(PER_CLIENT)]  # type: ignore[operator]

    with ThreadPoolExecutor(CLIENTS) as pool:
        return Counter(status for statuses in pool.map(one_client, range(CLIENTS)) for status in statuses)


def test_concurrent_rest_execution_creates_all_succeed(embedded: Embedded) -> None:
    url = f"{embedded.base_url}/v2/Flows/{embedded.flow_sid}/Executions"
    auth = (embedded.account_sid, embedded.auth_token)

    def create(client: httpx.Client, number: int, n: int) -> int:
        data = {"To": f"+1555{number:03d}{n:04d}", "From": "+15550000000", "Parameters": json.dumps({"n": n})}
        return client.post(url, data=data, auth=auth).status_code

    statuses = together([], create)
    assert statuses == Counter({201: CLIENTS * PER_CLIENT})
    count = embedded.rows("SELECT count(*) FROM executions_execution")[0][0]
    assert count >= CLIENTS * PER_CLIENT


def test_a_webhook_burst_is_answered_200_and_every_message_runs(embedded: Embedded) -> None:
    path = f"/v1/Accounts/{embedded.account_sid}/Flows/{embedded.flow_sid}"
    validator = RequestValidator(embedded.auth_token)

    def inbound(client: httpx.Client, number: int, n: int) -> int:
        params = {
            "MessageSid": f"SM{number:016x}{n:016x}",
            "AccountSid": embedded.account_sid,
            "From": f"+1444{number:03d}{n:04d}",
            "To": "+15550000000",
            "Body": "hi",
        }
        signature = validator.compute_signature(embedded.base_url + path, params)
        response = client.post(
            embedded.base_url + path, data=params, headers={"X-Twilio-Signature": signature}
        )
        return response.status_code

    statuses = together([], inbound)
    assert statuses == Counter({200: CLIENTS * PER_CLIENT})
    assert embedded.rows("SELECT count(*) FROM executions_inboundevent")[0][0] == CLIENTS * PER_CLIENT
    deadline = time.monotonic() + 60  # drained in-process; the sweeper rescues any left pending
    while embedded.rows("SELECT count(*) FROM executions_inboundevent WHERE status = 'pending'")[0][0]:
        assert time.monotonic() < deadline, "inbound events left pending"
        time.sleep(0.5)
    senders = embedded.rows(
        "SELECT count(DISTINCT contact_channel_address) FROM executions_execution WHERE contact_channel_address LIKE '+1444%'"
    )
    assert senders[0][0] == CLIENTS * PER_CLIENT


def test_a_webhook_answers_before_its_flow_waits_on_the_network(embedded: Embedded) -> None:
    """The inbound message is recorded and answered at once; the flow (a 2 s HTTP call) runs on
    the embedded drainer thread afterwards."""
    path = f"/v1/Accounts/{embedded.account_sid}/Flows/{embedded.slow_flow_sid}"
    params = {"MessageSid": "SM" + "5" * 32, "From": "+13335550000", "To": "+15550000000", "Body": "hi"}
    signature = RequestValidator(embedded.auth_token).compute_signature(embedded.base_url + path, params)
    started = time.monotonic()
    response = httpx.post(
        embedded.base_url + path, data=params, headers={"X-Twilio-Signature": signature}, timeout=30
    )
    answered = time.monotonic() - started
    assert response.status_code == 200
    assert answered < SLOW_SECONDS / 2
    deadline = time.monotonic() + 30
    query = "SELECT status FROM executions_execution WHERE contact_channel_address = '+13335550000'"
    while embedded.rows(query) != [("ended",)]:
        assert time.monotonic() < deadline, embedded.rows(query)
        time.sleep(0.2)


def test_a_flow_waiting_on_a_slow_peer_holds_no_lock_and_delays_no_other_flow(embedded: Embedded) -> None:
    """While one flow's HTTP request takes SLOW_SECONDS, no transaction is open: REST creates
    answer at once, and another contact's message runs its flow at once on the same SQLite."""
    slow_path = f"/v1/Accounts/{embedded.account_sid}/Flows/{embedded.slow_flow_sid}"
    fast_path = f"/v1/Accounts/{embedded.account_sid}/Flows/{embedded.flow_sid}"
    validator = RequestValidator(embedded.auth_token)

    def inbound(path: str, sid: str, sender: str) -> int:
        params = {"MessageSid": sid, "From": sender, "To": "+15550000000", "Body": "hi"}
        signature = validator.compute_signature(embedded.base_url + path, params)
        return httpx.post(
            embedded.base_url + path, data=params, headers={"X-Twilio-Signature": signature}, timeout=30
        ).status_code

    slow_status = "SELECT status, current_widget FROM executions_execution "
    slow_status += "WHERE contact_channel_address = '+13335557777'"
    assert inbound(slow_path, "SM" + "7" * 32, "+13335557777") == 200
    deadline = time.monotonic() + SLOW_SECONDS / 2
    while embedded.rows(slow_status) != [("active", "lookup")]:  # parked: its request is out
        assert time.monotonic() < deadline, embedded.rows(slow_status)
        time.sleep(0.02)
    url = f"{embedded.base_url}/v2/Flows/{embedded.flow_sid}/Executions"
    auth = (embedded.account_sid, embedded.auth_token)
    for n in range(3):
        data = {"To": f"+1777000{n:04d}", "From": "+15550000000", "Parameters": json.dumps({"n": n})}
        started = time.monotonic()
        assert httpx.post(url, data=data, auth=auth, timeout=30).status_code == 201
        assert time.monotonic() - started < SLOW_SECONDS / 2, "a REST create waited for the slow peer"
    assert inbound(fast_path, "SM" + "8" * 32, "+13335558888") == 200
    query = "SELECT count(*) FROM executions_step s JOIN executions_execution e ON s.execution_id = e.id "
    query += "WHERE e.contact_channel_address = '+13335558888'"
    while not embedded.rows(query)[0][0]:
        time.sleep(0.02)
    # The other contact's flow ran while the slow request was still out.
    assert embedded.rows(slow_status) == [("active", "lookup")]
    deadline = time.monotonic() + 30
    while embedded.rows(slow_status) != [("ended", "")]:
        assert time.monotonic() < deadline, embedded.rows(slow_status)
        time.sleep(0.2)
