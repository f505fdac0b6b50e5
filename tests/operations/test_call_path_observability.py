"""A call's turns answered in front of Django (``executions.inbound.call_path``) are logged and timed
as Django's ``RequestContextMiddleware`` does it: a request sid and the URL's account and flow on
their log lines, their answer time in the webhook histogram by route; a turn left to Django is
timed once, by Django, and keeps the sid it was given."""

from __future__ import annotations

import html
import io
import re
from typing import Any

from django.core.handlers.asgi import ASGIHandler

from accounts import metrics
from executions.inbound.call_path import CallPath
from executions.models import Execution
from tests.executions.factories import make_flow
from tests.executions.support import webhook_path
from tests.executions.test_voice_turn_cost import ivr
from tests.executions.voice_support import call_params
from tests.operations.test_database_outage import asgi_post, unreached
from tests.operations.test_structured_logs import json_lines, parsed, pytestmark  # noqa: F401 - fixture

COUNT = "studio_webhook_duration_seconds_count"


def count(route: str) -> float:
    return metrics.totals().get(metrics.field(COUNT, (("route", route),)), 0.0)


def test_a_calls_turns_log_with_a_request_sid_and_are_timed_by_route(
    alice: Any,
    json_lines: io.StringIO,  # noqa: F811
) -> None:
    metrics.reset_local()
    flow = make_flow(alice, ivr(), name="IVR")
    app = CallPath(unreached)  # every turn answered in front of Django
    params = call_params()
    first = asgi_post(app, webhook_path(flow), alice, params)
    assert first.status_code == 200 and "<Gather" in first.text
    found = re.search(r'<Gather[^>]* action="([^"]+)"', first.text)
    assert found is not None
    second = asgi_post(
        app, html.unescape(found[1]), alice, {**params, "CallStatus": "in-progress", "Digits": "1"}
    )
    assert second.status_code == 200 and "<Say" in second.text

    execution = Execution.objects.get(flow=flow)
    started = next(
        line
        for line in parsed(json_lines)
        if line.get("execution_sid") == execution.sid and line["message"].startswith("execution started")
    )
    assert re.fullmatch(r"RQ[0-9a-f]{32}", started["request_sid"])
    assert started["account_sid"] == alice.sid and started["flow_sid"] == flow.sid
    assert count("flow-webhook") == 1
    assert count("execution-callback") == 1


def test_a_turn_left_to_django_is_timed_once_with_the_sid_it_was_given(
    alice: Any,
    json_lines: io.StringIO,  # noqa: F811
) -> None:
    metrics.reset_local()
    flow = make_flow(alice, ivr(), name="IVR")
    app = CallPath(ASGIHandler())  # Django's (get_asgi_application would set logging up again)
    forged = {**call_params(), "Forged": "1"}
    answer = asgi_post(app, webhook_path(flow), alice, forged, signed_without="Forged")
    assert answer.status_code == 403  # Django's answer to a wrong signature

    assert count("flow-webhook") == 1
    refused = [line for line in parsed(json_lines) if line["message"].startswith("Forbidden:")]
    assert len(refused) == 1
    assert re.fullmatch(r"RQ[0-9a-f]{32}", refused[0]["request_sid"])
    assert refused[0]["account_sid"] == alice.sid
