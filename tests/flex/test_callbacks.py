"""Assignment callbacks (signed, their instruction honoured) and event callbacks."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import pytest
from twilio.request_validator import RequestValidator

from flex.models import Workflow, Workspace
from scenarios.stubs import Recorded, Stub
from tests.flex.helpers import reservations, status, task, worker, workspace

pytestmark = pytest.mark.django_db(transaction=True)


def signed_by(account: Any, url: str, call: Recorded) -> bool:
    form = dict(parse_qsl(call.body.decode(), keep_blank_values=True))
    return RequestValidator(account.auth_token).validate(url, form, call.headers["x-twilio-signature"])


def with_callback(ws: Workspace, url: str) -> Workflow:
    flow = Workflow.objects.get(workspace=ws, friendly_name="Assign to Anyone")
    flow.assignment_callback_url = url
    flow.save()
    return flow


def test_the_assignment_callback_is_signed_and_its_accept_honoured(
    alice: Any, stub: Stub, allow_local: None
) -> None:
    stub.route("/assign", body={"instruction": "accept"})
    ws = workspace(alice)
    flow = with_callback(ws, stub.url("/assign"))
    agent = worker(ws, "agent", skills=["billing"])
    created = task(ws, flow, name="Bob")
    (call,) = stub.requests
    form = call.form
    assert signed_by(alice, stub.url("/assign"), call)
    assert (form["TaskSid"], form["WorkerSid"], form["WorkflowSid"]) == (created.sid, agent.sid, flow.sid)
    assert json.loads(form["TaskAttributes"]) == {"name": "Bob"}
    assert json.loads(form["WorkerAttributes"]) == {"skills": ["billing"]}
    assert form["ReservationSid"].startswith("WR") and form["AccountSid"] == alice.sid
    assert reservations(created) == [("agent", "accepted")] and status(created) == "assigned"


def test_a_reject_instruction_offers_the_task_to_the_next_worker(
    alice: Any, stub: Stub, allow_local: None
) -> None:
    stub.route("/assign", handler=lambda req: (200, {"Content-Type": "application/json"}, reject_first(req)))
    ws = workspace(alice)
    flow = with_callback(ws, stub.url("/assign"))
    worker(ws, "ann")
    worker(ws, "bob")
    created = task(ws, flow)
    assert reservations(created) == [("ann", "rejected"), ("bob", "accepted")]


def reject_first(req: Any) -> str:
    from flex.models import Worker

    name = Worker.objects.get(sid=req.form["WorkerSid"]).friendly_name
    return json.dumps({"instruction": "reject" if name == "ann" else "accept"})


def test_an_empty_answer_leaves_the_reservation_pending(alice: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/assign", body="")
    ws = workspace(alice)
    worker(ws, "agent")
    created = task(ws, with_callback(ws, stub.url("/assign")))
    assert len(stub.requests) == 1 and reservations(created) == [("agent", "pending")]


def test_the_fallback_url_is_used_when_the_callback_fails(alice: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/broken", status=500)
    stub.route("/fallback", body={"instruction": "dequeue"})
    ws = workspace(alice)
    flow = with_callback(ws, stub.url("/broken"))
    flow.fallback_assignment_callback_url = stub.url("/fallback")
    flow.save()
    worker(ws, "agent")
    created = task(ws, flow)
    assert [r.path for r in stub.requests] == ["/broken", "/fallback"]
    assert status(created) == "assigned"


def test_event_callbacks_reach_the_workspace_url_filtered(alice: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/events", status=204)
    ws = workspace(
        alice, event_callback_url=stub.url("/events"), events_filter="task.created,reservation.created"
    )
    worker(ws, "agent")
    created = task(ws, name="Bob")
    types = [r.form["EventType"] for r in stub.requests]
    assert types == ["task.created", "reservation.created"]
    first = stub.requests[0]
    assert first.form["TaskSid"] == created.sid and first.form["WorkspaceSid"] == ws.sid
    assert signed_by(alice, stub.url("/events"), first)


def test_a_callback_to_a_private_address_is_not_sent(alice: Any, stub: Stub) -> None:
    stub.route("/assign", body={"instruction": "accept"})
    ws = workspace(alice)
    worker(ws, "agent")
    created = task(ws, with_callback(ws, stub.url("/assign")))  # 127.0.0.1 is not allowed here
    assert stub.requests == [] and reservations(created) == [("agent", "pending")]
