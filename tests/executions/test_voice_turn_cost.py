"""What a voice turn costs the database, and that the cheap path keeps a call's turns exactly-once.

The statement counts are the budget of issue 17 (BEGIN and COMMIT included, as SQLite reports
them): an incoming call reads its flow (the published revision comes from memory), inserts its
execution with the state its run left it in and its step; a later turn reads its execution in
one statement (no lock) and saves it if nobody saved it meanwhile; a status callback after the
call ended only reads. On PostgreSQL a turn's writes are one statement, sent in autocommit: a
turn is two round trips, no BEGIN or COMMIT.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection, connections, transaction
from django.db.transaction import TransactionManagementError

from executions.engine import oneshot, store
from executions.models import Execution, PathCount, Step, Wait
from executions.voice import turns
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


@contextmanager
def round_trips() -> Iterator[list[tuple[str, bool]]]:
    """The statements sent, each with whether it went in autocommit (no BEGIN before it, no
    COMMIT after: psycopg sends those only outside autocommit)."""
    sent: list[tuple[str, bool]] = []

    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append((sql.split(None, 1)[0].upper(), bool(connection.connection.autocommit)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield sent


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's round trips")


@postgres_only
def test_it_plays_a_whole_call_in_two_round_trips_per_turn(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    ring(flow)  # the published revision is read once per process, then kept
    params = call_params()
    live = {**params, "CallStatus": "in-progress"}
    with round_trips() as incoming:
        action = _gather_action(ring(flow, params))
    assert incoming == [("SELECT", True), ("WITH", True)]  # the flow; the execution and its step
    with round_trips() as digits:
        said = follow(flow.account, action, **live, Digits="1")
    with round_trips() as redirect:
        bye = follow(flow.account, _redirect(said), **live)
    with round_trips() as last:
        ended = follow(flow.account, _redirect(bye), **live)
    for turn in (digits, redirect, last):
        assert turn == [("SELECT", True), ("WITH", True)]  # the execution; it and its steps
    assert ended.content.decode().endswith("<Response/>")
    with round_trips() as status:
        hang_up(flow, params)
    assert status == [("SELECT", True), ("SELECT", True)]  # the flow; no active execution
    execution = Execution.objects.get(session_key=params["CallSid"])
    assert execution.status == "ended"
    assert list(Step.objects.filter(execution=execution).order_by("id").values_list("name", flat=True)) == [
        "incomingCall",
        "keypress",
        "match",
        "audioComplete",
        "audioComplete",
    ]
    counted = {(p.from_widget, p.event): 0 for p in PathCount.objects.filter(flow=flow)}
    for p in PathCount.objects.filter(flow=flow):
        counted[(p.from_widget, p.event)] += p.count
    assert counted == {
        ("Trigger", "incomingCall"): 2,  # the first ring too
        ("menu", "keypress"): 1,
        ("check", "match"): 1,
        ("sales", "audioComplete"): 1,
        ("bye", "audioComplete"): 1,
    }


def _turn(action: str) -> tuple[str, str, str, str | None, int | None]:
    """(account, flow, execution sids, Widget, Seq) of an action URL."""
    parts = urlsplit(action)
    account, flow, execution = re.findall(r"(?:AC|FW|FN)[0-9a-f]{32}", parts.path)
    query = dict(parse_qsl(parts.query))
    return account, flow, execution, query.get("Widget"), int(query["Seq"])


def test_it_runs_a_turn_read_before_the_same_turn_was_saved_once(flow_factory: Any) -> None:
    """Twilio retried while the first request ran: the retry read the row before the first
    saved it. Its save finds the row changed, writes nothing, and the turn runs again under the
    row lock, where its Seq is stale: the keypress is played once."""
    flow = flow_factory(ivr())
    params = call_params()
    live = {**params, "CallStatus": "in-progress"}
    action = _gather_action(ring(flow, params))
    account, flow_sid, sid, widget, seq = _turn(action)
    stale = turns.read_for_callback(account, flow_sid, sid)
    assert stale is not None
    first = follow(flow.account, action, **live, Digits="1")
    assert "<Say" in first.content.decode()
    inbound = Inbound(kind="callback", payload={**live, "Digits": "1"})
    assert turns.play_callback(stale, inbound, widget=widget, seq=seq) == []
    execution = Execution.objects.get(flow=flow)
    assert list(Step.objects.filter(execution=execution).order_by("id").values_list("name", flat=True)) == [
        "incomingCall",
        "keypress",
        "match",
    ]


def test_it_plays_a_turn_read_before_a_log_line_was_saved_under_the_lock(flow_factory: Any) -> None:
    """The row changed meanwhile without a step (a log line): the turn is still current, and is
    played once, under the lock, on the row as it now is."""
    flow = flow_factory(ivr())
    params = call_params()
    live = {**params, "CallStatus": "in-progress"}
    action = _gather_action(ring(flow, params))
    account, flow_sid, sid, widget, seq = _turn(action)
    stale = turns.read_for_callback(account, flow_sid, sid)
    assert stale is not None
    with transaction.atomic():
        execution = store.lock(stale.pk)
        execution.log = [
            *execution.log,
            {"level": "info", "code": None, "message": "noted", "widget": "menu"},
        ]
        execution.save(update_fields=["log", "date_updated"])
    inbound = Inbound(kind="callback", payload={**live, "Digits": "1"})
    assert any("<Say" in verb for verb in turns.play_callback(stale, inbound, widget=widget, seq=seq))
    execution.refresh_from_db()
    assert [entry["message"] for entry in execution.log if entry["message"] == "noted"] == ["noted"]
    assert list(Step.objects.filter(execution=execution).order_by("id").values_list("name", flat=True)) == [
        "incomingCall",
        "keypress",
        "match",
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_it_plays_a_turn_once_when_the_same_request_races_itself(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    params = call_params()
    live = {**params, "CallStatus": "in-progress"}
    action = _gather_action(ring(flow, params))
    answers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def twilio() -> None:
        try:
            start.wait(5)
            answers.append(follow(flow.account, action, **live, Digits="1").content.decode())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=twilio) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted("<Say" in a for a in answers) == [False, False, False, True]
    execution = Execution.objects.get(flow=flow)
    assert list(Step.objects.filter(execution=execution).order_by("id").values_list("name", flat=True)) == [
        "incomingCall",
        "keypress",
        "match",
    ]


@postgres_only
def test_it_refuses_a_statement_after_the_one_that_committed_alone() -> None:
    with pytest.raises(TransactionManagementError):
        with transaction.atomic(), oneshot.allowed():
            assert oneshot.possible()
            with oneshot.committing(), connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            Execution.objects.exists()  # would run in a transaction of its own: refused


def _prepared_runs() -> dict[str, int]:
    """This connection's prepared statements (server side) and how often each ran."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, generic_plans + custom_plans FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def _whole_call(flow: Any) -> None:
    params = call_params()
    live = {**params, "CallStatus": "in-progress"}
    said = follow(flow.account, _gather_action(ring(flow, params)), **live, Digits="1")
    bye = follow(flow.account, _redirect(said), **live)
    assert follow(flow.account, _redirect(bye), **live).content.decode().endswith("<Response/>")
    hang_up(flow, params)


@postgres_only
def test_it_plans_a_calls_statements_once_per_connection(flow_factory: Any) -> None:
    """Every statement of a call's turns runs a plan PostgreSQL made for an earlier call on the
    same connection: none is parsed and planned again."""
    flow = flow_factory(ivr())
    ring(flow)
    _whole_call(flow)  # the first call prepares them
    before = _prepared_runs()
    with round_trips() as sent:
        _whole_call(flow)
    after = _prepared_runs()
    assert len(sent) == 10  # two per request
    assert set(after) == set(before)  # nothing new to prepare
    assert sum(after[name] - before[name] for name in after) == len(sent)


@postgres_only
def test_it_prepares_the_statements_again_after_a_rollback(flow_factory: Any) -> None:
    """psycopg forgets its prepared statements at a rollback (and deallocates them): the next
    call prepares them again and plays as before."""
    flow = flow_factory(ivr())
    _whole_call(flow)
    assert _prepared_runs()
    with pytest.raises(RuntimeError), transaction.atomic():
        Execution.objects.exists()
        raise RuntimeError("rolled back")
    _whole_call(flow)
    assert _prepared_runs()
    assert Execution.objects.filter(flow=flow, status="ended").count() == 2


@postgres_only
def test_it_builds_a_calls_statements_once_per_process(flow_factory: Any) -> None:
    """A turn's SQL is the same text call after call: the second call quotes no name and
    builds no statement (the turn's write, its read-as check and the path counts' upsert are
    kept from the first), and plays as before."""
    flow = flow_factory(ivr())
    _whole_call(flow)  # the first call builds them
    quoted: list[str] = []
    ops = connection.ops
    real = ops.quote_name

    def counting(name: str) -> str:
        quoted.append(name)
        return real(name)

    with mock.patch.object(ops, "quote_name", counting):
        _whole_call(flow)
    assert quoted == []
    assert Execution.objects.filter(flow=flow, status="ended").count() == 2
