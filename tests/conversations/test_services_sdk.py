"""`/v1/Services` is both Conversations' and Serverless's here (two hosts at Twilio). A client that
says which product it means — a `/conversations` or `/serverless` base URL path, or a host named
after the product — gets that product's list; by SID, `/v1/Services/{sid}` needs no hint."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from twilio.rest import Client

pytestmark = pytest.mark.django_db(transaction=True)


def product_client(live_server: Any, account: Any) -> Client:
    twilio = Client(account.sid, account.auth_token)
    twilio.conversations.base_url = f"{live_server.url}/conversations"
    twilio.serverless.base_url = f"{live_server.url}/serverless"
    return twilio


def test_each_product_lists_its_own_services_under_its_prefix(
    live_server: Any, alice: Any, settings: Any
) -> None:
    settings.PUBLIC_BASE_URL = live_server.url
    twilio = product_client(live_server, alice)
    support = twilio.conversations.v1.services.create(friendly_name="Support")
    functions = twilio.serverless.v1.services.create(unique_name="hooks", friendly_name="Hooks")

    conversation_services = twilio.conversations.v1.services.list()
    assert support.sid in [s.sid for s in conversation_services]
    assert all(s.sid.startswith("IS") for s in conversation_services)
    assert [s.sid for s in twilio.serverless.v1.services.list()] == [functions.sid]
    # Fetch, update and delete by SID under the prefix, as at Twilio.
    assert twilio.conversations.v1.services(support.sid).fetch().friendly_name == "Support"
    assert twilio.conversations.v1.services(support.sid).delete() is True
    assert support.sid not in [s.sid for s in twilio.conversations.v1.services.list()]


def test_the_next_page_keeps_the_products_prefix(live_server: Any, alice: Any, settings: Any) -> None:
    settings.PUBLIC_BASE_URL = live_server.url
    twilio = product_client(live_server, alice)
    made = {twilio.conversations.v1.services.create(friendly_name=f"S{i}").sid for i in range(3)}
    listed = twilio.conversations.v1.services.list(page_size=2)  # follows next_page_url
    assert made <= {s.sid for s in listed}
    page = twilio.conversations.v1.services.page(page_size=2)
    assert "/conversations/v1/Services?" in str(page.next_page_url)


def test_a_host_named_conversations_lists_conversation_services(
    live_server: Any, alice: Any, settings: Any
) -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "conversations.localhost"]  # the operator's proxy host
    twilio = product_client(live_server, alice)
    support = twilio.conversations.v1.services.create(friendly_name="Support")
    port = live_server.url.rsplit(":", 1)[1]
    answer = httpx.get(
        f"http://127.0.0.1:{port}/v1/Services",
        headers={"Host": f"conversations.localhost:{port}"},
        auth=(alice.sid, alice.auth_token),
    )
    assert answer.status_code == 200, answer.text
    assert support.sid in [s["sid"] for s in answer.json()["services"]]


def test_another_accounts_services_are_neither_listed_nor_found(
    live_server: Any, alice: Any, bob: Any
) -> None:
    theirs = product_client(live_server, bob).conversations.v1.services.create(friendly_name="Bob's")
    mine = product_client(live_server, alice)
    assert theirs.sid not in [s.sid for s in mine.conversations.v1.services.list()]
    answer = httpx.get(
        f"{live_server.url}/conversations/v1/Services/{theirs.sid}", auth=(alice.sid, alice.auth_token)
    )
    assert (answer.status_code, answer.json()["code"]) == (404, 20404)


def test_without_a_hint_the_list_stays_serverless(live_server: Any, alice: Any) -> None:
    twilio = Client(alice.sid, alice.auth_token)
    twilio.serverless.base_url = live_server.url
    twilio.conversations.base_url = live_server.url
    functions = twilio.serverless.v1.services.create(unique_name="hooks", friendly_name="Hooks")
    support = twilio.conversations.v1.services.create(friendly_name="Support")  # no UniqueName: Conversations
    assert [s.sid for s in twilio.serverless.v1.services.list()] == [functions.sid]
    assert twilio.conversations.v1.services(support.sid).fetch().sid == support.sid
