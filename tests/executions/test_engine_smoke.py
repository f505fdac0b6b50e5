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


def test_set_variables_values_are_also_read_as_the_widgets_outputs(flow_factory: Any) -> None:
    """Spec §2.3: each pair goes to flow.variables.<key> and is exposed as widgets.<name>.<key>."""
    flow = flow_factory(
        definition(
            state(
                "vars",
                "set-variables",
                [on("next", "hello")],
                variables=[{"key": "plan", "value": "gold"}, {"key": "tries", "value": "3"}],
            ),
            state(
                "hello",
                "send-message",
                [on("sent"), on("failed")],
                body="{{widgets.vars.plan}}/{{widgets.vars.tries | plus: 1}}",
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
            data={},
        )
        store.run_start(ex)
    ex = Execution.objects.get(pk=ex.pk)
    assert ex.context["widgets"]["vars"] == {"plan": "gold", "tries": 3}
    assert ex.context["flow"]["variables"] == {"plan": "gold", "tries": 3}
    assert Message.objects.get().body == "gold/4"
