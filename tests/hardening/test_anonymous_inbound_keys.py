"""Inbound events without a MessageSid (nor SmsSid/CallSid) get a key of their own: none is
mistaken for a redelivery of another, whatever was recorded or removed before."""

from __future__ import annotations

from typing import Any

import pytest

from executions.inbound import intake as inbound
from executions.models import InboundEvent
from tests.executions.factories import definition, make_flow, on, state

pytestmark = pytest.mark.django_db


def params(body: str) -> dict[str, str]:
    return {"From": "+15550001111", "To": "+15551230000", "Body": body}


def test_it_records_every_event_without_a_message_sid(alice: Any) -> None:
    flow = make_flow(
        alice, definition(state("v", "set-variables", [on("next")]), trigger=[on("incomingMessage", "v")])
    )
    first = inbound.record(flow, params("one"))
    second = inbound.record(flow, params("two"))
    assert first is not None and second is not None
    first.delete()  # e.g. purged: the number of rows goes down again
    third = inbound.record(flow, params("three"))
    assert third is not None, "the third event was taken for a redelivery"
    assert len({e.key for e in InboundEvent.objects.all()}) == 2
    assert all(e.key.startswith("anon:") for e in InboundEvent.objects.all())


def test_it_still_records_a_redelivered_message_sid_once(alice: Any) -> None:
    flow = make_flow(
        alice, definition(state("v", "set-variables", [on("next")]), trigger=[on("incomingMessage", "v")])
    )
    sid = {"MessageSid": "SM" + "1" * 32}
    assert inbound.record(flow, {**params("one"), **sid}) is not None
    assert inbound.record(flow, {**params("one"), **sid}) is None
