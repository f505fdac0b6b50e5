"""Limits (81000, 81001, lifetime), unavailable widgets, Liquid rules (81018), timers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from executions.engine import runner, templates
from executions.engine.timers import sweep
from executions.models import Execution, Step, Wait
from studio.widgets.runtime import Inbound, TemplateError
from tests.executions.factories import definition, on, state
from tests.executions.support import deliver, send_sms, start_rest

pytestmark = pytest.mark.django_db(transaction=True)

FROM = {"from": "{{flow.channel.address}}"}


def counter_loop(limit: int) -> dict[str, Any]:
    cond = {
        "friendly_name": "c",
        "arguments": ["{{flow.variables.i}}"],
        "type": "less_than",
        "value": str(limit),
    }
    return definition(
        state(
            "inc",
            "set-variables",
            [on("next", "check")],
            variables=[{"key": "i", "value": "{{flow.variables.i | plus: 1}}"}],
        ),
        state(
            "check",
            "split-based-on",
            [on("noMatch"), on("match", "inc", conditions=[cond])],
            input="{{flow.variables.i}}",
        ),
        trigger=[on("incomingRequest", "inc")],
    )


def self_loop() -> dict[str, Any]:
    return definition(
        state(
            "again",
            "set-variables",
            [on("next", "again")],
            variables=[{"key": "i", "value": "{{flow.variables.i | plus: 1}}"}],
        ),
        trigger=[on("incomingRequest", "again")],
    )


def test_it_runs_loops_below_the_limits(flow_factory: Any) -> None:
    ex = start_rest(flow_factory(counter_loop(20)))
    assert ex.status == "ended" and ex.context["flow"]["variables"]["i"] == 20


def test_it_ends_an_execution_at_the_step_limit_with_81000(flow_factory: Any) -> None:
    with override_settings(STUDIO={"MAX_STEPS": 25, "MAX_SAME_WIDGET_REPEATS": 10}):
        ex = start_rest(flow_factory(counter_loop(1000)))
    assert ex.status == "ended" and ex.step_count == 26
    last = ex.steps.order_by("-id").first()
    assert last is not None and last.name == "error" and last.context["error"]["code"] == 81000
    assert ex.log[-1]["code"] == 81000


def test_it_allows_a_thousand_steps_by_default(flow_factory: Any) -> None:
    ex = start_rest(flow_factory(counter_loop(10_000)))
    assert ex.step_count == 1001
    assert ex.log[-1]["code"] == 81000


def test_it_stops_a_widget_running_more_than_ten_times_in_a_row_with_81001(flow_factory: Any) -> None:
    ex = start_rest(flow_factory(self_loop()))
    assert ex.status == "ended"
    assert ex.context["flow"]["variables"]["i"] == 10
    error = Step.objects.filter(execution=ex, name="error").get()
    assert error.context["error"]["code"] == 81001 and error.transitioned_to == "Ended"


def test_it_ends_with_an_error_step_for_a_widget_type_without_runtime(
    flow_factory: Any, monkeypatch: Any
) -> None:
    from studio import widgets
    from studio.widgets.widget import Widget

    class NotYetImplemented(Widget):
        type = "not-yet-implemented"
        events = ["next"]

    monkeypatch.setitem(widgets.REGISTRY, NotYetImplemented.type, NotYetImplemented)
    flow = flow_factory(
        definition(state("x", NotYetImplemented.type, [on("next")]), trigger=[on("incomingRequest", "x")])
    )
    ex = start_rest(flow)
    step = ex.steps.order_by("-id").first()
    assert ex.status == "ended"
    assert step is not None and (step.name, step.transitioned_from, step.type) == (
        "error",
        "x",
        NotYetImplemented.type,
    )
    assert step.context["error"]["message"] == "widget type not-yet-implemented is not available"


def test_it_ends_a_legacy_widget_with_an_error_that_says_why(flow_factory: Any) -> None:
    flow = flow_factory(definition(state("t", "create-task", []), trigger=[on("incomingRequest", "t")]))
    ex = start_rest(flow)
    step = ex.steps.order_by("-id").first()
    assert step is not None and "legacy" in step.context["error"]["message"]
    assert step.context["error"]["code"] == 81015


def test_it_ends_the_execution_on_a_template_error_without_failure_path(flow_factory: Any) -> None:
    flow = flow_factory(
        definition(
            state("v", "set-variables", [on("next")], variables=[{"key": "a", "value": "{% if %}"}]),
            trigger=[on("incomingRequest", "v")],
        )
    )
    ex = start_rest(flow)
    assert ex.status == "ended" and ex.log[-1]["code"] == 81018


def test_it_renders_undefined_variables_as_empty() -> None:
    assert (
        templates.render(1, "[{{ nope.deeper }}|{{ flow.variables.x }}]", {"flow": {"variables": {}}})
        == "[|]"
    )


def test_it_has_the_to_json_filter() -> None:
    assert (
        templates.render(1, "{{ trigger.message | to_json }}", {"trigger": {"message": {"Body": "hi"}}})
        == '{"Body":"hi"}'
    )


def test_it_caps_loops_at_fifteen_iterations() -> None:
    assert templates.render(1, "{% for i in (1..15) %}.{% endfor %}", {}) == "." * 15
    with pytest.raises(TemplateError):
        templates.render(1, "{% for i in (1..16) %}.{% endfor %}", {})


def test_it_caps_output_at_16_kb() -> None:
    assert len(templates.render(1, "{{ s }}", {"s": "x" * 16_000})) == 16_000
    with pytest.raises(TemplateError):
        templates.render(1, "{{ s }}{{ s }}", {"s": "x" * 9_000})


def test_it_refuses_unknown_filters() -> None:
    with pytest.raises(TemplateError):
        templates.render(1, "{{ x | no_such_filter }}", {"x": 1})


def test_it_compiles_each_template_once_per_revision() -> None:
    before = templates.cache_info()
    for _ in range(5):
        templates.render(987654, "{{ a }}-{{ b }}", {"a": 1, "b": 2})
    after = templates.cache_info()
    assert after.misses - before.misses == 1 and after.hits - before.hits == 4
    templates.render(987655, "{{ a }}-{{ b }}", {"a": 1})
    assert templates.cache_info().misses - after.misses == 1


def wait_flow() -> dict[str, Any]:
    return definition(
        state(
            "ask",
            "send-and-wait-for-reply",
            [on("incomingMessage"), on("timeout", "late"), on("deliveryFailure")],
            body="?",
            timeout="1",
            **FROM,
        ),
        state("late", "set-variables", [on("next")], variables=[{"key": "late", "value": "yes"}]),
        trigger=[on("incomingRequest", "ask")],
    )


def test_it_does_nothing_for_a_stale_wait(flow_factory: Any) -> None:
    ex = start_rest(flow_factory(wait_flow()))
    Wait.objects.update(token="stale", fire_at=timezone.now() - dt.timedelta(seconds=1))
    assert sweep() == 1
    ex.refresh_from_db()
    assert (ex.status, ex.current_widget) == ("active", "ask")
    assert Wait.objects.count() == 0


def test_it_ignores_a_timer_token_that_no_longer_matches(flow_factory: Any) -> None:
    ex = start_rest(flow_factory(wait_flow()))
    ex = deliver(ex, "timeout", token="not-the-token")
    assert (ex.status, ex.current_widget, ex.log) == ("active", "ask", [])


def test_it_fires_a_due_wait_within_the_sweep_interval(flow_factory: Any) -> None:
    import time

    ex = start_rest(flow_factory(wait_flow()))
    assert sweep() == 0
    time.sleep(1.1)
    assert sweep() == 1
    ex.refresh_from_db()
    assert ex.context["flow"]["variables"]["late"] == "yes"


def test_it_ends_executions_past_their_lifetime(flow_factory: Any) -> None:
    ex = start_rest(flow_factory(wait_flow()))
    Execution.objects.filter(pk=ex.pk).update(date_created=timezone.now() - dt.timedelta(days=31))
    sweep()
    ex.refresh_from_db()
    assert ex.status == "ended" and "lifetime" in ex.log[-1]["message"]


def test_it_starts_afresh_when_a_message_reaches_an_expired_execution(flow_factory: Any) -> None:
    flow = flow_factory(
        definition(
            state(
                "ask",
                "send-and-wait-for-reply",
                [on("incomingMessage"), on("timeout"), on("deliveryFailure")],
                body="?",
                **FROM,
            ),
            trigger=[on("incomingMessage", "ask")],
        )
    )
    send_sms(Client(), flow, "+1555", "+1666", "one")
    Execution.objects.update(date_created=timezone.now() - dt.timedelta(days=31))
    send_sms(Client(), flow, "+1555", "+1666", "two")
    assert list(Execution.objects.order_by("id").values_list("status", flat=True)) == ["ended", "active"]


def test_the_pure_runner_needs_no_database() -> None:
    class NoServices:
        def send_message(self, *a: Any) -> dict[str, Any]:
            return {"Sid": "SM1", "Status": "queued"}

        def callback_url(self, widget: str, **params: str) -> str:
            return "http://x"

    st = runner.ExecState(
        sid="FN1",
        flow_sid="FW1",
        revision_id=-1,
        trigger_event="incomingRequest",
        definition=definition(
            state(
                "ask",
                "send-and-wait-for-reply",
                [on("incomingMessage", "v"), on("timeout"), on("deliveryFailure")],
                body="?",
            ),
            state(
                "v",
                "set-variables",
                [on("next")],
                variables=[{"key": "b", "value": "{{widgets.ask.inbound.Body}}"}],
            ),
            trigger=[on("incomingRequest", "ask")],
        ),
        context={"flow": {"variables": {}}, "widgets": {}, "contact": {"channel": {"address": "+1"}}},
    )
    first = runner.start(st, NoServices())
    assert first.wait is not None and st.current_widget == "ask"
    second = runner.resume(st, Inbound(kind="message", payload={"Body": "yo"}), NoServices())
    assert second.ended and st.context["flow"]["variables"]["b"] == "yo"
    assert [s.name for s in first.steps + second.steps] == ["incomingRequest", "incomingMessage", "next"]


def test_it_holds_a_row_lock_while_delivering(flow_factory: Any) -> None:
    from executions.engine import store

    ex = start_rest(flow_factory(wait_flow()))
    with transaction.atomic():
        locked = store.lock(ex.pk)
        assert locked.sid == ex.sid
