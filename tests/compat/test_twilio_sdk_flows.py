"""The official ``twilio`` Python client drives the Studio v2 Flows API of a live server.

The client is pointed at the server (``client.studio.base_url``); paging follows the
absolute ``next_page_url`` the server returns, so PUBLIC_BASE_URL is the live server's origin.
"""

from __future__ import annotations

from typing import Any

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from tests.studio.flowdefs import broken_flow, message_flow

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


def test_it_creates_and_fetches_a_flow_reading_back_what_was_written(client: Client, alice: Any) -> None:
    created = client.studio.v2.flows.create(
        friendly_name="Support", status="draft", definition=message_flow(), commit_message="first"
    )
    assert created.sid.startswith("FW") and created.account_sid == alice.sid
    assert created.revision == 1 and created.status == "draft" and created.valid is True
    fetched = client.studio.v2.flows(created.sid).fetch()
    assert fetched.friendly_name == "Support"
    assert fetched.definition == message_flow()
    assert fetched.commit_message == "first"
    assert fetched.errors == [] and fetched.warnings == []
    assert fetched.date_created is not None and fetched.date_created.tzinfo is not None
    assert fetched.links["revisions"] == f"{client.studio.base_url}/v2/Flows/{created.sid}/Revisions"


def test_it_validates_definitions(client: Client) -> None:
    result = client.studio.v2.flow_validate.update(
        friendly_name="x", status="draft", definition=message_flow()
    )
    assert result.valid is True
    with pytest.raises(TwilioRestException) as raised:
        client.studio.v2.flow_validate.update(friendly_name="x", status="draft", definition=broken_flow())
    assert raised.value.status == 400 and raised.value.code == 81022
    assert raised.value.details["errors"]


def test_it_refuses_an_invalid_definition_on_create_with_81022(client: Client) -> None:
    with pytest.raises(TwilioRestException) as raised:
        client.studio.v2.flows.create(friendly_name="Bad", status="published", definition=broken_flow())
    assert raised.value.code == 81022


def test_it_updates_publishes_and_lists_revisions(client: Client) -> None:
    flow = client.studio.v2.flows.create(friendly_name="F", status="draft", definition=message_flow("v1"))
    updated = client.studio.v2.flows(flow.sid).update(
        status="published", definition=message_flow("v2"), commit_message="go live"
    )
    assert updated.revision == 2 and updated.status == "published" and updated.commit_message == "go live"
    client.studio.v2.flows(flow.sid).update(status="draft", definition=message_flow("v3"))

    revisions = client.studio.v2.flows(flow.sid).revisions.list()
    assert [r.revision for r in revisions] == [3, 2, 1]
    assert all(r.definition is None for r in revisions)

    published = client.studio.v2.flows(flow.sid).revisions("LatestPublished").fetch()
    assert published.revision == 2 and published.definition == message_flow("v2")
    latest = client.studio.v2.flows(flow.sid).revisions("LatestRevision").fetch()
    assert latest.revision == 3 and latest.definition == message_flow("v3")
    assert client.studio.v2.flows(flow.sid).revisions(1).fetch().definition == message_flow("v1")


def test_it_pages_the_flow_list_across_pages(client: Client) -> None:
    sids = [
        client.studio.v2.flows.create(
            friendly_name=f"Flow {i}", status="draft", definition=message_flow()
        ).sid
        for i in range(5)
    ]
    listed = client.studio.v2.flows.list(page_size=2)
    assert [f.sid for f in listed] == sids
    assert all(f.definition is None for f in listed)

    page = client.studio.v2.flows.page(page_size=2)
    assert [f.sid for f in page] == sids[:2]
    second = page.next_page()
    assert second is not None and [f.sid for f in second] == sids[2:4]
    third = second.next_page()
    assert third is not None and [f.sid for f in third] == sids[4:]
    assert third.next_page() is None


def test_it_sets_and_reads_test_users(client: Client) -> None:
    flow = client.studio.v2.flows.create(friendly_name="F", status="draft", definition=message_flow())
    updated = client.studio.v2.flows(flow.sid).test_users().update(test_users=["+15550001", "+15550002"])
    assert updated.test_users == ["+15550001", "+15550002"]
    fetched = client.studio.v2.flows(flow.sid).test_users().fetch()
    assert fetched.sid == flow.sid and fetched.test_users == ["+15550001", "+15550002"]


def test_it_deletes_a_flow_and_then_answers_404(client: Client) -> None:
    flow = client.studio.v2.flows.create(friendly_name="F", status="draft", definition=message_flow())
    assert client.studio.v2.flows(flow.sid).delete() is True
    with pytest.raises(TwilioRestException) as raised:
        client.studio.v2.flows(flow.sid).fetch()
    assert raised.value.status == 404 and raised.value.code == 20404


def test_it_hides_alices_flows_from_bobs_client(client: Client, bob_client: Client) -> None:
    flow = client.studio.v2.flows.create(friendly_name="F", status="draft", definition=message_flow())
    with pytest.raises(TwilioRestException) as raised:
        bob_client.studio.v2.flows(flow.sid).fetch()
    assert raised.value.code == 20404
    assert bob_client.studio.v2.flows.list() == []
