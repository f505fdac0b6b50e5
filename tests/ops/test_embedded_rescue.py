"""Embedded mode keeps what it accepted: a webhook whose event is recorded answers 200 even when
running the flow right after fails on the database, and the in-process sweeper drains events left
pending (as beat's rescue does in the production topology)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from executions.inbound import drain
from executions.models import Execution, InboundEvent
from executions.tasks import sweep_waits
from tests.executions.factories import make_flow, survey
from tests.executions.support import send_sms

pytestmark = pytest.mark.django_db(transaction=True)


def locked(slot: int = 0) -> int:
    raise OperationalError("database is locked")


def test_a_recorded_webhook_answers_200_when_running_it_fails_on_the_database(
    alice: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = make_flow(alice, survey())
    monkeypatch.setattr(drain, "drain", locked)
    response = send_sms(Client(), flow, "+15550001111", "+15551230000", "hi")
    assert response.status_code == 200
    assert InboundEvent.objects.get().status == InboundEvent.Status.PENDING


def test_the_in_process_sweeper_drains_events_left_pending(
    alice: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = make_flow(alice, survey())
    with monkeypatch.context() as patched:
        patched.setattr(drain, "drain", locked)
        send_sms(Client(), flow, "+15550001111", "+15551230000", "hi")
    InboundEvent.objects.update(
        date_created=timezone.now() - dt.timedelta(seconds=drain.RESCUE_AFTER_SECONDS + 1)
    )

    sweep_waits()  # one turn of the embedded sweeper thread (serve hands it beat's task)

    assert InboundEvent.objects.get().status != InboundEvent.Status.PENDING
    assert Execution.objects.filter(flow=flow, contact_channel_address="+15550001111").count() == 1
