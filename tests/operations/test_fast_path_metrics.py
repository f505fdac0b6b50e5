"""The inbound-message fast path (answered before Django) times its webhooks too."""

from __future__ import annotations

from typing import Any

from accounts import metrics
from executions.models import InboundEvent
from tests.executions.test_fast_webhook import (  # noqa: F401 - fixtures
    EMPTY,
    app,
    call,
    django_app,
    flow,
    kicks,
    pytestmark,
    sms,
)


def test_a_webhook_answered_by_the_fast_path_is_timed(app: Any, kicks: Any, flow: Any) -> None:  # noqa: F811
    metrics.reset_local()
    answer = call(app, **sms(flow))
    assert answer.body == EMPTY and InboundEvent.objects.count() == 1
    assert app.app.seen == []  # Django never saw it
    totals = metrics.totals()
    count = metrics.field("studio_webhook_duration_seconds_count", (("route", "flow-webhook"),))
    assert totals[count] == 1
