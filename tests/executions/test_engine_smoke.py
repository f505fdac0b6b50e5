from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from executions.engine import store
from executions.models import Execution, Message
from tests.executions.factories import definition, on, state

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_runs_trigger_set_variables_and_send_message(flow_factory: Any) -> None:
    flow = flow_factory(
        definition(
            state(
                "vars",
                "set-variables",
                [on("next", "hello")],
                variables=[{"key": "n", "value": "{{flow.data.n | plus: 1}}"}],
            ),
            state(
                "hello",
                "send-message",
                [on("sent"), on("failed")],
                body="n={{flow.variables.n}}",
                to="{{contact.channel.address}}",
                **{"from": "{{flow.channel.address}}"},
            ),
            trigger=[on("incomingRequest", "vars")],
        )
    )
    with transaction.atomic():
        ex = store.create_execution(
            flow,
            flow.latest_revision(),
            contact="+15551230000",
            channel="+15550001111",
            trigger_event="incomingRequest",
            trigger={"from": "+15550001111", "to": "+15551230000"},
            data={"n": 41},
        )
        store.run_start(ex)
    ex = Execution.objects.get(pk=ex.pk)
    assert ex.status == "ended"
    assert ex.context["flow"]["variables"] == {"n": 42}
    assert [s.name for s in ex.steps.all()] == ["incomingRequest", "next", "sent"]
    msg = Message.objects.get()
    assert (msg.body, msg.to_address, msg.from_address, msg.status) == (
        "n=42",
        "+15551230000",
        "+15550001111",
        "delivered",
    )
