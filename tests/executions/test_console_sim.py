"""The canvas simulator's chat and the live monitor's console API (executions/console_sim.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from executions.models import Execution, InboundEvent
from tests.executions.factories import survey

pytestmark = pytest.mark.django_db(transaction=True)

ME, US = "+15550100001", "+15550109999"


def csrf(client: Any) -> str:
    client.get("/api/console/me")
    if "csrftoken" not in client.cookies:
        from django.middleware.csrf import _get_new_csrf_string

        client.cookies["csrftoken"] = _get_new_csrf_string()
    return str(client.cookies["csrftoken"].value)


def post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", HTTP_X_CSRFTOKEN=csrf(client))


def say(client: Any, flow: Any, text: str, frm: str = ME, to: str = US) -> Any:
    return post(
        client, f"/api/console/flows/{flow.sid}/simulate/message", {"from": frm, "to": to, "body": text}
    )


@pytest.fixture
def bob_console(bob: Any, django_user_model: Any) -> Any:
    from accounts.models import Membership

    user = django_user_model.objects.create_user(username="bob", password="bob-password")
    Membership.objects.create(user=user, account=bob, role=Membership.Role.OWNER)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_it_sends_a_signed_inbound_message_through_the_webhook_and_runs_the_flow(
    console: Any, flow_factory: Any
) -> None:
    flow = flow_factory(survey())
    response = say(console, flow, "there")
    assert response.status_code == 201, response.content
    body = response.json()
    ex = Execution.objects.get(sid=body["execution_sid"])
    assert (ex.status, ex.current_widget, ex.contact_channel_address) == ("active", "ask", ME)
    event = InboundEvent.objects.get(flow=flow, key=body["message_sid"])
    assert event.params["Body"] == "there" and event.execution_sid == ex.sid
    assert [(m["direction"], m["body"]) for m in body["conversation"]["messages"]] == [
        ("inbound", "there"),
        ("outbound", "Hi there, your name?"),
    ]
    assert body["conversation"]["active_execution"]["current_widget"] == "ask"


def test_it_runs_the_latest_draft_by_adding_the_simulator_to_the_test_users(
    console: Any, flow_factory: Any
) -> None:
    flow = flow_factory(survey(), published=False)
    body = say(console, flow, "draft").json()
    assert body["test_user_added"] is True
    flow.refresh_from_db()
    assert ME in flow.test_users
    assert Execution.objects.get(sid=body["execution_sid"]).flow_version == 1
    assert say(console, flow, "again").json()["test_user_added"] is False


def test_it_answers_the_conversation_in_order_with_the_active_widget(console: Any, flow_factory: Any) -> None:
    flow = flow_factory(survey())
    say(console, flow, "there")
    say(console, flow, "Ada")
    response = console.get(
        f"/api/console/flows/{flow.sid}/simulate/conversation", {"contact": ME, "channel": US}
    )
    assert response.status_code == 200
    body = response.json()
    assert [m["body"] for m in body["messages"]] == ["there", "Hi there, your name?", "Ada", "Thanks Ada"]
    assert [m["direction"] for m in body["messages"]] == ["inbound", "outbound", "inbound", "outbound"]
    assert body["active_execution"] is None


def test_it_requires_a_contact_for_the_conversation(console: Any, flow_factory: Any) -> None:
    flow = flow_factory(survey())
    assert console.get(f"/api/console/flows/{flow.sid}/simulate/conversation").status_code == 400


def test_it_starts_a_new_conversation_by_ending_the_active_execution(console: Any, flow_factory: Any) -> None:
    flow = flow_factory(survey())
    first = say(console, flow, "there").json()["execution_sid"]
    reset = post(console, f"/api/console/flows/{flow.sid}/simulate/reset", {"contact": ME, "channel": US})
    assert reset.status_code == 200 and reset.json()["ended"] == [first]
    assert Execution.objects.get(sid=first).status == "ended"
    since = reset.json()["since"]
    empty = console.get(
        f"/api/console/flows/{flow.sid}/simulate/conversation", {"contact": ME, "channel": US, "since": since}
    ).json()
    assert empty["messages"] == [] and empty["active_execution"] is None
    second = say(console, flow, "again").json()["execution_sid"]
    assert second != first


def test_it_refuses_a_message_without_from_or_to(console: Any, flow_factory: Any) -> None:
    flow = flow_factory(survey())
    url = f"/api/console/flows/{flow.sid}/simulate/message"
    assert post(console, url, {"to": US, "body": "x"}).status_code == 400
    assert post(console, url, {"from": ME, "body": "x"}).status_code == 400


def test_it_refuses_a_simulated_message_without_the_csrf_token(console: Any, flow_factory: Any) -> None:
    flow = flow_factory(survey())
    response = console.post(
        f"/api/console/flows/{flow.sid}/simulate/message",
        json.dumps({"from": ME, "to": US, "body": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not InboundEvent.objects.exists()


def test_it_lists_active_and_ended_executions_for_the_monitor(console: Any, flow_factory: Any) -> None:
    flow = flow_factory(survey())
    done = say(console, flow, "one", frm="+15550100002").json()["execution_sid"]
    say(console, flow, "Bo", frm="+15550100002")
    waiting = say(console, flow, "two").json()["execution_sid"]
    url = f"/api/console/flows/{flow.sid}/executions"
    active = console.get(url, {"status": "active"}).json()["executions"]
    ended = console.get(url, {"status": "ended"}).json()["executions"]
    assert [e["sid"] for e in active] == [waiting] and active[0]["current_widget"] == "ask"
    assert [e["sid"] for e in ended] == [done] and ended[0]["current_widget"] is None
    assert len(console.get(url).json()["executions"]) == 2
    assert console.get(url, {"status": "bogus"}).status_code == 400


def test_it_shows_an_execution_with_its_steps_newest_last_and_context(
    console: Any, flow_factory: Any
) -> None:
    flow = flow_factory(survey())
    sid = say(console, flow, "there").json()["execution_sid"]
    say(console, flow, "Ada")
    body = console.get(f"/api/console/executions/{sid}").json()
    assert [(s["from"], s["name"], s["to"]) for s in body["steps"]] == [
        ("Trigger", "incomingMessage", "ask"),
        ("ask", "incomingMessage", "thanks"),
        ("thanks", "sent", "Ended"),
    ]
    assert body["status"] == "ended" and body["flow_sid"] == flow.sid
    assert body["context"]["widgets"]["ask"]["inbound"]["Body"] == "Ada"
    assert body["steps"][1]["context"]["widgets"]["ask"]["inbound"]["Body"] == "Ada"


def test_it_hides_another_accounts_flows_and_executions(
    console: Any, bob_console: Any, flow_factory: Any
) -> None:
    flow = flow_factory(survey())
    sid = say(console, flow, "there").json()["execution_sid"]
    assert bob_console.get(f"/api/console/executions/{sid}").status_code == 404
    assert bob_console.get(f"/api/console/flows/{flow.sid}/executions").status_code == 404
    conv = bob_console.get(f"/api/console/flows/{flow.sid}/simulate/conversation", {"contact": ME})
    assert conv.status_code == 404
    assert say(bob_console, flow, "hi").status_code == 404
    assert (
        post(bob_console, f"/api/console/flows/{flow.sid}/simulate/reset", {"contact": ME}).status_code == 404
    )
    assert InboundEvent.objects.count() == 1


def test_it_requires_a_signed_in_user(flow_factory: Any) -> None:
    flow = flow_factory(survey())
    response = Client().get(f"/api/console/flows/{flow.sid}/executions")
    assert response.status_code in (401, 403)
