"""The official ``twilio`` client places simulated calls and reads them back (Calls resource)."""

from __future__ import annotations

from typing import Any

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from executions.models import Execution
from tests.executions.factories import definition, make_flow, on, state

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client(live_server: Any, settings: Any, alice: Any) -> Client:
    settings.PUBLIC_BASE_URL = live_server.url
    twilio = Client(alice.sid, alice.auth_token)
    twilio.api.base_url = live_server.url
    return twilio


def test_it_places_a_call_with_inline_twiml_and_reads_it_back(client: Client) -> None:
    call = client.calls.create(
        to="+15551230000", from_="+15550001111", twiml="<Response><Say>Hi</Say></Response>"
    )
    assert call.sid.startswith("CA") and call.direction == "outbound-api"
    fetched = client.calls(call.sid).fetch()
    assert (fetched.status, fetched.to, fetched._from) == ("completed", "+15551230000", "+15550001111")
    assert call.sid in [c.sid for c in client.calls.list(to="+15551230000")]


def test_it_places_a_call_into_a_flow_through_its_webhook(client: Client, alice: Any) -> None:
    flow = make_flow(
        alice,
        definition(
            state("hello", "say-play", [on("audioComplete")], say="Hello from the flow"),
            trigger=[on("incomingCall", "hello")],
        ),
    )
    url = f"{client.api.base_url}/v1/Accounts/{alice.sid}/Flows/{flow.sid}"
    call = client.calls.create(to="+15551230000", from_="+15550001111", url=url)
    ex = Execution.objects.get(flow=flow)
    assert ex.status == "ended" and ex.initiated_by == call.sid
    assert ex.contact_channel_address == "+15551230000"  # outbound: the callee is the contact
    assert client.calls(call.sid).fetch().status == "completed"


def test_it_reports_busy_for_a_busy_number_and_404_for_a_stranger(client: Client) -> None:
    call = client.calls.create(to="+15005550003", from_="+15550001111", twiml="<Response/>")
    assert client.calls(call.sid).fetch().status == "busy"
    with pytest.raises(TwilioRestException) as err:
        client.calls("CA" + "0" * 32).fetch()
    assert err.value.status == 404
