"""The admin shows stuck executions and failed or pending inbound events, and its "retry" action
hands them back to the drain and the sweeper."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from executions.models import Execution, InboundEvent, Message, Wait
from tests.executions.factories import make_flow, survey
from tests.executions.support import message_params, send_sms

pytestmark = pytest.mark.django_db(transaction=True)
CONTACT, NUMBER = "+15550001111", "+15551230000"


@pytest.fixture
def root(django_user_model: Any) -> Client:
    user = django_user_model.objects.create_superuser(username="root", password="pw", email="r@example.org")
    client = Client()
    client.force_login(user)
    return client


def failed_event(flow: Any, body: str, contact: str = CONTACT) -> InboundEvent:
    params = message_params(contact, NUMBER, body)
    return InboundEvent.objects.create(
        flow=flow,
        key=params["MessageSid"],
        kind="message",
        contact_channel_address=contact,
        channel_address=NUMBER,
        params=params,
        status=InboundEvent.Status.FAILED,
    )


def run_action(root: Client, model: str, action: str, pks: list[int]) -> Any:
    return root.post(
        f"/admin/executions/{model}/",
        {"action": action, "_selected_action": [str(pk) for pk in pks]},
        follow=True,
    )


def test_retrying_a_failed_inbound_event_processes_it(alice: Any, root: Client) -> None:
    flow = make_flow(alice, survey())
    event = failed_event(flow, "hi")
    assert root.get("/admin/executions/inboundevent/", {"status__exact": "failed"}).content.count(
        event.key.encode()
    )

    response = run_action(root, "inboundevent", "retry_events", [event.pk])

    assert b"1 inbound event(s) re-queued" in response.content
    event.refresh_from_db()
    assert event.status == InboundEvent.Status.PROCESSED
    execution = Execution.objects.get(sid=event.execution_sid)
    assert execution.current_widget == "ask"
    assert Message.objects.filter(execution=execution, body="Hi hi, your name?").count() == 1


def test_retry_leaves_processed_events_alone(alice: Any, root: Client) -> None:
    flow = make_flow(alice, survey())
    send_sms(Client(), flow, CONTACT, NUMBER, "hi")
    processed = InboundEvent.objects.get()
    response = run_action(root, "inboundevent", "retry_events", [processed.pk])
    assert b"0 inbound event(s) re-queued" in response.content
    assert Execution.objects.count() == 1 and Message.objects.filter(direction="outbound-api").count() == 1


def test_the_admin_lists_as_stuck_only_idle_executions_with_no_timer_to_come(
    alice: Any, root: Client, settings: Any
) -> None:
    settings.STUDIO = {**settings.STUDIO, "STUCK_AFTER_MINUTES": 10}
    flow = make_flow(alice, survey())
    send_sms(Client(), flow, CONTACT, NUMBER, "hi")  # waits for a reply, timer in an hour
    send_sms(Client(), flow, "+15550002222", NUMBER, "hi")
    waiting, stuck = Execution.objects.order_by("id")
    long_ago = timezone.now() - dt.timedelta(minutes=30)
    Execution.objects.update(date_updated=long_ago)
    Wait.objects.filter(execution=stuck).delete()  # as if its timer had been lost

    page = root.get("/admin/executions/execution/", {"stuck": "yes"}).content.decode()

    assert stuck.sid in page and waiting.sid not in page


def test_retrying_a_stuck_execution_requeues_its_events_and_fires_its_overdue_timers(
    alice: Any, root: Client
) -> None:
    flow = make_flow(alice, survey())
    send_sms(Client(), flow, CONTACT, NUMBER, "hi")
    execution = Execution.objects.get()
    reply = failed_event(flow, "Ada")
    other = failed_event(flow, "hello", contact="+15550009999")  # another pair: left alone

    response = run_action(root, "execution", "retry_executions", [execution.pk])

    assert b"1 inbound event(s) re-queued" in response.content
    execution.refresh_from_db()
    assert execution.status == Execution.Status.ENDED
    assert Message.objects.filter(execution=execution, body="Thanks Ada").count() == 1
    reply.refresh_from_db()
    other.refresh_from_db()
    assert reply.status == InboundEvent.Status.PROCESSED
    assert other.status == InboundEvent.Status.FAILED


def test_retrying_a_stuck_execution_fires_a_timer_left_overdue(alice: Any, root: Client) -> None:
    flow = make_flow(alice, survey())
    send_sms(Client(), flow, CONTACT, NUMBER, "hi")
    execution = Execution.objects.get()
    Wait.objects.update(fire_at=timezone.now() - dt.timedelta(minutes=5))

    response = run_action(root, "execution", "retry_executions", [execution.pk])

    assert b"1 overdue timer(s) fired" in response.content
    execution.refresh_from_db()
    assert execution.status == Execution.Status.ENDED  # the survey's timeout transition ends it
