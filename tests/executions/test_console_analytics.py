"""Path analytics: steps per transition and drop-offs per widget over a window."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone

from executions.api.console_analytics import path_counts
from executions.models import PathCount
from tests.executions.factories import definition, on, state, survey
from tests.executions.test_console_sim import bob_console, say  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


def branching() -> dict[str, Any]:
    """Ask yes/no: "yes" goes on to thank, anything else ends at the split (a drop-off)."""
    return definition(
        state(
            "ask",
            "send-and-wait-for-reply",
            [on("incomingMessage", "split"), on("timeout"), on("deliveryFailure")],
            body="Continue?",
            timeout="3600",
            **{"from": "{{flow.channel.address}}"},
        ),
        state(
            "split",
            "split-based-on",
            [
                on("noMatch"),
                on(
                    "match",
                    "thanks",
                    conditions=[
                        {
                            "friendly_name": "yes",
                            "arguments": ["{{widgets.ask.inbound.Body}}"],
                            "type": "equal_to",
                            "value": "yes",
                        }
                    ],
                ),
            ],
            input="{{widgets.ask.inbound.Body}}",
        ),
        state(
            "thanks",
            "send-message",
            [on("sent"), on("failed")],
            body="Thanks",
            to="{{contact.channel.address}}",
            **{"from": "{{flow.channel.address}}"},
        ),
        trigger=[on("incomingMessage", "ask")],
    )


def analytics(client: Any, flow: Any, **query: Any) -> dict[str, Any]:
    response = client.get(f"/api/console/flows/{flow.sid}/analytics", query)
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_it_counts_each_transition_and_the_executions_that_ended_at_each_widget(
    console: Any, flow_factory: Any
) -> None:
    flow = flow_factory(branching())
    answers = {"+15550100001": "yes", "+15550100002": "yes", "+15550100003": "no", "+15550100004": None}
    for contact, answer in answers.items():
        say(console, flow, "hi", frm=contact)
        if answer:
            say(console, flow, answer, frm=contact)
    body = analytics(console, flow)
    assert {(t["from"], t["event"], t["to"]): t["count"] for t in body["transitions"]} == {
        ("Trigger", "incomingMessage", "ask"): 4,
        ("ask", "incomingMessage", "split"): 3,
        ("split", "match", "thanks"): 2,
        ("split", "noMatch", "Ended"): 1,
        ("thanks", "sent", "Ended"): 2,
    }
    assert body["dropoffs"] == [{"widget": "split", "count": 1}, {"widget": "thanks", "count": 2}]
    assert {e["widget"]: e["count"] for e in body["entries"]} == {"ask": 4, "split": 3, "thanks": 2}
    assert body["step_count"] == 12
    assert {e["widget"]: (e["count"], e["runs"]) for e in body["errors"]} == {
        "Trigger": (0, 4),
        "ask": (0, 3),
        "split": (0, 3),
        "thanks": (0, 2),
    }


def test_it_counts_only_the_steps_inside_the_window(console: Any, flow_factory: Any) -> None:
    flow = flow_factory(survey())
    say(console, flow, "old", frm="+15550100001")
    say(console, flow, "Ada", frm="+15550100001")
    PathCount.objects.update(hour=F("hour") - dt.timedelta(days=3))
    say(console, flow, "new", frm="+15550100002")
    recent = analytics(console, flow)
    assert [(t["from"], t["count"]) for t in recent["transitions"]] == [("Trigger", 1)]
    week = analytics(console, flow, since=(timezone.now() - dt.timedelta(days=7)).isoformat())
    assert {(t["from"], t["to"]): t["count"] for t in week["transitions"]} == {
        ("Trigger", "ask"): 2,
        ("ask", "thanks"): 1,
        ("thanks", "Ended"): 1,
    }
    old_only = analytics(
        console,
        flow,
        since=(timezone.now() - dt.timedelta(days=7)).isoformat(),
        until=(timezone.now() - dt.timedelta(days=1)).isoformat(),
    )
    assert old_only["step_count"] == 3 and old_only["dropoffs"] == [{"widget": "thanks", "count": 1}]
    url = f"/api/console/flows/{flow.sid}/analytics"
    assert console.get(url, {"since": "2026-01-02", "until": "2026-01-01"}).status_code == 400
    assert console.get(url, {"since": "yesterday"}).status_code == 400


def test_it_counts_one_flows_steps_for_its_own_account_only(
    console: Any,
    bob_console: Any,  # noqa: F811 - the fixture imported above
    flow_factory: Any,
) -> None:
    flow = flow_factory(survey())
    other = flow_factory(survey(), name="Other")
    say(console, flow, "hi")
    say(console, other, "hi", frm="+15550100009")
    say(console, other, "Bo", frm="+15550100009")
    assert analytics(console, flow)["step_count"] == 1
    assert bob_console.get(f"/api/console/flows/{flow.sid}/analytics").status_code == 404


def test_it_answers_with_one_aggregate_query(
    console: Any, flow_factory: Any, django_assert_max_num_queries: Any
) -> None:
    flow = flow_factory(survey())
    for n in range(5):
        say(console, flow, "hi", frm=f"+1555010000{n}")
    with django_assert_max_num_queries(1):
        body = path_counts(flow, timezone.now() - dt.timedelta(hours=1), None)
    assert body["transitions"] == [{"from": "Trigger", "event": "incomingMessage", "to": "ask", "count": 5}]
