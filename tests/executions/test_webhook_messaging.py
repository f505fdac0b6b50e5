"""The messaging webhook: signatures, immediate <Response/>, idempotency, conversation order."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from executions.models import Execution, InboundEvent
from tests.executions.factories import survey
from tests.executions.support import bodies, message_params, post_webhook, send_sms, step_names, webhook_path

pytestmark = pytest.mark.django_db(transaction=True)

ME, US = "+15551230000", "+15550001111"


def test_it_answers_an_empty_twiml_response_and_runs_the_flow(flow_factory: Any) -> None:
    flow = flow_factory(survey())
    response = send_sms(Client(), flow, ME, US, "there")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response/>" in response.content
    ex = Execution.objects.get()
    assert (ex.status, ex.current_widget, ex.contact_channel_address, ex.channel_address) == (
        "active",
        "ask",
        ME,
        US,
    )
    assert ex.context["trigger"]["message"]["Body"] == "there"
    assert ex.initiated_by.startswith("SM")
    assert bodies() == ["Hi there, your name?"]


def test_it_resumes_the_waiting_widget_with_the_reply(flow_factory: Any) -> None:
    flow = flow_factory(survey())
    send_sms(Client(), flow, ME, US, "there")
    send_sms(Client(), flow, ME, US, "Ann")
    ex = Execution.objects.get()
    assert ex.status == "ended"
    assert ex.context["widgets"]["ask"]["inbound"]["Body"] == "Ann"
    assert bodies() == ["Hi there, your name?", "Thanks Ann"]
    assert step_names(ex) == [
        "Trigger-incomingMessage->ask",
        "ask-incomingMessage->thanks",
        "thanks-sent->Ended",
    ]


def test_it_requires_a_signature(flow_factory: Any) -> None:
    flow = flow_factory(survey())
    response = post_webhook(Client(), flow, message_params(ME, US, "hi"), signature="")
    assert response.status_code == 401
    assert response.json()["code"] == 20003
    assert Execution.objects.count() == 0


def test_it_refuses_a_wrong_signature(flow_factory: Any) -> None:
    flow = flow_factory(survey())
    response = post_webhook(
        Client(), flow, message_params(ME, US, "hi"), signature="bm90IHRoZSBzaWduYXR1cmU="
    )
    assert response.status_code == 403
    assert Execution.objects.count() == 0


def test_it_refuses_a_signature_made_with_another_accounts_token(flow_factory: Any, bob: Any) -> None:
    from tests.executions.support import sign

    flow = flow_factory(survey())
    params = message_params(ME, US, "hi")
    response = post_webhook(Client(), flow, params, signature=sign(bob, webhook_path(flow), params))
    assert response.status_code == 403


def test_it_checks_the_signature_over_the_query_string_too(flow_factory: Any) -> None:
    from tests.executions.support import sign

    flow = flow_factory(survey())
    params = message_params(ME, US, "hi")
    path = webhook_path(flow) + "?x=1"
    response = Client().post(path, params, HTTP_X_TWILIO_SIGNATURE=sign(flow.account, path, params))
    assert response.status_code == 200
    bad = Client().post(path, params, HTTP_X_TWILIO_SIGNATURE=sign(flow.account, webhook_path(flow), params))
    assert bad.status_code == 403


def test_it_answers_404_for_another_accounts_flow(flow_factory: Any, bob: Any) -> None:
    from tests.executions.factories import make_flow

    bobs = make_flow(bob, survey())
    params = message_params(ME, US, "hi")
    path = f"/v1/Accounts/{flow_factory(survey()).account.sid}/Flows/{bobs.sid}"
    from tests.executions.support import sign

    response = Client().post(path, params, HTTP_X_TWILIO_SIGNATURE=sign(bobs.account, path, params))
    assert response.status_code in (403, 404)
    assert Execution.objects.count() == 0


def test_it_never_advances_twice_for_a_redelivered_message(flow_factory: Any) -> None:
    flow = flow_factory(survey())
    send_sms(Client(), flow, ME, US, "there")
    reply = message_params(ME, US, "Ann", sid="SM" + "a" * 32)
    assert post_webhook(Client(), flow, reply).status_code == 200
    assert post_webhook(Client(), flow, reply).status_code == 200
    assert bodies() == ["Hi there, your name?", "Thanks Ann"]
    assert InboundEvent.objects.filter(key="SM" + "a" * 32).count() == 1
    assert Execution.objects.count() == 1


def test_it_keeps_one_execution_per_contact_pair(flow_factory: Any) -> None:
    flow = flow_factory(survey())
    send_sms(Client(), flow, ME, US, "one")
    send_sms(Client(), flow, "+15559998888", US, "two")
    assert Execution.objects.filter(status="active").count() == 2
    send_sms(Client(), flow, ME, US, "Ann")
    assert Execution.objects.filter(contact_channel_address=ME).count() == 1


def test_it_starts_a_new_execution_after_the_previous_one_ended(flow_factory: Any) -> None:
    flow = flow_factory(survey())
    for body in ("one", "Ann", "again"):
        send_sms(Client(), flow, ME, US, body)
    assert list(Execution.objects.order_by("id").values_list("status", flat=True)) == ["ended", "active"]


def test_it_processes_messages_of_one_contact_in_arrival_order(flow_factory: Any) -> None:
    from executions.inbound.drain import drain
    from executions.inbound.intake import record

    flow = flow_factory(survey())
    # Recorded while no worker ran yet; one drain processes them oldest first.
    for body in ("first", "second", "third"):
        record(flow, message_params(ME, US, body))
    assert drain() == 3
    assert bodies() == ["Hi first, your name?", "Thanks second", "Hi third, your name?"]


def test_it_routes_a_call_to_the_voice_hook(flow_factory: Any) -> None:
    flow = flow_factory(survey())
    params = {"CallSid": "CA" + "1" * 32, "From": ME, "To": US, "CallStatus": "ringing"}
    response = post_webhook(Client(), flow, params)
    assert response.status_code == 200
    assert b"<Response/>" in response.content
    assert InboundEvent.objects.count() == 0


def test_it_uses_the_messaging_service_sid_as_the_flow_side_of_the_pair(flow_factory: Any) -> None:
    flow = flow_factory(survey())
    send_sms(Client(), flow, ME, US, "hi", MessagingServiceSid="MG" + "2" * 32)
    ex = Execution.objects.get()
    assert ex.channel_address == "MG" + "2" * 32
    assert ex.context["flow"]["channel"]["address"] == "MG" + "2" * 32


def test_it_drops_messages_for_a_flow_without_a_published_revision(flow_factory: Any) -> None:
    flow = flow_factory(survey(), published=False)
    assert send_sms(Client(), flow, ME, US, "hi").status_code == 200
    assert Execution.objects.count() == 0


def test_it_runs_the_latest_draft_for_a_test_user(flow_factory: Any) -> None:
    flow = flow_factory(survey(), published=False)
    flow.test_users = [ME]
    flow.save()
    send_sms(Client(), flow, ME, US, "hi")
    assert Execution.objects.get().flow_version == 1
