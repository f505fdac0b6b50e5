"""A saved flow test replayed inside its caller's transaction (the console's run under a harness or
a fuzzer that keeps a transaction open around its requests, a command wrapped in one) leaves the
caller's connection and transaction usable, and the request signals wired as it found them.

The cause it guards against: Django's test-client handler, which the replay's requests go
through, wired ``close_old_connections`` back to the request signals after each request; the end
of the caller's request then closed the connection in the middle of its transaction (PostgreSQL:
every later statement failed; SQLite's in-memory test database ignores a close)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction

from scenarios.api import run_saved
from scenarios.driver import _closes_connections
from scenarios.models import FlowTest
from tests.executions.factories import make_flow, survey

pytestmark = pytest.mark.django_db(transaction=True)  # the transaction is the test's own

SPEC = {
    "trigger": {"type": "message", "from": "+15551230001", "to": "+15559870002", "body": "hi"},
    "expect_messages": [{"to": "+15551230001", "body": "Hi hi, your name?"}],
    "turns": [{"message": "Ada", "expect_messages": [{"body": "Thanks Ada"}]}],
    "expect": {"status": "ended"},
}


@pytest.fixture
def unwired() -> Iterator[None]:
    """What the test client and the fuzzer do around their requests: the end of a request does
    not close the connection (it holds the caller's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_a_saved_test_replayed_inside_a_transaction_leaves_it_usable(alice: Any, unwired: None) -> None:
    flow = make_flow(alice, survey(), name="Survey")
    saved = FlowTest.objects.create(account=alice, flow=flow, name="greets", spec=SPEC)

    with transaction.atomic():
        result = run_saved(flow, saved)
        request_finished.send(sender=WSGIHandler)  # the end of the request that ran it
        assert not connection.closed_in_transaction
        saved.refresh_from_db()  # the transaction still serves
        assert saved.last_result == "passed", saved.last_failures

    assert result == {"name": "greets", "passed": True, "failures": []}
    assert not _closes_connections(request_started) and not _closes_connections(request_finished)


def test_the_replay_leaves_wired_signals_wired(alice: Any) -> None:
    flow = make_flow(alice, survey(), name="Survey")
    saved = FlowTest.objects.create(account=alice, flow=flow, name="greets", spec=SPEC)
    assert run_saved(flow, saved)["passed"]
    assert _closes_connections(request_started) and _closes_connections(request_finished)
