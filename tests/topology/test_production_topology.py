"""The production topology end to end: `serve` + `celery worker` + `celery beat` on PostgreSQL
and Redis. A signed inbound SMS through the HTTP server reaches the worker, the reply appears in
Messages (read with the official client), and a send-and-wait times out through beat.

Runs when DATABASE_URL is PostgreSQL and REDIS_URL is set (as in CI, `.ci/run`); the embedded
mode has no separate processes to start.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.db import connection
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from tests.executions.factories import definition, make_flow, on, state
from tests.topology.processes import Topology, production_topology

REDIS_URL = os.environ.get("REDIS_URL", "")
POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))

pytestmark = [
    pytest.mark.topology,
    pytest.mark.skipif(not (REDIS_URL and POSTGRES), reason="needs DATABASE_URL=postgres://… and REDIS_URL"),
]

FLOW = definition(
    state(
        "ask",
        "send-and-wait-for-reply",
        [on("incomingMessage", "greet"), on("timeout", "too_slow"), on("deliveryFailure")],
        body="What's your name?",
        timeout="2",
    ),
    state("greet", "send-message", [on("sent"), on("failed")], body="Hi {{widgets.ask.inbound.Body}}!"),
    state(
        "too_slow", "send-message", [on("sent"), on("failed")], body="Too slow, {{contact.channel.address}}."
    ),
    trigger=[on("incomingMessage", "ask")],
)


@pytest.fixture(scope="module")
def topology(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Topology]:
    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
    database_url = (
        f"postgres://{connection.settings_dict['USER'] or 'postgres'}@"
        f"{connection.settings_dict['HOST'] or '127.0.0.1'}:{connection.settings_dict['PORT'] or 5432}/{name}"
    )
    with production_topology(database_url, REDIS_URL, tmp_path_factory.mktemp("topology")) as topo:
        yield topo


def wait_for(predicate: Callable[[], Any], timeout: float, topo: Topology) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        topo.assert_alive()
        time.sleep(0.2)
    worker = "\n".join(line for line in topo.log("worker").splitlines() if "sweep_waits" not in line)
    raise AssertionError(f"timed out; worker log:\n{worker[-4000:]}\nserve log:\n{topo.log('serve')[-3000:]}")


def inbound_sms(topo: Topology, account: Any, flow: Any, frm: str, body: str, sid: str) -> httpx.Response:
    path = f"/v1/Accounts/{account.sid}/Flows/{flow.sid}"
    params = {
        "MessageSid": sid,
        "AccountSid": account.sid,
        "From": frm,
        "To": "+15005550006",
        "Body": body,
        "NumMedia": "0",
    }
    signature = RequestValidator(account.auth_token).compute_signature(topo.base_url + path, params)
    return httpx.post(
        topo.base_url + path, data=params, headers={"X-Twilio-Signature": signature}, timeout=10
    )


def bodies_to(client: Client, to: str) -> list[str]:
    return sorted(m.body for m in client.messages.list(to=to))


@pytest.mark.django_db(transaction=True)
def test_it_runs_a_conversation_and_a_timeout_across_serve_worker_and_beat(
    topology: Topology, alice: Any
) -> None:
    flow = make_flow(alice, FLOW)
    client = Client(alice.sid, alice.auth_token)
    client.api.base_url = topology.base_url

    first = inbound_sms(topology, alice, flow, "+15550001111", "hello", "SM" + "1" * 32)
    assert first.status_code == 200 and "<Response" in first.text
    wait_for(lambda: bodies_to(client, "+15550001111") == ["What's your name?"], 20, topology)

    inbound_sms(topology, alice, flow, "+15550001111", "Ada", "SM" + "2" * 32)
    wait_for(lambda: "Hi Ada!" in bodies_to(client, "+15550001111"), 20, topology)

    inbound_sms(topology, alice, flow, "+15550002222", "hello", "SM" + "3" * 32)
    wait_for(lambda: bodies_to(client, "+15550002222") == ["What's your name?"], 20, topology)
    # Nobody answers: beat sweeps the due 2-second wait and the timeout branch replies.
    wait_for(lambda: "Too slow, +15550002222." in bodies_to(client, "+15550002222"), 20, topology)

    executions = client.studio.v2.flows(flow.sid)
    client.studio.base_url = topology.base_url
    statuses = sorted(e.status for e in executions.executions.list())
    assert statuses == ["ended", "ended"]
    assert Path(topology.logs / "worker.log").exists()
