"""The simulator's REST tab: an execution created through the Studio v2 Executions API path."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from executions.models import Execution, Message
from tests.executions.factories import definition, on, state
from tests.executions.test_console_sim import bob_console, post  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)

CONTACT, FLOW_NUMBER = "+15550100001", "+15550109999"


def notify() -> dict[str, Any]:
    """A REST-started flow: greet the contact with a parameter, then wait for the answer."""
    return definition(
        state(
            "greet",
            "send-and-wait-for-reply",
            [on("incomingMessage", "bye"), on("timeout"), on("deliveryFailure")],
            body="Hello {{flow.data.name}}, confirm?",
            timeout="3600",
            **{"from": "{{flow.channel.address}}"},
        ),
        state(
            "bye",
            "send-message",
            [on("sent"), on("failed")],
            body="Got {{widgets.greet.inbound.Body}}",
            to="{{contact.channel.address}}",
            **{"from": "{{flow.channel.address}}"},
        ),
        trigger=[on("incomingRequest", "greet")],
    )


def rest(client: Any, flow: Any, **body: Any) -> Any:
    body = {"to": CONTACT, "from": FLOW_NUMBER, **body}
    return post(client, f"/api/console/flows/{flow.sid}/simulate/rest", body)


def test_it_creates_an_execution_as_the_rest_api_does_and_shows_its_transcript(
    console: Any, flow_factory: Any
) -> None:
    flow = flow_factory(notify(), published=False)
    response = rest(console, flow, parameters={"name": "Ada"})
    assert response.status_code == 201, response.content
    body = response.json()
    ex = Execution.objects.get(sid=body["execution_sid"])
    assert (ex.trigger_event, ex.contact_channel_address, ex.channel_address) == (
        "incomingRequest",
        CONTACT,
        FLOW_NUMBER,
    )
    assert ex.initiated_by.startswith("RQ") and ex.context["flow"]["data"] == {"name": "Ada"}
    assert body["execution"]["sid"] == ex.sid and body["execution"]["url"].endswith(
        f"/v2/Flows/{flow.sid}/Executions/{ex.sid}"
    )
    assert body["test_user_added"] is True
    assert [(m["direction"], m["body"]) for m in body["conversation"]["messages"]] == [
        ("outbound", "Hello Ada, confirm?")
    ]
    assert body["conversation"]["active_execution"]["current_widget"] == "greet"
    # The contact answers in the chat: the same execution continues.
    reply = post(
        console,
        f"/api/console/flows/{flow.sid}/simulate/message",
        {"from": CONTACT, "to": FLOW_NUMBER, "body": "yes"},
    )
    assert reply.json()["execution_sid"] == ex.sid
    assert Message.objects.filter(execution=ex, body="Got yes").exists()


def test_it_accepts_parameters_as_json_text_and_answers_the_apis_errors(
    console: Any, flow_factory: Any
) -> None:
    flow = flow_factory(notify())
    assert rest(console, flow, parameters='{"name": "Bo"}').status_code == 201
    conflict = rest(console, flow, parameters={"name": "again"})
    assert conflict.status_code == 409 and conflict.json()["code"] == 20409
    assert conflict.json()["details"]["conflicting_execution_sid"] == Execution.objects.get().sid
    bad = rest(console, flow, to="+15550100002", parameters="[1, 2]")
    assert (bad.status_code, bad.json()["code"]) == (400, 20001)
    assert "Parameters" in bad.json()["message"]
    assert rest(console, flow, to="+15550100002", parameters=3).status_code == 400
    assert post(console, f"/api/console/flows/{flow.sid}/simulate/rest", {"to": CONTACT}).status_code == 400
    assert Execution.objects.count() == 1


def test_it_is_scoped_to_the_account_and_refused_to_viewers(
    console: Any,
    bob_console: Any,  # noqa: F811 - the fixture imported above
    flow_factory: Any,
    django_user_model: Any,
) -> None:
    from accounts.models import Membership

    flow = flow_factory(notify())
    assert rest(bob_console, flow).status_code == 404
    viewer = django_user_model.objects.create_user(username="vera", password="vera-password")
    Membership.objects.create(user=viewer, account=console.account, role=Membership.Role.VIEWER)
    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer)
    assert rest(client, flow).status_code == 403
    assert not Execution.objects.exists()
