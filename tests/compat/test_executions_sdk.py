"""The official ``twilio`` client drives Executions, Steps, Contexts and the Messages resource."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from tests.executions.factories import definition, make_flow, on, state

pytestmark = pytest.mark.django_db(transaction=True)

FROM = {"from": "{{flow.channel.address}}"}


@pytest.fixture(autouse=True)
def eager_celery() -> Iterator[None]:
    from config.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


@pytest.fixture
def client(live_server: Any, settings: Any, alice: Any) -> Client:
    settings.PUBLIC_BASE_URL = live_server.url
    twilio = Client(alice.sid, alice.auth_token)
    twilio.studio.base_url = live_server.url
    twilio.api.base_url = live_server.url
    return twilio


def flow_def() -> dict[str, Any]:
    return definition(
        state(
            "hello",
            "send-message",
            [on("sent", "ask"), on("failed")],
            body="Hello {{flow.data.name}}",
            to="{{contact.channel.address}}",
            **FROM,
        ),
        state(
            "ask",
            "send-and-wait-for-reply",
            [on("incomingMessage"), on("timeout"), on("deliveryFailure")],
            body="How are you?",
            **FROM,
        ),
        trigger=[on("incomingRequest", "hello")],
    )


def test_it_creates_fetches_lists_and_ends_executions(client: Client, alice: Any) -> None:
    flow = make_flow(alice, flow_def())
    executions = client.studio.v2.flows(flow.sid).executions
    created = executions.create(to="+15551230000", from_="+15550001111", parameters={"name": "Zeke"})
    assert created.sid.startswith("FN") and created.status == "active"
    assert created.contact_channel_address == "+15551230000" and created.flow_version == 1
    assert created.date_created is not None
    fetched = executions(created.sid).fetch()
    assert fetched.sid == created.sid
    context = executions(created.sid).execution_context().fetch()
    assert context.context["flow"]["data"] == {"name": "Zeke"}
    steps = executions(created.sid).steps.list()
    assert [s.name for s in steps] == ["sent", "incomingRequest"]
    step_context = executions(created.sid).steps(steps[0].sid).step_context().fetch()
    assert step_context.context["widgets"]["hello"]["outbound"]["Body"] == "Hello Zeke"
    assert [e.sid for e in executions.list(status="active")] == [created.sid]
    with pytest.raises(TwilioRestException) as conflict:
        executions.create(to="+15551230000", from_="+15550001111")
    assert conflict.value.status == 409 and conflict.value.code == 20409
    ended = executions(created.sid).update(status="ended")
    assert ended.status == "ended"
    assert executions.list(status="active") == []
    assert executions(created.sid).delete() is True
    with pytest.raises(TwilioRestException) as missing:
        executions(created.sid).fetch()
    assert missing.value.status == 404


def test_it_reads_the_messages_a_flow_sent(client: Client, alice: Any) -> None:
    flow = make_flow(alice, flow_def())
    client.studio.v2.flows(flow.sid).executions.create(
        to="+15551230000", from_="+15550001111", parameters={"name": "Ann"}
    )
    messages = client.messages.list(to="+15551230000")
    assert [m.body for m in messages] == ["How are you?", "Hello Ann"]
    first = client.messages(messages[1].sid).fetch()
    assert (first.from_, first.to, first.status, first.direction) == (
        "+15550001111",
        "+15551230000",
        "delivered",
        "outbound-api",
    )
    assert first.date_created is not None
    assert client.messages.list(to="+19999999999") == []


def test_it_pages_messages_and_sends_through_the_provider(client: Client) -> None:
    for i in range(5):
        client.messages.create(to="+15551230000", from_="+15550001111", body=f"m{i}")
    bodies = [m.body for m in client.messages.list(page_size=2)]
    assert bodies == [f"m{i}" for i in range(4, -1, -1)]
    page = client.messages.page(page_size=2)
    assert len(list(page)) == 2 and page.next_page_url
    with pytest.raises(TwilioRestException) as refused:
        client.messages.create(to="+15005550001", from_="+15550001111", body="x")
    assert refused.value.code == 21211
