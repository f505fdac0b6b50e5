"""Inbound events are drained in batches: heads of contact queues, a few statements, no loss."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from executions.engine import store, writes
from executions.inbound import batch, drain, intake
from executions.inbound.intake import record
from executions.models import Execution, InboundEvent, Message, Step
from tests.executions.factories import survey
from tests.executions.support import bodies, message_params, start_rest

US = "+15550001111"


def contact(n: int) -> str:
    return f"+1555{n:07d}"


def test_a_claim_takes_only_the_oldest_pending_event_of_each_contact(flow_factory: Any) -> None:
    flow = flow_factory(survey())
    a1, a2 = (
        record(flow, message_params(contact(1), US, "a1")),
        record(flow, message_params(contact(1), US, "a2")),
    )
    b1 = record(flow, message_params(contact(2), US, "b1"))
    with transaction.atomic():
        claimed = batch.claim(10)
    assert [e.pk for e in claimed] == [a1.pk, b1.pk]  # type: ignore[union-attr]
    assert a2 is not None


def test_a_batch_of_fifty_new_contacts_costs_a_few_statements(flow_factory: Any) -> None:
    flow = flow_factory(survey())
    for n in range(50):
        record(flow, message_params(contact(n), US, f"hello {n}"))
    with CaptureQueriesContext(connection) as queries:
        assert batch.process_batch() == (50, False)
    assert Execution.objects.filter(status="active").count() == 50
    assert len(bodies()) == 50
    assert Step.objects.count() == 50
    # Claim, flows, published revision, active executions, inbound messages, executions,
    # messages, steps, waits, events, savepoints, dispatch: the same for 5 contacts or 500.
    assert len(queries) <= 20, "\n".join(q["sql"][:90] for q in queries)


def test_a_batch_resumes_waiting_executions_and_starts_new_ones_together(flow_factory: Any) -> None:
    flow = flow_factory(survey())
    record(flow, message_params(contact(1), US, "one"))
    assert drain.drain() == 1
    record(flow, message_params(contact(1), US, "Ann"))
    record(flow, message_params(contact(2), US, "two"))
    assert batch.process_batch() == (2, False)
    assert bodies() == ["Hi one, your name?", "Thanks Ann", "Hi two, your name?"]
    assert sorted(Execution.objects.values_list("status", flat=True)) == ["active", "ended"]
    assert InboundEvent.objects.filter(status="processed").count() == 3
    assert all(InboundEvent.objects.values_list("execution_sid", flat=True))


def test_a_message_stays_listed_once_and_before_its_reply(flow_factory: Any) -> None:
    flow = flow_factory(survey())
    params = message_params(contact(1), US, "hi")
    record(flow, params)
    drain.drain()
    listed = list(Message.objects.order_by("date_created", "id").values_list("direction", "sid"))
    assert listed[0] == ("inbound", params["MessageSid"])
    assert [d for d, _ in listed] == ["inbound", "outbound-api"]


def test_a_batch_stops_taking_events_after_its_time_budget_and_leaves_the_rest_pending(
    flow_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = flow_factory(survey())
    for n in range(3):
        record(flow, message_params(contact(n), US, f"m{n}"))
    monkeypatch.setattr(batch, "BATCH_SECONDS", 0.0)  # every event "takes too long"
    assert batch.process_batch() == (1, True)  # one done; more waiting: a helper is asked for
    assert InboundEvent.objects.filter(status="pending").count() == 2
    assert drain.drain() == 2
    assert bodies() == ["Hi m0, your name?", "Hi m1, your name?", "Hi m2, your name?"]


def test_a_failing_batch_is_retried_event_by_event_and_a_bad_event_is_set_aside(
    flow_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = flow_factory(survey())
    for n in range(3):
        record(flow, message_params(contact(n), US, f"m{n}"))
    real = intake.handle

    def handle(event: InboundEvent, **kw: Any) -> Any:
        if event.params["Body"] == "m1":
            raise RuntimeError("a widget blew up")
        return real(event, **kw)

    monkeypatch.setattr(intake, "handle", handle)
    assert drain.drain() == 3
    statuses = dict(InboundEvent.objects.values_list("params__Body", "status"))
    assert statuses == {"m0": "processed", "m1": "failed", "m2": "processed"}
    assert bodies() == ["Hi m0, your name?", "Hi m2, your name?"]


def test_an_execution_started_meanwhile_for_a_pair_sends_the_event_there(
    flow_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch read no active execution for the pair, but one exists by the time it writes
    (a REST trigger raced it): the batch's insert conflicts, and the events are processed one
    by one, delivering this one to the execution that won."""
    flow = flow_factory(survey())
    record(flow, message_params(contact(1), US, "late"))
    record(flow, message_params(contact(2), US, "other"))
    with transaction.atomic():
        rest = store.create_execution(
            flow,
            flow.latest_revision(),
            contact=contact(1),
            channel=US,
            trigger_event="incomingMessage",
            trigger={},
        )
        store.run_start(rest)
    monkeypatch.setattr(batch.BatchLookup, "active", lambda self, *pair: None)
    assert drain.drain() == 2
    assert Execution.objects.filter(contact_channel_address=contact(1)).count() == 1
    assert InboundEvent.objects.get(params__Body="late").execution_sid == rest.sid
    assert InboundEvent.objects.filter(status="processed").count() == 2
    assert bodies(to_address=contact(1))[-1] == "Thanks late"


def test_rows_written_in_bulk_read_back_exactly(flow_factory: Any) -> None:
    flow = flow_factory(survey())
    odd = 'quotes \' " back\\slash, newline\n, emoji 🎉, {"json": [1, 2]}'
    record(flow, message_params(contact(1), US, odd))
    record(flow, message_params(contact(2), US, "plain"))
    assert batch.process_batch() == (2, False)
    execution = Execution.objects.get(contact_channel_address=contact(1))
    assert execution.context["trigger"]["message"]["Body"] == odd
    assert execution.current_widget == "ask"
    assert execution.step_count == 1
    assert Message.objects.get(direction="inbound", from_address=contact(1)).body == odd
    assert bodies(to_address=contact(1)) == [f"Hi {odd}, your name?"]
    assert execution.waits.count() == 1
    assert execution.date_created <= timezone.now()


def test_bulk_updates_write_every_state_column(flow_factory: Any) -> None:
    flow = flow_factory(survey())
    first, second = start_rest(flow, to=contact(1)), start_rest(flow, to=contact(2))
    for n, execution in enumerate((first, second)):
        execution.context = {"flow": {"variables": {"n": n, "text": "a'b\"c"}}}
        execution.status = "ended"
        execution.current_widget = ""
        execution.step_count = 7 + n
        execution.log = [{"level": "info", "message": f"entry {n}"}]
        execution.date_ended = timezone.now() - dt.timedelta(minutes=n)
    writes.update_rows([first, second], writes.STATE_COLUMNS)
    for n, execution in enumerate((first, second)):
        stored = Execution.objects.get(pk=execution.pk)
        assert stored.context == {"flow": {"variables": {"n": n, "text": "a'b\"c"}}}
        assert (stored.status, stored.step_count) == ("ended", 7 + n)
        assert stored.log == [{"level": "info", "message": f"entry {n}"}]
        assert stored.date_ended == execution.date_ended


class FakeRedis:
    def __init__(self) -> None:
        self.keys: dict[str, str] = {}

    def set(self, key: str, value: str, nx: bool = False, ex: int | None = None) -> bool:
        if nx and key in self.keys:
            return False
        self.keys[key] = value
        return True

    def delete(self, key: str) -> None:
        self.keys.pop(key, None)

    def expire(self, key: str, seconds: int) -> None:
        pass


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> tuple[FakeRedis, list[int]]:
    """Drain as in production (not eager): kicks go through Redis, drainers are queued tasks."""
    fake, tasks = FakeRedis(), []
    monkeypatch.setattr(drain, "_eager", lambda: False)
    monkeypatch.setattr(drain, "redis_client", lambda: fake)
    monkeypatch.setattr(drain, "_queue", tasks.append)
    return fake, tasks


def test_a_burst_of_webhooks_queues_one_drainer(queued: tuple[FakeRedis, list[int]]) -> None:
    fake, tasks = queued
    for _ in range(100):
        drain.kick()
    assert tasks == [0]
    assert drain.KICK_KEY in fake.keys


def test_a_drainer_lets_go_when_the_queue_is_empty_and_the_next_kick_queues_again(
    flow_factory: Any, queued: tuple[FakeRedis, list[int]]
) -> None:
    fake, tasks = queued
    flow = flow_factory(survey())
    record(flow, message_params(contact(1), US, "one"))
    drain.kick()
    assert drain.drain(0) == 1
    assert drain.KICK_KEY not in fake.keys
    drain.kick()
    assert tasks == [0, 0]


def test_an_event_committed_while_the_drainer_stops_is_not_stranded(
    flow_factory: Any, queued: tuple[FakeRedis, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The webhook's kick finds the key still set (no new drainer), but its event was committed
    before the drainer's last look, which processes it."""
    fake, tasks = queued
    flow = flow_factory(survey())
    drain.kick()
    real_delete, late = fake.delete, []

    def delete_after_a_late_webhook(key: str) -> None:
        if not late:
            late.append(record(flow, message_params(contact(9), US, "late")))  # committed...
            drain.kick()  # ...then kicks while the key is still set: nothing queued
        real_delete(key)

    monkeypatch.setattr(fake, "delete", delete_after_a_late_webhook)
    assert drain.drain(0) == 1
    assert tasks == [0]
    assert InboundEvent.objects.get().status == "processed"


def test_a_full_batch_asks_for_a_helper_drainer(
    flow_factory: Any, queued: tuple[FakeRedis, list[int]], settings: Any
) -> None:
    fake, tasks = queued
    settings.STUDIO = {**settings.STUDIO, "INBOUND_BATCH": 2, "INBOUND_DRAINERS": 2}
    flow = flow_factory(survey())
    for n in range(5):
        record(flow, message_params(contact(n), US, f"m{n}"))
    assert drain.drain(0) == 5
    assert tasks == [1]  # slot 1 was asked once; its key is set until that drainer runs
    assert f"{drain.KICK_KEY}:1" in fake.keys


def test_the_sweeper_queues_a_drainer_for_events_left_pending_without_one(
    flow_factory: Any, queued: tuple[FakeRedis, list[int]]
) -> None:
    fake, tasks = queued
    flow = flow_factory(survey())
    record(flow, message_params(contact(1), US, "stranded"))
    InboundEvent.objects.update(date_created=timezone.now() - dt.timedelta(seconds=30))
    fake.keys[drain.KICK_KEY] = "1"  # a drainer holds the key (running, or dead until it expires)
    assert drain.rescue() == 0
    assert tasks == []
    del fake.keys[drain.KICK_KEY]  # expired
    assert drain.rescue() == 0
    assert tasks == [0]


def test_the_sweeper_rescues_events_left_pending_embedded(flow_factory: Any) -> None:
    from executions.tasks import sweep_waits

    flow = flow_factory(survey())
    record(flow, message_params(contact(1), US, "fresh"))
    assert sweep_waits() == 0  # not yet stale: a live drainer may be on it
    InboundEvent.objects.update(date_created=timezone.now() - dt.timedelta(seconds=30))
    assert sweep_waits() == 1
    assert bodies() == ["Hi fresh, your name?"]
