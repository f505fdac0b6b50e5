"""Messages of one contact are processed one at a time, in arrival order, even by racing drainers."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from executions.inbound.drain import drain
from executions.inbound.intake import record
from executions.models import Execution, InboundEvent
from tests.executions.factories import definition, on, state
from tests.executions.support import bodies, message_params

pytestmark = pytest.mark.django_db(transaction=True)

ME, US = "+15551230000", "+15550001111"
FROM = {"from": "{{flow.channel.address}}"}


def echo_flow() -> dict[str, Any]:
    return definition(
        state(
            "ask",
            "send-and-wait-for-reply",
            [on("incomingMessage", "echo"), on("timeout"), on("deliveryFailure")],
            body="Hi {{trigger.message.Body}}",
            **FROM,
        ),
        state(
            "echo",
            "send-message",
            [on("sent"), on("failed")],
            body="Got {{widgets.ask.inbound.Body}}",
            to="{{contact.channel.address}}",
            **FROM,
        ),
        trigger=[on("incomingMessage", "ask")],
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_it_serialises_racing_workers_for_one_contact(flow_factory: Any) -> None:
    flow = flow_factory(echo_flow())
    for body in ("a", "b", "c", "d", "e", "f"):
        record(flow, message_params(ME, US, body))
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            drain()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert bodies() == ["Hi a", "Got b", "Hi c", "Got d", "Hi e", "Got f"]
    assert InboundEvent.objects.filter(status="pending").count() == 0
    assert list(Execution.objects.order_by("id").values_list("status", flat=True)) == [
        "ended",
        "ended",
        "ended",
    ]


def test_it_records_a_message_sid_once(flow_factory: Any) -> None:
    flow = flow_factory(echo_flow())
    params = message_params(ME, US, "a", sid="SM" + "f" * 32)
    assert record(flow, params) is not None
    assert record(flow, params) is None
