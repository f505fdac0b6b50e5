"""A script watching ``ws/flows/{FW}/monitor`` (or ``ws/executions/{FN}/``) sees executions start
and end (``type: "execution"``) around their steps, and each step under the Step resource's
field names ``transitioned_from`` / ``transitioned_to``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import override_settings

from executions.inbound import batch
from executions.inbound.intake import record
from executions.models import Execution, Step
from tests.executions.factories import definition, make_flow, on, state
from tests.executions.support import message_params, start_rest
from tests.executions.test_live_events import MEMORY
from tests.executions.test_monitor_credentials import basic, socket, waits

pytestmark = pytest.mark.django_db(transaction=True)


def one_step() -> dict[str, Any]:
    """Set a variable and end: an execution that starts and ends in one run."""
    return definition(
        state("v", "set-variables", [on("next")], variables=[{"key": "x", "value": "1"}]),
        trigger=[on("incomingRequest", "v")],
    )


def seen(path: str, account: Any, action: Callable[[], Any]) -> list[dict[str, Any]]:
    """What a script authenticated as ``account`` reads on ``path`` while ``action`` runs: every
    event after ``monitor.ready``, until the socket has been quiet for a moment."""

    async def scenario() -> list[dict[str, Any]]:
        comm = socket(path, basic(account.sid, account.auth_token))
        connected, _ = await comm.connect()
        assert connected
        assert (await comm.receive_json_from())["type"] == "monitor.ready"
        await sync_to_async(action)()
        events = []
        while not await comm.receive_nothing(timeout=0.3):
            events.append(await comm.receive_json_from())
        await comm.disconnect()
        return events

    events: list[dict[str, Any]] = async_to_sync(scenario)()
    return events


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [f"execution {e['event']}" if e["type"] == "execution" else e["name"] for e in events]


def iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_a_script_sees_an_execution_start_then_its_steps_then_its_end(alice: Any) -> None:
    flow = make_flow(alice, one_step())
    events = seen(f"/ws/flows/{flow.sid}/monitor", alice, lambda: start_rest(flow, to="+15550100001"))
    assert kinds(events) == ["execution started", "incomingRequest", "next", "execution ended"]
    ex = Execution.objects.get(flow=flow)
    started, ended = events[0], events[-1]
    assert started == {
        "type": "execution",
        "event": "started",
        "flow_sid": flow.sid,
        "execution_sid": ex.sid,
        "status": "active",
        "previous_status": None,
        "contact_channel_address": "+15550100001",
        "flow_version": 1,
        "trigger_event": "incomingRequest",
        "outcome": None,
        "date_created": iso(ex.date_created),
        "date_updated": iso(ex.date_created),
        "date_ended": None,
    }
    assert ended == {
        **started,
        "event": "ended",
        "status": "ended",
        "previous_status": "active",
        "outcome": "completed",
        "date_updated": iso(ex.date_updated),
        "date_ended": iso(ex.date_ended),
    }
    assert ex.date_ended is not None


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_step_events_carry_the_step_resources_transitioned_from_and_to(alice: Any) -> None:
    flow = make_flow(alice, one_step())
    events = seen(f"/ws/flows/{flow.sid}/monitor", alice, lambda: start_rest(flow))
    steps = [e for e in events if e["type"] == "step"]
    rows = {s.sid: s for s in Step.objects.filter(execution__flow=flow)}
    assert [(e["transitioned_from"], e["transitioned_to"]) for e in steps] == [
        ("Trigger", "v"),
        ("v", "Ended"),
    ]
    for event in steps:
        row = rows[event["step_sid"]]
        assert (event["transitioned_from"], event["transitioned_to"]) == (
            row.transitioned_from,
            row.transitioned_to,
        )
        # The console's monitor reads the older names: the same values.
        assert (event["from"], event["to"]) == (row.transitioned_from, row.transitioned_to)


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_a_waiting_execution_is_announced_started_and_not_ended(alice: Any) -> None:
    flow = make_flow(alice, waits())
    events = seen(f"/ws/flows/{flow.sid}/monitor", alice, lambda: start_rest(flow))
    assert kinds(events) == ["execution started", "incomingRequest", "next"]
    assert events[-1]["execution_status"] == "active"


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_ending_an_execution_through_the_rest_api_sends_its_end_though_no_step_is_taken(
    alice: Any, api: Any
) -> None:
    flow = make_flow(alice, waits())
    on_flow, on_itself = start_rest(flow, to="+15550100001"), start_rest(flow, to="+15550100002")

    def end(ex: Execution) -> Callable[[], None]:
        def post() -> None:
            assert (
                api.post(f"/v2/Flows/{flow.sid}/Executions/{ex.sid}", {"Status": "ended"}).status_code == 200
            )

        return post

    for path, ex in (
        (f"/ws/flows/{flow.sid}/monitor", on_flow),
        (f"/ws/executions/{on_itself.sid}/", on_itself),
    ):
        events = seen(path, alice, end(ex))
        assert [
            (e["type"], e["event"], e["execution_sid"], e["previous_status"], e["status"]) for e in events
        ] == [("execution", "ended", ex.sid, "active", "ended")]
        assert events[0]["date_ended"] == iso(Execution.objects.get(pk=ex.pk).date_ended)


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_executions_started_by_a_batch_of_inbound_messages_are_announced_with_their_dates(
    alice: Any,
) -> None:
    flow = make_flow(
        alice,
        definition(
            state(
                "hi",
                "send-message",
                [on("sent"), on("failed")],
                body="Hi",
                to="{{contact.channel.address}}",
                **{"from": "{{flow.channel.address}}"},
            ),
            trigger=[on("incomingMessage", "hi")],
        ),
    )

    def two_contacts_write_in() -> None:
        for n in (1, 2):
            record(flow, message_params(f"+1555020000{n}", "+15550009999", "hello"))
        assert batch.process_batch() == (2, False)  # one batch: the executions are inserted at its flush

    events = seen(f"/ws/flows/{flow.sid}/monitor", alice, two_contacts_write_in)
    by_contact = {ex.contact_channel_address: ex for ex in Execution.objects.filter(flow=flow)}
    started = [e for e in events if e["type"] == "execution" and e["event"] == "started"]
    assert sorted(e["contact_channel_address"] for e in started) == ["+15550200001", "+15550200002"]
    for event in started:
        ex = by_contact[event["contact_channel_address"]]
        assert (event["execution_sid"], event["date_created"]) == (ex.sid, iso(ex.date_created))
    for ex in by_contact.values():
        mine = [e for e in events if e["execution_sid"] == ex.sid]
        assert kinds(mine) == ["execution started", "incomingMessage", "sent", "execution ended"]


@override_settings(CHANNEL_LAYERS=MEMORY)
def test_a_script_sees_nothing_of_another_accounts_executions(alice: Any, bob: Any) -> None:
    alices, bobs = make_flow(alice, one_step()), make_flow(bob, one_step())
    assert seen(f"/ws/flows/{alices.sid}/monitor", alice, lambda: start_rest(bobs)) == []
