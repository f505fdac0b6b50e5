"""``executions.voice.queries.Prepared``: a queryset compiled once answers like the queryset."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from executions.models import Execution
from executions.voice.queries import Prepared
from studio.models import Flow
from tests.executions.test_voice_turn_cost import ivr
from tests.executions.voice_support import call_params, ring

pytestmark = pytest.mark.django_db(transaction=True)

BY_SIDS: Prepared[Execution] = Prepared(
    lambda account, sid: Execution.objects.select_related("account", "flow").filter(
        account__sid=account, sid=sid
    ),
    "account",
    "sid",
)


def test_it_answers_the_same_rows_and_related_objects_as_the_queryset(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    ring(flow)
    ring(flow, call_params())
    for execution in Execution.objects.all():
        [found] = BY_SIDS.run(account=flow.account.sid, sid=execution.sid)
        assert found.pk == execution.pk
        assert found.context == execution.context  # JSON columns decoded as the ORM does
        assert found.date_created == execution.date_created
        assert found.account.auth_token == flow.account.auth_token  # joined, not queried again
        assert found.flow.sid == flow.sid
    assert BY_SIDS.run(account=flow.account.sid, sid="FN" + "0" * 32) == []
    assert BY_SIDS.run(account="AC" + "0" * 32, sid=Execution.objects.first().sid) == []


def test_it_takes_integer_placeholders_for_integer_columns(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    ring(flow)
    by_flow: Prepared[Execution] = Prepared(lambda flow: Execution.objects.filter(flow_id=flow), "flow:int")
    assert [e.flow_id for e in by_flow.run(flow=flow.pk)] == [flow.pk]
    assert by_flow.run(flow=flow.pk + 1000) == []


def test_it_refuses_a_placeholder_that_does_not_reach_the_sql(flow_factory: Any) -> None:
    flow_factory(ivr())
    unused: Prepared[Flow] = Prepared(lambda sid, other: Flow.objects.filter(sid=sid), "sid", "other")
    with pytest.raises(ValueError, match="placeholder"):
        unused.run(sid="FW", other="x")


def test_it_locks_inside_a_transaction(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    ring(flow)
    execution = Execution.objects.get()
    locking: Prepared[Execution] = Prepared(
        lambda pk: Execution.objects.select_for_update(of=("self",)).filter(pk=pk), "pk:int"
    )
    with transaction.atomic():
        [found] = locking.run(pk=execution.pk)
    assert found.sid == execution.sid
