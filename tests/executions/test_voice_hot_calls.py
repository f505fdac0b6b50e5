"""Hot calls (``executions.voice.hot``): a call's execution kept in Redis between its turns, its
rows written behind the answer. The caller hears the same TwiML, and once the queue is written
PostgreSQL holds the same rows, as on the synchronous path; whoever else touches the execution
first gets it back in the database."""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import redis
from django.db import OperationalError, connection, connections
from django.test import override_settings
from redis.exceptions import ConnectionError as RedisConnectionError

from executions.engine import store
from executions.inbound.call_path import CallPath
from executions.models import Execution, PathCount, Step
from executions.voice import behind, hot, hot_turn
from tests.executions.support import sign, webhook_path
from tests.executions.test_call_path import Seen, _next_url, _play, _post, _signed
from tests.executions.test_voice_turn_cost import ivr
from tests.executions.voice_support import call_params

REDIS_URL = os.environ.get("REDIS_URL", "")
pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (hot calls live in Redis)"),
    pytest.mark.django_db(transaction=True),
]

SETTINGS = {"VOICE_HOT_CALLS": True}


@pytest.fixture(autouse=True)
def hot_calls(settings: Any) -> Any:
    if connection.vendor != "postgresql":
        pytest.skip("hot calls are written by a PostgreSQL statement")
    settings.STUDIO = {**getattr(settings, "STUDIO", {}), **SETTINGS}
    settings.REDIS_URL = REDIS_URL
    client = redis.Redis.from_url(REDIS_URL)
    _clear(client)
    yield client
    behind.settle()
    _clear(client)


def _clear(client: Any) -> None:
    for key in client.scan_iter(f"{hot.PREFIX}:*"):
        client.delete(key)


def _rows(flow: Any) -> list[dict[str, Any]]:
    """What PostgreSQL holds of the flow's calls, sids and dates left out."""
    found = []
    for execution in Execution.objects.filter(flow=flow).order_by("id"):
        steps = Step.objects.filter(execution=execution).order_by("id")
        found.append(
            {
                "status": execution.status,
                "step_count": execution.step_count,
                "current_widget": execution.current_widget,
                "wait_state": _scrub(execution.wait_state),
                "context": _scrub(execution.context),
                "log": [{k: v for k, v in e.items() if k != "date"} for e in execution.log],
                "ended": execution.date_ended is not None,
                "steps": [
                    (s.name, s.transitioned_from, s.transitioned_to, s.type, _scrub(s.context)) for s in steps
                ],
            }
        )
    return found


def _scrub(value: Any) -> Any:
    return re.sub(r"(FN|CA|FT|FW|AC)[0-9a-f]{32}", "SID", value if isinstance(value, str) else repr(value))


def _counts(flow: Any) -> list[tuple[str, str, str, int]]:
    rows = PathCount.objects.filter(flow=flow).values_list("from_widget", "event", "to_widget", "count")
    totals: dict[tuple[str, str, str], int] = {}
    for a, e, b, n in rows:
        totals[(a, e, b)] = totals.get((a, e, b), 0) + n
    return sorted((*k, n) for k, n in totals.items())


def _execution_sid(twiml: str) -> str:
    found = re.search(r"/Executions/(FN[0-9a-f]{32})/", twiml)
    assert found, twiml
    return found.group(1)


def _statements_during(action: Any) -> list[str]:
    seen: list[str] = []

    def note(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connections["default"].execute_wrapper(note):
        action()
    return seen


def test_it_answers_and_records_a_call_as_the_synchronous_path_does(flow_factory: Any) -> None:
    hot_flow, cold_flow = flow_factory(ivr()), flow_factory(ivr())
    hot_answers = _play(CallPath(Seen()), hot_flow, call_params())
    behind.settle()
    with override_settings(STUDIO={"VOICE_HOT_CALLS": False}):
        cold_answers = _play(CallPath(Seen()), cold_flow, call_params())
    for ours, theirs in zip(hot_answers, cold_answers, strict=True):
        assert ours.status_code == theirs.status_code == 200
        assert _scrub(ours.text) == _scrub(theirs.text)
    assert _rows(hot_flow) == _rows(cold_flow)
    assert [len(r["steps"]) for r in _rows(hot_flow)] == [5]
    assert _counts(hot_flow) == _counts(cold_flow)
    assert behind.waiting() == 0


def test_a_later_turn_reads_and_writes_nothing_in_postgresql(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    app = CallPath(Seen())
    params = call_params()
    first = _signed(app, flow.account, webhook_path(flow), params)
    behind.settle()
    live = {**params, "CallStatus": "in-progress", "Digits": "1"}
    answers: list[Any] = []
    statements = _statements_during(
        lambda: answers.append(_signed(app, flow.account, _next_url(first.text), live))
    )
    assert "<Say" in answers[0].text
    assert [s for s in statements if not s.lstrip().upper().startswith("SELECT")] == []
    assert not any("executions_execution" in s for s in statements)  # the row came from Redis
    behind.settle()
    execution = Execution.objects.get(flow=flow)
    assert execution.step_count == 3 and execution.current_widget == "sales"


def test_a_retried_turn_is_run_once(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    app = CallPath(Seen())
    params = call_params()
    first = _signed(app, flow.account, webhook_path(flow), params)
    live = {**params, "CallStatus": "in-progress", "Digits": "1"}
    said = _signed(app, flow.account, _next_url(first.text), live)
    said_again = _signed(app, flow.account, _next_url(first.text), live)  # Twilio retried
    assert "<Say" in said.text
    assert said_again.text.endswith("<Response/>")  # a stale Seq: already played
    behind.settle()
    execution = Execution.objects.get(flow=flow)
    assert list(Step.objects.filter(execution=execution).order_by("id").values_list("name", flat=True)) == [
        "incomingCall",
        "keypress",
        "match",
    ]


def test_the_api_ending_a_hot_call_finds_its_latest_row_and_later_turns_see_it(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    app = CallPath(Seen())
    params = call_params()
    first = _signed(app, flow.account, webhook_path(flow), params)
    live = {**params, "CallStatus": "in-progress", "Digits": "1"}
    said = _signed(app, flow.account, _next_url(first.text), live)  # hot: written behind
    found, _ = hot.load(_execution_sid(said.text))  # maybe not in PostgreSQL yet, even its INSERT
    assert found is not None
    pk = found.pk
    from django.db import transaction

    with transaction.atomic():
        locked = store.lock(pk)  # what the REST API does: cooled first, then locked
        assert (locked.step_count, locked.current_widget) == (3, "sales")
        store.end_execution(locked)
    later = _signed(app, flow.account, _next_url(said.text), {**params, "CallStatus": "in-progress"})
    assert later.text.endswith("<Response/>")  # the execution has ended: nothing more is said
    execution = Execution.objects.get(pk=pk)
    assert execution.status == "ended" and execution.step_count == 3
    assert hot.load(execution.sid)[0] is None


def test_a_turn_that_lost_a_race_runs_on_the_synchronous_path(
    flow_factory: Any, hot_calls: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = flow_factory(ivr())
    app = CallPath(Seen())
    params = call_params()
    first = _signed(app, flow.account, webhook_path(flow), params)
    behind.settle()
    execution = Execution.objects.get(flow=flow)
    real_commit = hot.commit

    def racing(found: hot.Hot, *args: Any) -> bool:
        hot_calls.hset(f"{hot.PREFIX}:hot:{found.pk}", "v", "7")  # another turn committed meanwhile
        return real_commit(found, *args)

    monkeypatch.setattr(hot, "commit", racing)
    live = {**params, "CallStatus": "in-progress", "Digits": "1"}
    said = _signed(app, flow.account, _next_url(first.text), live)
    assert "<Say" in said.text  # the turn still ran: on the synchronous path, once
    execution.refresh_from_db()  # written before the answer, as the synchronous path writes
    assert (execution.step_count, execution.current_widget) == (3, "sales")
    assert hot.load(execution.sid)[0] is None  # cooled: the call's later turns are synchronous


def test_a_run_that_needs_more_than_its_own_rows_is_not_committed_hot(flow_factory: Any) -> None:
    written = Execution(sid="FN" + "0" * 32)
    writes = hot_turn.Writes()
    writes.updates.append(written)
    assert hot_turn.own_rows(writes, written)
    writes.waits.append(object())  # type: ignore[arg-type]  # a timer: the database's
    assert not hot_turn.own_rows(writes, written)
    other = hot_turn.Writes()
    other.updates.append(Execution(sid="FN" + "1" * 32))
    assert not hot_turn.own_rows(other, written)


def test_the_status_callback_of_an_ended_hot_call_reads_nothing(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    app = CallPath(Seen())
    params = call_params()
    answers = _play(CallPath(Seen()), flow, params)
    assert all(a.status_code == 200 for a in answers)
    again = {**params, "CallStatus": "completed"}
    statements = _statements_during(lambda: _signed(app, flow.account, webhook_path(flow), again))
    assert not any("executions_execution" in s for s in statements)


def test_writing_the_same_records_twice_changes_nothing(flow_factory: Any, hot_calls: Any) -> None:
    """A flusher that died after its statement leaves its records queued: the next one writes
    them again, and neither the steps nor the path counts are doubled."""
    flow = flow_factory(ivr())
    app = CallPath(Seen())
    behind.started()  # this process's flusher: held off below
    client = hot_calls
    client.set(behind.LOCK, "someone-else", px=60_000)
    _play(app, flow, call_params())
    records = client.lrange(hot.QUEUE, 0, -1)
    assert len(records) == 4  # the call's INSERT, the digit's turn and the two after the Says
    behind.write(records)
    behind.write(records)
    client.delete(behind.LOCK)
    behind.settle()
    execution = Execution.objects.get(flow=flow)
    names = list(Step.objects.filter(execution=execution).order_by("id").values_list("name", flat=True))
    assert names == ["incomingCall", "keypress", "match", "audioComplete", "audioComplete"]
    assert execution.status == "ended"
    assert sum(n for *_, n in _counts(flow)) == 5


def test_a_record_of_a_deleted_execution_is_dropped_and_the_others_written(
    flow_factory: Any, hot_calls: Any
) -> None:
    gone, kept = flow_factory(ivr()), flow_factory(ivr())
    app = CallPath(Seen())
    client = hot_calls
    behind.started()
    client.set(behind.LOCK, "someone-else", px=60_000)
    _play(app, gone, call_params(sid="CA" + "a" * 32))
    _play(app, kept, call_params(sid="CA" + "b" * 32, frm="+15550001111"))
    Execution.objects.filter(flow=gone).delete()
    client.delete(behind.LOCK)
    behind.settle()
    assert behind.waiting() == 0
    assert _rows(kept)[0]["status"] == "ended"
    assert len(_rows(kept)[0]["steps"]) == 5


def test_a_turn_that_django_answers_finds_the_latest_row_and_the_call_goes_on(flow_factory: Any) -> None:
    """A turn the call path leaves to Django (here: a cookie) runs on the synchronous path: it
    cools the call first, so neither it nor the turns after it run on an old row."""
    flow = flow_factory(ivr())
    app = CallPath(Seen())
    params = call_params()
    first = _signed(app, flow.account, webhook_path(flow), params)
    live = {**params, "CallStatus": "in-progress"}
    said = _signed(app, flow.account, _next_url(first.text), {**live, "Digits": "1"})  # hot
    parts = urlsplit(_next_url(said.text))
    path_qs = parts.path + (f"?{parts.query}" if parts.query else "")
    bye = _post(app, path_qs, urlencode(live), sign(flow.account, path_qs, live), Cookie="a=b")  # Django
    assert "<Say>Goodbye</Say>" in bye.text
    done = _signed(app, flow.account, _next_url(bye.text), live)
    assert done.status_code == 200
    behind.settle()
    execution = Execution.objects.get(flow=flow)
    names = list(Step.objects.filter(execution=execution).order_by("id").values_list("name", flat=True))
    assert names == ["incomingCall", "keypress", "match", "audioComplete", "audioComplete"]
    assert execution.status == "ended"


def test_rows_stay_queued_while_the_database_cannot_take_them(
    flow_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = flow_factory(ivr())
    real_write = behind.write
    refused: list[int] = []

    def unreachable_once(records: list[bytes]) -> tuple[int, int]:
        if not refused:
            refused.append(len(records))
            raise OperationalError("the database is unreachable")
        return real_write(records)

    monkeypatch.setattr(behind, "write", unreachable_once)
    _play(CallPath(Seen()), flow, call_params())
    behind.settle()
    assert refused  # the first statement failed, and its records were written by the next
    assert behind.waiting() == 0
    row = _rows(flow)[0]
    assert row["status"] == "ended" and len(row["steps"]) == 5


def test_a_call_that_redis_did_not_take_goes_on_in_postgresql(
    flow_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = flow_factory(ivr())
    real_script = hot._script

    def refusing(source: str) -> Any:
        if source in (hot._START, hot._BEGIN):

            def down(**_: Any) -> None:
                raise RedisConnectionError("Redis is unreachable")

            return down
        return real_script(source)

    monkeypatch.setattr(hot, "_script", refusing)
    answers = _play(CallPath(Seen()), flow, call_params())
    assert [a.status_code for a in answers] == [200] * 5
    assert "<Say>Goodbye</Say>" in answers[2].text
    row = _rows(flow)[0]  # written before each answer: the synchronous path
    assert row["status"] == "ended" and len(row["steps"]) == 5


def test_a_repeated_incoming_call_runs_once_and_the_execution_hears_of_it(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    app = CallPath(Seen())
    params = call_params()
    first = _signed(app, flow.account, webhook_path(flow), params)
    again = _signed(app, flow.account, webhook_path(flow), params)  # Twilio retried
    assert "<Gather" in first.text
    assert again.text.endswith("<Response/>")
    execution = Execution.objects.get(flow=flow)  # the retry waited for the first's row
    assert any(entry.get("code") == 81002 for entry in execution.log)
    live = {**params, "CallStatus": "in-progress", "Digits": "1"}
    said = _signed(app, flow.account, _next_url(first.text), live)  # on the synchronous path now
    assert "<Say" in said.text
    execution.refresh_from_db()
    assert execution.step_count == 3


def test_the_executions_api_reads_a_live_call_as_the_caller_heard_it(
    api: Any, flow_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows of a hot call are queued behind its answers; reading the execution by its sid
    writes them first, so the API never shows less than the caller heard."""
    monkeypatch.setattr(behind, "GATHER_SECONDS", 1.0)  # a slow flusher: the rows wait in Redis
    flow = flow_factory(ivr())
    app = CallPath(Seen())
    params = call_params()
    first = _signed(app, flow.account, webhook_path(flow), params)
    live = {**params, "CallStatus": "in-progress", "Digits": "1"}
    _signed(app, flow.account, _next_url(first.text), live)
    sid = _execution_sid(first.text)
    assert behind.waiting() > 0
    found = api.get(f"/v2/Flows/{flow.sid}/Executions/{sid}")
    assert found.status_code == 200 and found.json()["status"] == "active"
    steps = api.get(f"/v2/Flows/{flow.sid}/Executions/{sid}/Steps").json()["steps"]
    assert [s["name"] for s in steps] == ["match", "keypress", "incomingCall"]
    assert hot.load(sid)[0] is not None  # still hot: reading it did not cool it


def test_a_call_sid_used_again_after_its_call_ended_starts_a_new_execution(flow_factory: Any) -> None:
    """As on the synchronous path: only an active execution makes a call collide."""
    flow = flow_factory(ivr())
    params = call_params()
    _play(CallPath(Seen()), flow, params)
    again = _signed(CallPath(Seen()), flow.account, webhook_path(flow), params)
    assert "<Gather" in again.text
    behind.settle()
    assert list(Execution.objects.filter(flow=flow).order_by("id").values_list("status", flat=True)) == [
        "ended",
        "active",
    ]


def test_an_ended_call_leaves_its_state_in_redis_for_a_minute_only(flow_factory: Any, hot_calls: Any) -> None:
    flow = flow_factory(ivr())
    answers = _play(CallPath(Seen()), flow, call_params())
    found, _ = hot.load(_execution_sid(answers[0].text))
    assert found is not None and not found.active
    assert 0 < hot_calls.pttl(f"{hot.PREFIX}:hot:{found.pk}") <= hot.ENDED_TTL_MS


def test_deleting_live_calls_in_bulk_stops_their_turns(
    console: Any, flow_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.executions.test_console_sim import post

    monkeypatch.setattr(behind, "GATHER_SECONDS", 1.0)  # a slow flusher: the INSERT waits in Redis
    flow = flow_factory(ivr())
    app = CallPath(Seen())
    params = call_params()
    first = _signed(app, flow.account, webhook_path(flow), params)
    sid = _execution_sid(first.text)
    assert behind.waiting() > 0
    deleted = post(console, "/api/console/executions/delete", {"sids": [sid]})
    assert deleted.json() == {"deleted": [sid], "not_found": []}
    assert hot.load(sid)[0] is None  # cooled: its rows written, then deleted with it
    live = {**params, "CallStatus": "in-progress", "Digits": "1"}
    later = _signed(app, flow.account, _next_url(first.text), live)
    assert later.status_code == 404  # as on the synchronous path: the execution is gone
    assert not Execution.objects.filter(sid=sid).exists()
