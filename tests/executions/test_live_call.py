"""The simulator's interactive call: the browser presses keys while the call waits at a Gather."""

from __future__ import annotations

from typing import Any

import pytest

from executions.models import Call, Execution, Wait
from tests.executions.test_console_analytics import branching
from tests.executions.test_console_sim import bob_console, post, say  # noqa: F401 - fixture
from tests.executions.test_voice_simulator import ivr
from tests.executions.voice_support import CALLER, NUMBER

pytestmark = pytest.mark.django_db(transaction=True)


def ring(client: Any, flow: Any) -> Any:
    return post(client, f"/api/console/flows/{flow.sid}/simulate/live-call", {"from": CALLER, "to": NUMBER})


def answer(client: Any, call_sid: str, **body: Any) -> Any:
    return post(client, f"/api/console/calls/{call_sid}/answer", body)


def says(events: list[dict[str, Any]]) -> list[str]:
    return [e["text"] for e in events if e["type"] == "say"]


def test_the_call_waits_at_the_gather_until_the_caller_presses_a_key(console: Any, flow_factory: Any) -> None:
    flow = flow_factory(ivr(), published=False)  # the caller becomes a test user: the draft answers
    started = ring(console, flow)
    assert started.status_code == 201, started.content
    body = started.json()
    assert says(body["events"]) == ["Press a key or say something"]
    assert body["waiting"]["type"] == "gather" and "dtmf" in body["waiting"]["input"]
    assert body["status"] == "in-progress"
    execution = Execution.objects.get(sid=body["execution_sid"])
    assert execution.status == "active" and execution.current_widget == "menu"

    pressed = answer(console, body["call_sid"], digits="7").json()
    assert says(pressed["events"]) == ["You chose 7"]  # the prompt is not played again
    assert pressed["events"][0] == {"type": "caller", "input": "digits", "digits": "7", "accepted": True}
    assert pressed["waiting"] is None and pressed["status"] == "completed"
    execution.refresh_from_db()
    assert execution.status == "ended" and execution.context["widgets"]["menu"]["Digits"] == "7"
    call = Call.objects.get(sid=body["call_sid"])
    assert says(call.transcript["events"]) == ["Press a key or say something", "You chose 7"]
    assert answer(console, body["call_sid"], digits="1").status_code == 409  # nothing waits any more
    saved = post(
        console, f"/api/console/flows/{flow.sid}/tests", {"name": "press 7", "execution_sid": execution.sid}
    )
    assert saved.json()["scenario"]["turns"] == [
        {"digits": "7", "expect_twiml": {"contains": ["You chose 7"]}},
        {"redirect": True},
        {"hangup": True},
    ]
    assert post(console, f"/api/console/flows/{flow.sid}/tests/run", {}).json()["passed"] == 1


def test_speech_typed_as_text_and_hanging_up(console: Any, flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    call_sid = ring(console, flow).json()["call_sid"]
    spoken = answer(console, call_sid, speech="sales").json()
    assert (
        Execution.objects.get(sid=spoken["execution_sid"]).context["widgets"]["menu"]["SpeechResult"]
        == "sales"
    )
    call_sid = ring(console, flow).json()["call_sid"]
    hung = answer(console, call_sid, hangup=True).json()
    assert hung["status"] == "completed" and hung["waiting"] is None
    assert Execution.objects.get(sid=hung["execution_sid"]).status == "ended"


def test_answers_are_checked_and_scoped_to_the_account(
    console: Any,
    bob_console: Any,  # noqa: F811 - the fixture imported above
    flow_factory: Any,
) -> None:
    call_sid = ring(console, flow_factory(ivr())).json()["call_sid"]
    assert answer(console, call_sid, digits="1a").status_code == 400
    assert answer(console, call_sid).status_code == 400
    assert answer(bob_console, call_sid, digits="1").status_code == 404
    assert ring(bob_console, flow_factory(ivr(), name="other")).status_code == 404


def test_skip_wait_fires_the_pending_timeout_now(console: Any, bob_console: Any, flow_factory: Any) -> None:  # noqa: F811
    flow = flow_factory(branching())
    sid = say(console, flow, "hi").json()["execution_sid"]
    assert Wait.objects.count() == 1
    assert post(bob_console, f"/api/console/executions/{sid}/skip-wait", {}).status_code == 404
    fired = post(console, f"/api/console/executions/{sid}/skip-wait", {})
    assert fired.status_code == 200, fired.content
    assert fired.json()["execution"]["status"] == "ended"
    steps = list(Execution.objects.get(sid=sid).steps.values_list("name", flat=True))
    assert steps == ["incomingMessage", "timeout"]
    assert post(console, f"/api/console/executions/{sid}/skip-wait", {}).status_code == 409


def test_of_two_answers_to_one_gather_only_the_first_plays_on(console: Any, flow_factory: Any) -> None:
    from executions.voice import live_call

    flow = flow_factory(ivr())
    call_sid = ring(console, flow).json()["call_sid"]
    stale = Call.objects.get(sid=call_sid)  # read before the first answer, as a racing request would
    assert answer(console, call_sid, digits="1").status_code == 200
    with pytest.raises(ValueError, match="not waiting"):
        live_call.answer(stale, {"digits": "2"})
    assert Execution.objects.get(initiated_by=call_sid).context["widgets"]["menu"]["Digits"] == "1"
