"""Send to Flex (spec §2.11) in a messaging execution, through executions.engine.ports.FlexGateway."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from executions.models import Execution
from studio.widgets.runtime import FlexError
from tests.executions.factories import definition, on, state
from tests.executions.support import send_sms, start_rest

pytestmark = pytest.mark.django_db(transaction=True)

ME, US = "+15551230000", "+15550001111"
CREATED: list[dict[str, Any]] = []


class RecordingGateway:
    """A FlexGateway that accepts every task (configured via STUDIO["FLEX_GATEWAY"])."""

    def create_task(
        self,
        account: Any,
        workflow_sid: str,
        channel: str,
        attributes: dict[str, Any],
        priority: int,
        timeout: int,
    ) -> str:
        CREATED.append(
            {"account": account.sid, "workflow": workflow_sid, "channel": channel,
             "attributes": attributes, "priority": priority, "timeout": timeout}
        )  # fmt: skip
        return "WT" + "1" * 32


class RefusingGateway:
    def create_task(self, *args: Any) -> str:
        raise FlexError("workflow not found")


@pytest.fixture
def gateway(settings: Any) -> list[dict[str, Any]]:
    CREATED.clear()
    settings.STUDIO = {**settings.STUDIO, "FLEX_GATEWAY": f"{__name__}.RecordingGateway"}
    return CREATED


def mark(name: str) -> dict[str, Any]:
    return state(name, "set-variables", [on("next")], variables=[{"key": "took", "value": name}])


def flex_flow(attributes: str = '{"name": "{{trigger.message.From}}"}', **props: Any) -> dict[str, Any]:
    props.setdefault("workflow", "WW" + "0" * 32)
    props.setdefault("channel", "TC" + "0" * 32)
    return definition(
        state(
            "flex",
            "send-to-flex",
            [on("callComplete", "callComplete"), on("failedToEnqueue", "failedToEnqueue"), on("callFailure")],
            attributes=attributes,
            **props,
        ),
        mark("callComplete"),
        mark("failedToEnqueue"),
        trigger=[on("incomingMessage", "flex"), on("incomingRequest", "flex")],
    )


def sms(flow_factory: Any, definition_: dict[str, Any]) -> Execution:
    flow = flow_factory(definition_)
    send_sms(Client(), flow, ME, US, "agent please")
    return Execution.objects.get(flow=flow)


def took(ex: Execution) -> Any:
    return ex.context["flow"]["variables"].get("took")


def test_it_takes_failed_to_enqueue_when_no_flex_is_configured(flow_factory: Any) -> None:
    ex = sms(flow_factory, flex_flow())
    assert took(ex) == "failedToEnqueue"
    assert any(e["code"] == 81015 and "not configured" in e["message"] for e in ex.log)


def test_it_creates_a_task_and_takes_call_complete(
    flow_factory: Any, gateway: list[dict[str, Any]], alice: Any
) -> None:
    ex = sms(flow_factory, flex_flow(priority="5", timeout="600"))
    assert took(ex) == "callComplete"
    assert gateway == [
        {"account": alice.sid, "workflow": "WW" + "0" * 32, "channel": "TC" + "0" * 32,
         "attributes": {"name": ME}, "priority": 5, "timeout": 600}
    ]  # fmt: skip
    outputs = ex.context["widgets"]["flex"]
    assert outputs["TaskSid"] == "WT" + "1" * 32
    assert json.loads(outputs["Attributes"]) == {"name": ME}


def test_it_uses_the_default_priority_and_timeout(flow_factory: Any, gateway: list[dict[str, Any]]) -> None:
    sms(flow_factory, flex_flow())
    assert (gateway[0]["priority"], gateway[0]["timeout"]) == (0, 3600)


def test_it_takes_failed_to_enqueue_when_the_gateway_refuses(flow_factory: Any, settings: Any) -> None:
    settings.STUDIO = {**settings.STUDIO, "FLEX_GATEWAY": f"{__name__}.RefusingGateway"}
    ex = sms(flow_factory, flex_flow())
    assert took(ex) == "failedToEnqueue"
    assert any("workflow not found" in e["message"] for e in ex.log)


def test_it_refuses_attributes_that_are_not_a_json_object(
    flow_factory: Any, gateway: list[dict[str, Any]]
) -> None:
    ex = sms(flow_factory, flex_flow(attributes="[1, 2]"))
    assert took(ex) == "failedToEnqueue"
    assert gateway == []


def test_it_refuses_attributes_longer_than_1024_characters(
    flow_factory: Any, gateway: list[dict[str, Any]]
) -> None:
    ex = sms(flow_factory, flex_flow(attributes=json.dumps({"x": "y" * 1100})))
    assert took(ex) == "failedToEnqueue"
    assert gateway == []


def test_it_refuses_a_rest_triggered_execution(flow_factory: Any, gateway: list[dict[str, Any]]) -> None:
    ex = start_rest(flow_factory(flex_flow(attributes="{}")))
    assert took(ex) == "failedToEnqueue"
    assert any(e["code"] == 81020 for e in ex.log)
