"""A voice caller sent to Flex waits in the queue for an agent: ``<Enqueue workflowSid>`` holds
the simulated call (Twilio's default hold music, or the flow's wait URL), the voice task reaches
the agent, the call is connected when the agent accepts, and when the agent wraps up the
``<Enqueue>`` action gets ``QueueResult=bridged`` and the flow takes ``callComplete``."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import OperationalError

from executions.voice.call_simulator import SimulatedCall, call_flow
from flex import lifecycle
from flex.models import Reservation, Task, Workflow
from serverless.serializers import resource_url
from tests.executions.factories import definition, on, state
from tests.flex.helpers import worker, workspace
from tests.serverless.support import live_assets

pytestmark = pytest.mark.django_db(transaction=True)

CALLER, NUMBER = "+15551230000", "+15550001111"


def voice_flow(workflow_sid: str, widget: str = "send-to-flex", **extra: Any) -> dict[str, Any]:
    mark = lambda name: state(  # noqa: E731
        name, "set-variables", [on("next")], variables=[{"key": "took", "value": name}]
    )
    props: dict[str, Any] = (
        {"workflow": workflow_sid, "channel": "voice", "attributes": '{"name": "{{trigger.call.From}}"}'}
        if widget == "send-to-flex"
        else {"workflow_sid": workflow_sid, "task_attributes": '{"name": "{{trigger.call.From}}"}'}
    )
    return definition(
        state(
            "to_agent",
            widget,
            [
                on("callComplete", "callComplete"),
                on("failedToEnqueue", "failedToEnqueue"),
                on("callFailure", "callFailure"),
            ],
            **props,
            **extra,
        ),
        mark("callComplete"),
        mark("failedToEnqueue"),
        mark("callFailure"),
        trigger=[on("incomingCall", "to_agent")],
    )


def in_background(flow: Any) -> tuple[threading.Thread, dict[str, SimulatedCall]]:
    out: dict[str, SimulatedCall] = {}
    thread = threading.Thread(target=lambda: out.update(call=call_flow(flow, from_=CALLER, to=NUMBER)))
    thread.start()
    return thread, out


@pytest.fixture(autouse=True)
def readers_take_no_table_locks() -> Any:
    """The in-memory SQLite test database is shared by this test's thread and the call's
    (shared-cache mode): readers that lock no tables let the other thread write."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    def relax(sender: Any, connection: Any, **kwargs: Any) -> None:
        if connection.vendor == "sqlite":
            connection.cursor().execute("PRAGMA read_uncommitted = true")

    connection_created.connect(relax)
    if connection.vendor == "sqlite":
        connection.cursor().execute("PRAGMA read_uncommitted = true")
    yield
    connection_created.disconnect(relax)


def offered(timeout: float = 10) -> Reservation:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = Reservation.objects.filter(reservation_status="pending").select_related("task").first()
        except OperationalError:  # the in-memory SQLite database shared with the call's thread
            found = None
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("no reservation was offered")


def events(sim: SimulatedCall) -> list[str]:
    return [e["type"] for e in sim.transcript.to_dict()["events"]]


@pytest.mark.parametrize("widget", ["send-to-flex", "enqueue-call"])
def test_a_held_caller_is_connected_when_the_agent_accepts(
    flow_factory: Any, alice: Any, widget: str
) -> None:
    ws = workspace(alice)
    worker(ws, "Ada")
    flow = flow_factory(
        voice_flow(Workflow.objects.get(workspace=ws, friendly_name="Assign to Anyone").sid, widget)
    )
    thread, out = in_background(flow)

    reservation = offered()
    task = reservation.task
    attrs = task.attrs()
    assert (task.task_channel.unique_name, attrs["name"], attrs["from"], attrs["to"]) == (
        "voice",
        CALLER,
        CALLER,
        NUMBER,
    )
    assert attrs["call_sid"].startswith("CA")
    time.sleep(0.3)
    assert thread.is_alive()  # the caller is still on hold
    lifecycle.accept(reservation)
    time.sleep(0.3)
    assert thread.is_alive()  # connected with the agent until the agent wraps up
    lifecycle.wrap(Reservation.objects.get(pk=reservation.pk))
    thread.join(timeout=10)
    assert not thread.is_alive()

    sim = out["call"]
    kinds = events(sim)
    assert (
        kinds.index("enqueue") < kinds.index("hold-music") < kinds.index("queued") < kinds.index("connected")
    )
    connected = next(e for e in sim.transcript.to_dict()["events"] if e["type"] == "connected")
    assert connected["agent"] == "Ada"
    dequeued = next(e for e in sim.transcript.to_dict()["events"] if e["type"] == "dequeue")
    assert dequeued["result"] == "bridged"
    assert sim.execution is not None
    sim.execution.refresh_from_db()
    assert sim.execution.context["flow"]["variables"]["took"] == "callComplete"
    assert sim.execution.context["widgets"]["to_agent"]["QueueResult"] == "bridged"
    assert Task.objects.get(pk=task.pk).assignment_status == "wrapping"


def test_an_unknown_workflow_is_an_error_and_the_flow_takes_call_failure(
    flow_factory: Any, alice: Any
) -> None:
    workspace(alice)
    flow = flow_factory(voice_flow("WW" + "0" * 32))
    sim = call_flow(flow, from_=CALLER, to=NUMBER)
    assert sim.execution is not None
    assert sim.execution.context["widgets"]["to_agent"]["QueueResult"] == "error"
    assert sim.execution.context["flow"]["variables"]["took"] == "callFailure"
    assert not Task.objects.exists()


def test_a_task_that_expires_in_the_queue_lets_the_caller_leave(flow_factory: Any, alice: Any) -> None:
    ws = workspace(alice)  # nobody available: the task waits until its TTL
    flow = flow_factory(
        voice_flow(Workflow.objects.get(workspace=ws, friendly_name="Assign to Anyone").sid, timeout="1")
    )
    started = time.monotonic()
    sim = call_flow(flow, from_=CALLER, to=NUMBER)
    assert 1 <= time.monotonic() - started < 5
    assert sim.execution is not None
    assert sim.execution.context["widgets"]["to_agent"]["QueueResult"] == "leave"
    assert sim.execution.context["flow"]["variables"]["took"] == "callComplete"
    assert Task.objects.get().assignment_status == "canceled"


def test_the_held_caller_hears_the_accounts_hold_music_asset(
    flow_factory: Any, alice: Any, settings: Any, tmp_path: Any
) -> None:
    """Where Functions serve a public audio asset named like hold music, a caller held without a
    wait URL hears it instead of Twilio's default."""
    settings.SERVERLESS = {**settings.SERVERLESS, "ROOT": tmp_path / "serverless", "FUNCTIONS_DOMAIN": ""}
    env = live_assets(
        alice,
        [("/hold-music.mp3", "public", b"ID3", "audio/mpeg"), ("/logo.png", "public", b"PNG", "image/png")],
    )
    ws = workspace(alice)  # nobody available: the 1 s task expires and the caller leaves
    flow = flow_factory(
        voice_flow(Workflow.objects.get(workspace=ws, friendly_name="Assign to Anyone").sid, timeout="1")
    )
    sim = call_flow(flow, from_=CALLER, to=NUMBER)
    (music,) = [e for e in sim.transcript.to_dict()["events"] if e["type"] == "hold-music"]
    assert music == {**music, "source": "asset", "url": resource_url(env, "/hold-music.mp3")}
