"""Executions and steps older than the retention (30 days by default, as Twilio) are purged in
batches: by beat's task, by the embedded sweeper, and by ``manage.py purge_executions``."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from executions.engine import retention
from executions.models import Execution, InboundEvent, Message, Step, Wait
from executions.tasks import embedded_sweep, purge_executions
from tests.executions.factories import make_flow, survey
from tests.executions.support import send_sms

pytestmark = pytest.mark.django_db(transaction=True)
NUMBER = "+15551230000"


def conversation(flow: Any, contact: str, *, ended: bool = True) -> Execution:
    client = Client()
    send_sms(client, flow, contact, NUMBER, "hi")
    if ended:
        send_sms(client, flow, contact, NUMBER, "Ada")
    return Execution.objects.get(contact_channel_address=contact, flow=flow)


def age(execution: Execution, days: float) -> None:
    then = timezone.now() - dt.timedelta(days=days)
    Execution.objects.filter(pk=execution.pk).update(date_created=then)
    InboundEvent.objects.filter(contact_channel_address=execution.contact_channel_address).update(
        date_created=then
    )


@pytest.fixture
def three(alice: Any) -> dict[str, Execution]:
    flow = make_flow(alice, survey())
    old = conversation(flow, "+15550000001")
    recent = conversation(flow, "+15550000002")
    old_but_active = conversation(flow, "+15550000003", ended=False)
    age(old, 31)
    age(recent, 29)
    age(old_but_active, 31)
    return {"old": old, "recent": recent, "active": old_but_active}


def test_it_purges_ended_executions_older_than_30_days_with_their_steps(three: dict[str, Execution]) -> None:
    old = three["old"]
    assert Step.objects.filter(execution=old).count() > 0
    messages = Message.objects.filter(execution=old).count()

    purged = retention.purge()

    # Inbound events are idempotency records: every processed one past the retention goes
    # (the old execution's two, and the first of the old active one).
    assert purged.executions == 1 and purged.steps > 0 and purged.inbound_events == 3
    assert not Execution.objects.filter(pk=old.pk).exists()
    assert not Step.objects.filter(execution_id=old.pk).exists()
    assert set(Execution.objects.values_list("sid", flat=True)) == {three["recent"].sid, three["active"].sid}
    # Messages are records of their own (the Messages API): kept, their execution cleared.
    assert Message.objects.filter(to_address="+15550000001").count() == messages > 0
    assert InboundEvent.objects.filter(contact_channel_address="+15550000001").count() == 0


def test_an_active_execution_is_never_purged_and_keeps_its_timer(three: dict[str, Execution]) -> None:
    retention.purge()
    assert Execution.objects.filter(pk=three["active"].pk).exists()
    assert Wait.objects.filter(execution=three["active"]).count() == 1


def test_it_purges_in_batches(alice: Any) -> None:
    flow = make_flow(alice, survey())
    for n in range(5):
        age(conversation(flow, f"+1555000010{n}"), 40)
    assert retention.purge(batch=2).executions == 5
    assert Execution.objects.count() == 0 and Step.objects.count() == 0


def test_the_retention_is_a_setting(three: dict[str, Execution], settings: Any) -> None:
    settings.STUDIO = {**settings.STUDIO, "EXECUTION_RETENTION_DAYS": 7}
    assert retention.purge().executions == 2  # 31 and 29 days old


def test_beat_runs_the_purge_task(three: dict[str, Execution], settings: Any) -> None:
    assert settings.CELERY_BEAT_SCHEDULE["purge-executions"]["task"] == "executions.tasks.purge_executions"
    assert purge_executions.delay().get() == 1


def test_the_embedded_sweeper_purges_once_per_interval(three: dict[str, Execution], monkeypatch: Any) -> None:
    monkeypatch.setattr(retention, "_last_run", None)
    embedded_sweep()
    assert not Execution.objects.filter(pk=three["old"].pk).exists()
    age(three["recent"], 45)
    embedded_sweep()  # within the hour: no second purge
    assert Execution.objects.filter(pk=three["recent"].pk).exists()


def test_the_command_purges_with_a_number_of_days(three: dict[str, Execution]) -> None:
    out = io.StringIO()
    call_command("purge_executions", "--days", "1", stdout=out)
    assert out.getvalue().startswith("purged 2 executions")
    assert list(Execution.objects.values_list("sid", flat=True)) == [three["active"].sid]
