"""The path-count aggregate agrees with the steps, whichever path wrote them."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone

from executions.api.console_analytics import path_counts
from executions.engine.path_counts import hour_of
from executions.engine.timers import sweep
from executions.inbound import batch, drain
from executions.inbound.intake import record
from executions.models import PathCount, Step, Wait
from executions.voice.call_simulator import call_flow
from tests.executions.factories import definition, on, state, survey
from tests.executions.support import message_params, start_rest
from tests.executions.test_voice_simulator import ivr
from tests.executions.voice_support import CALLER, NUMBER

pytestmark = pytest.mark.django_db(transaction=True)
US = "+15550001111"


def from_steps(flow: Any) -> Counter[tuple[str, str, str]]:
    steps = Step.objects.filter(execution__flow=flow)
    return Counter((s.transitioned_from, s.name, s.transitioned_to) for s in steps)


def from_aggregate(flow: Any) -> Counter[tuple[str, str, str]]:
    rows = PathCount.objects.filter(flow=flow).values("from_widget", "event", "to_widget")
    totals = rows.annotate(n=Sum("count"))
    return Counter({(r["from_widget"], r["event"], r["to_widget"]): int(r["n"]) for r in totals})


def asks() -> dict[str, Any]:
    return definition(
        state(
            "ask",
            "send-and-wait-for-reply",
            [on("incomingMessage"), on("timeout"), on("deliveryFailure")],
            body="Still there?",
            timeout="3600",
            **{"from": "{{flow.channel.address}}"},
        ),
        trigger=[on("incomingRequest", "ask")],
    )


def test_a_batch_of_inbound_messages_feeds_the_aggregate_with_its_steps(flow_factory: Any) -> None:
    flow = flow_factory(survey())
    for n in range(20):
        record(flow, message_params(f"+1555{n:07d}", US, "hi"))
    assert batch.process_batch() == (20, False)
    for n in range(5):
        record(flow, message_params(f"+1555{n:07d}", US, "Ann"))
    drain.drain()
    assert sum(from_steps(flow).values()) == 20 + 5 * 2
    assert from_aggregate(flow) == from_steps(flow)


def test_rest_runs_calls_and_fired_timers_feed_the_aggregate(flow_factory: Any) -> None:
    messaging = flow_factory(asks())
    start_rest(messaging, "+15550100001", US)
    Wait.objects.update(fire_at=timezone.now())
    sweep()  # the question times out
    assert ("ask", "timeout", "Ended") in from_aggregate(messaging)
    voice = flow_factory(ivr(), name="IVR")
    call_flow(voice, from_=CALLER, to=NUMBER, script={"inputs": ["3"]})
    call_flow(voice, from_=CALLER, to=NUMBER, script={"inputs": ["hangup"]})
    for flow in (messaging, voice):
        assert from_steps(flow) and from_aggregate(flow) == from_steps(flow)
    assert ("menu", "keypress", "thanks") in from_aggregate(voice)


def test_a_widget_that_raises_counts_as_an_error_and_a_drop_off(flow_factory: Any) -> None:
    flow = flow_factory(
        definition(state("boom", "no-such-widget", []), trigger=[on("incomingRequest", "boom")]),
        published=True,
    )
    for n in range(3):
        start_rest(flow, f"+155501000{n:02d}", US)
    body = path_counts(flow, hour_of(Step.objects.first().date_created), None)  # type: ignore[union-attr]
    errors = {e["widget"]: (e["count"], e["runs"], e["rate"]) for e in body["errors"]}  # type: ignore[union-attr]
    assert errors["boom"] == (3, 3, 1.0)
    assert {"widget": "boom", "count": 3} in body["dropoffs"]  # type: ignore[operator]


def test_the_migration_counts_the_steps_written_before_the_aggregate(flow_factory: Any) -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    flow = flow_factory(asks())
    executor = MigrationExecutor(connection)
    executor.migrate([("executions", "0005_path_counts")])
    try:
        for n in range(3):
            start_rest(flow, f"+155501000{n:02d}", US)
        PathCount.objects.all().delete()  # as before the aggregate (PostgreSQL has no trigger to undo)
        assert not from_aggregate(flow)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert from_aggregate(flow) == from_steps(flow) == Counter({("Trigger", "incomingRequest", "ask"): 3})
    start_rest(flow, "+15550100099", US)  # and the engine goes on counting
    assert from_aggregate(flow)[("Trigger", "incomingRequest", "ask")] == 4
