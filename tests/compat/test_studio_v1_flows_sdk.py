"""Studio v1's Flows resource (``client.studio.v1.flows``): read and delete only, spec §6.6.

Older code and Functions templates still use Studio v1: the official client lists, fetches and
deletes flows there, and reads ``version`` (v2's ``revision``).
"""

from __future__ import annotations

from typing import Any

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from tests.studio.flowdefs import message_flow

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client(live_server: Any, settings: Any, alice: Any) -> Client:
    settings.PUBLIC_BASE_URL = live_server.url
    twilio = Client(alice.sid, alice.auth_token)
    twilio.studio.base_url = live_server.url
    return twilio


@pytest.fixture
def bob_client(live_server: Any, bob: Any) -> Client:
    twilio = Client(bob.sid, bob.auth_token)
    twilio.studio.base_url = live_server.url
    return twilio


def test_it_fetches_a_flow_with_its_version(client: Client, alice: Any) -> None:
    flow = client.studio.v2.flows.create(
        friendly_name="Support", status="draft", definition=message_flow("v1")
    )
    client.studio.v2.flows(flow.sid).update(status="published", definition=message_flow("v2"))

    fetched = client.studio.v1.flows(flow.sid).fetch()

    assert fetched.sid == flow.sid and fetched.account_sid == alice.sid
    assert fetched.friendly_name == "Support" and fetched.status == "published"
    assert fetched.version == 2
    assert fetched.date_created is not None and fetched.date_updated is not None
    assert fetched.url == f"{client.studio.base_url}/v1/Flows/{flow.sid}"
    assert fetched.links["executions"] == f"{client.studio.base_url}/v1/Flows/{flow.sid}/Executions"


def test_it_lists_flows_across_pages(client: Client) -> None:
    sids = [
        client.studio.v2.flows.create(friendly_name=f"F{i}", status="draft", definition=message_flow()).sid
        for i in range(3)
    ]
    assert [f.sid for f in client.studio.v1.flows.list(page_size=2)] == sids
    page = client.studio.v1.flows.page(page_size=2)
    assert [f.version for f in page] == [1, 1]
    second = page.next_page()
    assert second is not None and [f.sid for f in second] == sids[2:]


def test_it_deletes_a_flow_and_then_answers_404(client: Client) -> None:
    flow = client.studio.v2.flows.create(friendly_name="F", status="draft", definition=message_flow())
    assert client.studio.v1.flows(flow.sid).delete() is True
    with pytest.raises(TwilioRestException) as raised:
        client.studio.v1.flows(flow.sid).fetch()
    assert raised.value.status == 404 and raised.value.code == 20404


def test_it_hides_alices_flows_from_bob(client: Client, bob_client: Client) -> None:
    flow = client.studio.v2.flows.create(friendly_name="F", status="draft", definition=message_flow())
    with pytest.raises(TwilioRestException) as raised:
        bob_client.studio.v1.flows(flow.sid).fetch()
    assert raised.value.code == 20404
    with pytest.raises(TwilioRestException):
        bob_client.studio.v1.flows(flow.sid).delete()
    assert bob_client.studio.v1.flows.list() == []
    assert client.studio.v1.flows(flow.sid).fetch().sid == flow.sid
