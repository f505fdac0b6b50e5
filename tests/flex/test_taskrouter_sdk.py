"""The official ``twilio`` client drives every TaskRouter v1 resource here, at Twilio's paths."""

from __future__ import annotations

import json
from typing import Any

import pytest
from twilio.rest import Client

from tests.flex.conftest import refusal

pytestmark = pytest.mark.django_db(transaction=True)


def by_name(items: list[Any]) -> dict[str, Any]:
    return {item.friendly_name: item for item in items}


def test_it_creates_a_workspace_seeded_like_twilio_and_flex(client: Client, alice: Any) -> None:
    ws = client.taskrouter.v1.workspaces.create(friendly_name="Flex Task Assignment")
    assert ws.sid.startswith("WS") and len(ws.sid) == 34
    assert ws.account_sid == alice.sid and ws.multi_task_enabled is True
    assert ws.prioritize_queue_order == "FIFO"
    activities = by_name(client.taskrouter.v1.workspaces(ws.sid).activities.list())
    assert {"Offline", "Available", "Unavailable"} <= set(activities)
    assert activities["Available"].available is True and activities["Offline"].available is False
    assert all(a.sid.startswith("WA") for a in activities.values())
    assert (ws.default_activity_name, ws.timeout_activity_name) == ("Offline", "Offline")
    channels = {c.unique_name for c in client.taskrouter.v1.workspaces(ws.sid).task_channels.list()}
    assert {"default", "voice", "chat", "sms", "video"} <= channels
    queues = client.taskrouter.v1.workspaces(ws.sid).task_queues.list()
    assert [(q.friendly_name, q.target_workers, q.task_order) for q in queues] == [
        ("Everyone", "1==1", "FIFO")
    ]
    workflows = client.taskrouter.v1.workspaces(ws.sid).workflows.list()
    assert [w.friendly_name for w in workflows] == ["Assign to Anyone"]
    config = json.loads(workflows[0].configuration)
    assert config["task_routing"]["default_filter"]["queue"] == queues[0].sid
    assert workflows[0].task_reservation_timeout == 120


def test_a_plain_workspace_has_no_queue_and_updates_and_deletes(client: Client) -> None:
    ws = client.taskrouter.v1.workspaces.create(friendly_name="Plain", template="NONE")
    assert client.taskrouter.v1.workspaces(ws.sid).task_queues.list() == []
    updated = client.taskrouter.v1.workspaces(ws.sid).update(
        friendly_name="Renamed",
        event_callback_url="https://example.com/events",
        prioritize_queue_order="LIFO",
    )
    assert (updated.friendly_name, updated.prioritize_queue_order) == ("Renamed", "LIFO")
    assert updated.event_callback_url == "https://example.com/events"
    assert [w.sid for w in client.taskrouter.v1.workspaces.list(friendly_name="Renamed")] == [ws.sid]
    client.taskrouter.v1.workspaces(ws.sid).workers.create(friendly_name="agent")
    assert client.taskrouter.v1.workspaces(ws.sid).delete() is True  # with its workers
    assert refusal(client.taskrouter.v1.workspaces(ws.sid).fetch) == "HTTP 404 code 20404"


def test_it_manages_activities_channels_queues_and_workflows(client: Client) -> None:
    ws = client.taskrouter.v1.workspaces(client.taskrouter.v1.workspaces.create(friendly_name="W").sid)
    lunch = ws.activities.create(friendly_name="Lunch", available=False)
    assert lunch.sid.startswith("WA") and lunch.available is False
    assert ws.activities(lunch.sid).update(friendly_name="Long lunch").friendly_name == "Long lunch"
    assert [a.friendly_name for a in ws.activities.list(available="true")] == ["Available"]
    assert ws.activities(lunch.sid).delete() is True

    email = ws.task_channels.create(friendly_name="Email", unique_name="email")
    assert email.sid.startswith("TC") and ws.task_channels(email.sid).fetch().unique_name == "email"

    queue = ws.task_queues.create(
        friendly_name="Billing",
        target_workers="skills HAS 'billing'",
        task_order="LIFO",
        max_reserved_workers=2,
    )
    assert queue.sid.startswith("WQ")
    assert (queue.target_workers, queue.task_order, queue.max_reserved_workers) == (
        "skills HAS 'billing'",
        "LIFO",
        2,
    )
    config = {
        "task_routing": {
            "filters": [
                {
                    "filter_friendly_name": "billing",
                    "expression": "type == 'billing'",
                    "targets": [{"queue": queue.sid, "timeout": 30, "priority": 5}],
                }
            ],
            "default_filter": {"queue": queue.sid},
        }
    }
    flow = ws.workflows.create(friendly_name="Billing flow", configuration=json.dumps(config))
    assert flow.sid.startswith("WW") and json.loads(flow.configuration) == config
    flow = ws.workflows(flow.sid).update(
        task_reservation_timeout=30, assignment_callback_url="https://x.test/a"
    )
    assert (flow.task_reservation_timeout, flow.assignment_callback_url) == (30, "https://x.test/a")
    assert refusal(ws.task_queues(queue.sid).delete) == "HTTP 400 code 20001"  # the workflow uses it
    assert ws.workflows(flow.sid).delete() is True
    assert ws.task_queues(queue.sid).delete() is True


def test_a_malformed_expression_is_refused_at_save(client: Client) -> None:
    ws = client.taskrouter.v1.workspaces(client.taskrouter.v1.workspaces.create(friendly_name="W").sid)
    assert refusal(lambda: ws.task_queues.create(friendly_name="Q", target_workers="skills HAS")) == (
        "HTTP 400 code 20001"
    )
    queue = ws.task_queues.list()[0]
    bad = {"task_routing": {"filters": [{"expression": "a ==", "targets": [{"queue": queue.sid}]}]}}
    assert refusal(lambda: ws.workflows.create(friendly_name="F", configuration=json.dumps(bad))) == (
        "HTTP 400 code 20001"
    )
    unknown = {"task_routing": {"default_filter": {"queue": "WQ" + "0" * 32}}}
    assert refusal(lambda: ws.workflows.create(friendly_name="F", configuration=json.dumps(unknown))) == (
        "HTTP 400 code 20001"
    )


def test_workers_have_attributes_an_activity_and_per_channel_capacity(client: Client) -> None:
    ws_sid = client.taskrouter.v1.workspaces.create(friendly_name="W").sid
    ws = client.taskrouter.v1.workspaces(ws_sid)
    available = by_name(ws.activities.list())["Available"]
    alice = ws.workers.create(friendly_name="alice", attributes=json.dumps({"skills": ["billing"]}))
    assert alice.sid.startswith("WK") and alice.activity_name == "Offline" and alice.available is False
    alice = ws.workers(alice.sid).update(activity_sid=available.sid)
    assert (alice.activity_name, alice.available) == ("Available", True)
    assert [w.friendly_name for w in ws.workers.list(target_workers_expression="skills HAS 'billing'")] == [
        "alice"
    ]
    assert ws.workers.list(target_workers_expression="skills HAS 'sales'") == []
    channels = {c.task_channel_unique_name: c for c in ws.workers(alice.sid).worker_channels.list()}
    assert channels["chat"].configured_capacity == 1 and channels["chat"].sid.startswith("WC")
    chat = ws.workers(alice.sid).worker_channels(channels["chat"].sid).update(capacity=3)
    assert (chat.configured_capacity, chat.available_capacity_percentage) == (3, 100)
    assert (
        refusal(lambda: ws.workers.create(friendly_name="bad", attributes="not json"))
        == "HTTP 400 code 20001"
    )
    assert ws.workers(alice.sid).delete() is True


def test_tasks_are_created_listed_updated_and_canceled(client: Client) -> None:
    ws_sid = client.taskrouter.v1.workspaces.create(friendly_name="W").sid
    ws = client.taskrouter.v1.workspaces(ws_sid)
    flow = ws.workflows.list()[0]
    task = ws.tasks.create(
        attributes=json.dumps({"type": "support"}), workflow_sid=flow.sid, task_channel="chat", priority=3
    )
    assert task.sid.startswith("WT") and task.assignment_status == "pending"
    assert (task.task_channel_unique_name, task.priority, task.timeout) == ("chat", 3, 86400)
    assert task.task_queue_friendly_name == "Everyone" and task.workflow_friendly_name == "Assign to Anyone"
    assert [t.sid for t in ws.tasks.list(assignment_status=["pending"])] == [task.sid]
    assert [t.sid for t in ws.tasks.list(evaluate_task_attributes="type == 'support'")] == [task.sid]
    updated = ws.tasks(task.sid).update(attributes=json.dumps({"type": "sales"}), priority=9)
    assert json.loads(updated.attributes) == {"type": "sales"} and updated.priority == 9
    canceled = ws.tasks(task.sid).update(assignment_status="canceled", reason="customer hung up")
    assert (canceled.assignment_status, canceled.reason) == ("canceled", "customer hung up")
    assert refusal(lambda: ws.tasks(task.sid).update(assignment_status="completed")) == "HTTP 400 code 20001"
    assert refusal(lambda: ws.tasks.create(attributes="[1]", workflow_sid=flow.sid)) == "HTTP 400 code 20001"
    unknown = "WW" + "0" * 32
    assert refusal(lambda: ws.tasks.create(attributes="{}", workflow_sid=unknown)) == "HTTP 400 code 20001"
    assert refusal(lambda: ws.tasks.create(attributes="{}", task_channel="fax")) == "HTTP 400 code 20001"
    assert ws.tasks(task.sid).delete() is True
    events = {e.event_type for e in ws.events.list()}
    assert {"task.created", "task-queue.entered", "task.canceled", "task.deleted"} <= events


def test_a_stale_if_match_is_refused(client: Client) -> None:
    ws = client.taskrouter.v1.workspaces(client.taskrouter.v1.workspaces.create(friendly_name="W").sid)
    task = ws.tasks.create(attributes="{}")
    assert ws.tasks(task.sid).update(priority=1, if_match="0").priority == 1
    assert refusal(lambda: ws.tasks(task.sid).update(priority=2, if_match="0")) == "HTTP 412 code 20412"
    assert ws.tasks(task.sid).fetch().priority == 1


def test_reservations_are_accepted_and_completed_over_rest(client: Client) -> None:
    ws = client.taskrouter.v1.workspaces(client.taskrouter.v1.workspaces.create(friendly_name="W").sid)
    available = by_name(ws.activities.list())["Available"]
    worker = ws.workers.create(friendly_name="alice", activity_sid=available.sid)
    task = ws.tasks.create(attributes=json.dumps({"name": "Bob"}), task_channel="sms")
    assert ws.tasks(task.sid).fetch().assignment_status == "reserved"
    (reservation,) = ws.tasks(task.sid).reservations.list()
    assert reservation.sid.startswith("WR") and reservation.reservation_status == "pending"
    assert (reservation.worker_sid, reservation.worker_name) == (worker.sid, "alice")
    under_worker = ws.workers(worker.sid).reservations.list()
    assert [r.sid for r in under_worker] == [reservation.sid]

    accepted = ws.tasks(task.sid).reservations(reservation.sid).update(reservation_status="accepted")
    assert accepted.reservation_status == "accepted"
    assert ws.tasks(task.sid).fetch().assignment_status == "assigned"
    again = lambda: ws.tasks(task.sid).reservations(reservation.sid).update(reservation_status="accepted")  # noqa: E731
    assert refusal(again) == "HTTP 400 code 20001"

    done = (
        ws.workers(worker.sid)
        .reservations(reservation.sid)
        .update(
            reservation_status="completed", worker_activity_sid=by_name(ws.activities.list())["Offline"].sid
        )
    )
    assert done.reservation_status == "completed"
    assert ws.tasks(task.sid).fetch().assignment_status == "completed"
    assert ws.workers(worker.sid).fetch().activity_name == "Offline"
    types = [e.event_type for e in ws.events.list(task_sid=task.sid)]
    assert {"reservation.created", "reservation.accepted", "reservation.completed", "task.completed"} <= set(
        types
    )


def test_statistics_count_tasks_and_workers(client: Client) -> None:
    ws = client.taskrouter.v1.workspaces(client.taskrouter.v1.workspaces.create(friendly_name="W").sid)
    ws.workers.create(friendly_name="offline agent")
    ws.tasks.create(attributes="{}", priority=2)
    ws.tasks.create(attributes="{}", priority=2)
    stats = ws.real_time_statistics().fetch()
    assert stats.total_workers == 1 and stats.total_tasks == 2
    assert stats.tasks_by_status["pending"] == 2 and stats.tasks_by_priority == {"2": 2}
    assert {a["friendly_name"]: a["workers"] for a in stats.activity_statistics}["Offline"] == 1
    queue = ws.task_queues.list()[0]
    queue_stats = ws.task_queues(queue.sid).real_time_statistics().fetch()
    assert (
        queue_stats.total_tasks,
        queue_stats.total_eligible_workers,
        queue_stats.total_available_workers,
    ) == (
        2,
        1,
        0,
    )
    assert queue_stats.longest_task_waiting_sid is not None
    workers = ws.workers.real_time_statistics().fetch()
    assert workers.total_workers == 1
    flow = ws.workflows.list()[0]
    flow_stats = ws.workflows(flow.sid).real_time_statistics().fetch()
    assert (flow_stats.total_tasks, flow_stats.tasks_by_status["pending"]) == (2, 2)


def test_paging_follows_twilios_envelope(client: Client) -> None:
    ws = client.taskrouter.v1.workspaces(client.taskrouter.v1.workspaces.create(friendly_name="W").sid)
    for n in range(5):
        ws.activities.create(friendly_name=f"Extra {n}")
    first = ws.activities.page(page_size=3)
    assert len(list(first)) == 3
    assert len(list(first.next_page())) == 3
    assert len(ws.activities.list(page_size=2)) == 9


def test_another_accounts_workspace_answers_404(client: Client, bob_client: Client) -> None:
    ws = client.taskrouter.v1.workspaces.create(friendly_name="Alice's")
    task = client.taskrouter.v1.workspaces(ws.sid).tasks.create(attributes="{}")
    assert bob_client.taskrouter.v1.workspaces.list() == []
    assert refusal(bob_client.taskrouter.v1.workspaces(ws.sid).fetch) == "HTTP 404 code 20404"
    assert refusal(bob_client.taskrouter.v1.workspaces(ws.sid).tasks(task.sid).fetch) == "HTTP 404 code 20404"
    assert "HTTP 404" in refusal(bob_client.taskrouter.v1.workspaces(ws.sid).tasks.list)


def test_new_attributes_or_a_reevaluated_workflow_route_a_waiting_task_again(client: Client) -> None:
    ws = client.taskrouter.v1.workspaces(client.taskrouter.v1.workspaces.create(friendly_name="W").sid)
    everyone = ws.task_queues.list()[0]
    vip = ws.task_queues.create(friendly_name="VIP", target_workers="vip == true")
    config = {
        "task_routing": {
            "filters": [{"expression": "tier == 'gold'", "targets": [{"queue": vip.sid}]}],
            "default_filter": {"queue": everyone.sid},
        }
    }
    flow = ws.workflows.create(friendly_name="Tiers", configuration=json.dumps(config))
    task = ws.tasks.create(attributes=json.dumps({"tier": "silver"}), workflow_sid=flow.sid)
    assert task.task_queue_sid == everyone.sid
    assert ws.tasks(task.sid).update(attributes=json.dumps({"tier": "gold"})).task_queue_sid == vip.sid

    config["task_routing"]["filters"][0]["expression"] = "tier == 'platinum'"
    ws.workflows(flow.sid).update(configuration=json.dumps(config), re_evaluate_tasks="true")
    assert ws.tasks(task.sid).fetch().task_queue_sid == everyone.sid
