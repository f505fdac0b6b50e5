"""What a voice turn costs the database, and that the cheap path keeps a call's turns exactly-once.

The statement counts are the budget of issue 17 (BEGIN and COMMIT included, as SQLite reports
them): an incoming call reads its flow (the published revision comes from memory), inserts its
execution with the state its run left it in and its step; a later turn reads and locks its execution in one
statement and saves; a status callback after the call ended only reads.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.db import transaction

from executions.engine import store
from executions.models import Execution, Step, Wait
from studio.widgets.runtime import Inbound
from tests.executions.factories import definition, on, state
from tests.executions.voice_support import call_params, follow, hang_up, ring, twiml_of

pytestmark = pytest.mark.django_db(transaction=True)


def ivr() -> dict[str, Any]:
    d = definition(
        state(
            "menu",
            "gather-input-on-call",
            [on("keypress", "check"), on("speech"), on("timeout")],
            say="Hello {{trigger.call.From}}, press 1 for sales",
            number_of_digits=1,
        ),
        state(
            "check",
            "split-based-on",
            [
                on("noMatch", "bye"),
                on(
                    "match",
                    "sales",
                    conditions=[
                        {
                            "friendly_name": "1",
                            "arguments": ["{{widgets.menu.Digits}}"],
                            "type": "equal_to",
                            "value": "1",
                        }
                    ],
                ),
            ],
            input="{{widgets.menu.Digits}}",
        ),
        state("sales", "say-play", [on("audioComplete", "bye")], say="Connecting you to sales"),
        state("bye", "say-play", [on("audioComplete")], say="Goodbye"),
        trigger=[on("incomingCall", "menu")],
    )
    d["flags"]["allow_concurrent_calls"] = True
    return d


def _gather_action(response: Any) -> str:
    twiml_of(response)
    found = re.search(r'<Gather[^>]* action="([^"]+)"', response.content.decode())
    assert found, response.content
    return html.unescape(found.group(1))


def _redirect(response: Any) -> str:
    twiml_of(response)
    found = re.search(r"<Redirect[^>]*>([^<]+)</Redirect>", response.content.decode())
    assert found, response.content
    return html.unescape(found.group(1))


def test_it_answers_an_incoming_call_in_five_statements(
    flow_factory: Any, django_assert_max_num_queries: Any
) -> None:
    flow = flow_factory(ivr())
    ring(flow)  # the published revision is read once per process, then kept
    with django_assert_max_num_queries(5):
        response = ring(flow)
    _gather_action(response)


def test_it_plays_each_later_turn_in_five_statements(
    flow_factory: Any, django_assert_max_num_queries: Any
) -> None:
    flow = flow_factory(ivr())
    params = call_params()
    live = {**params, "CallStatus": "in-progress"}
    action = _gather_action(ring(flow, params))
    with django_assert_max_num_queries(5):
        digits = follow(flow.account, action, **live, Digits="1")
    with django_assert_max_num_queries(5):
        said = follow(flow.account, _redirect(digits), **live)
    with django_assert_max_num_queries(5):
        ended = follow(flow.account, _redirect(said), **live)
    assert ended.content.decode().endswith("<Response/>")
    execution = Execution.objects.get(session_key=params["CallSid"])
    assert execution.status == "ended"
    assert list(Step.objects.filter(execution=execution).order_by("id").values_list("name", flat=True)) == [
        "incomingCall",
        "keypress",
        "match",
        "audioComplete",
        "audioComplete",
    ]
    with django_assert_max_num_queries(2):
        hang_up(flow, params)  # the execution ended with the call: nothing to lock


def test_it_runs_a_retried_incoming_call_once(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    params = call_params()
    first = ring(flow, params)
    again = ring(flow, params)  # Twilio retries a request that timed out
    _gather_action(first)
    assert again.content.decode().endswith("<Response/>")
    execution = Execution.objects.get(flow=flow)
    assert Step.objects.filter(execution=execution).count() == 1
    assert any(entry.get("code") == 81002 for entry in execution.log)


def test_it_runs_a_retried_turn_once(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    params = call_params()
    live = {**params, "CallStatus": "in-progress"}
    action = _gather_action(ring(flow, params))
    first = follow(flow.account, action, **live, Digits="1")
    again = follow(flow.account, action, **live, Digits="1")
    assert "<Say" in first.content.decode()
    assert again.content.decode().endswith("<Response/>")  # a stale Seq: already played
    execution = Execution.objects.get(flow=flow)
    assert list(Step.objects.filter(execution=execution).values_list("name", flat=True)) == [
        "incomingCall",
        "keypress",
        "match",
    ]


def test_it_still_clears_a_timer_when_its_wait_ends(flow_factory: Any) -> None:
    """Stale Wait rows are deleted only when a timer can exist; a timed wait still has it."""
    flow = flow_factory(
        definition(
            state(
                "ask",
                "send-and-wait-for-reply",
                [on("incomingMessage"), on("timeout"), on("deliveryFailure")],
                body="?",
                timeout="3600",
            ),
            trigger=[on("incomingCall", "ask")],
        )
    )
    ring(flow)
    execution = Execution.objects.get(flow=flow)
    assert execution.wait_state["timer"] is True
    assert Wait.objects.filter(execution=execution).count() == 1
    with transaction.atomic():
        store.deliver(store.lock(execution.pk), Inbound(kind="message", payload={"Body": "yes"}))
    execution.refresh_from_db()
    assert execution.status == "ended"
    assert not Wait.objects.filter(execution=execution).exists()
