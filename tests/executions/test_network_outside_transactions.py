"""No transaction stays open while the engine waits on the network (issue #16).

A widget that needs the network is parked ("awaiting network"), the run commits, the request is
made with no transaction open, and the widget runs again with the answer under a fresh lock.
Observed from inside the HTTP client: ``connection.in_atomic_block`` is False for every request
a flow makes, whatever started the run (an inbound SMS, a REST execution, a voice call).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from executions.backends import http_client
from executions.engine import network
from executions.models import Execution, Message, Wait
from executions.tasks import sweep_waits
from scenarios.stubs import Stub
from tests.executions.factories import definition, on, state
from tests.executions.support import bodies, send_sms, start_rest, step_names
from tests.executions.voice_support import ring, twiml_of

pytestmark = pytest.mark.django_db(transaction=True)

ME, US = "+15551230000", "+15550001111"


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[bool, bool]]]:
    """(in_atomic_block, needs_rollback) at the moment each request leaves the client."""
    observed: list[tuple[bool, bool]] = []
    real = http_client.request

    def watching(*args: Any, **kwargs: Any) -> Any:
        observed.append((connection.in_atomic_block, connection.needs_rollback))
        return real(*args, **kwargs)

    monkeypatch.setattr(http_client, "request", watching)
    yield observed


def lookup_then(next_state: dict[str, Any], trigger: str, url: str) -> dict[str, Any]:
    return definition(
        state(
            "lookup",
            "make-http-request",
            [on("success", next_state["name"]), on("failed")],
            method="GET",
            content_type="application/x-www-form-urlencoded;charset=utf-8",
            url=url,
        ),
        next_state,
        trigger=[on(trigger, "lookup")],
    )


def reply() -> dict[str, Any]:
    return state(
        "reply",
        "send-message",
        [on("sent"), on("failed")],
        body="You are {{widgets.lookup.parsed.name}}",
        to="{{contact.channel.address}}",
        **{"from": "{{flow.channel.address}}"},
    )


def test_an_inbound_sms_flow_calls_out_with_no_transaction_open(
    flow_factory: Any, stub: Stub, allow_local: None, seen: list[tuple[bool, bool]]
) -> None:
    stub.route("/who", body={"name": "Ada"})
    flow = flow_factory(lookup_then(reply(), "incomingMessage", stub.url("/who")))

    assert send_sms(Client(), flow, ME, US, "hi").status_code == 200

    assert seen == [(False, False)]
    ex = Execution.objects.get(flow=flow)
    assert ex.status == "ended"
    assert step_names(ex) == [
        "Trigger-incomingMessage->lookup",
        "lookup-success->reply",
        "reply-sent->Ended",
    ]
    assert bodies(execution=ex) == ["You are Ada"]
    assert not Wait.objects.filter(execution=ex).exists()  # the safety timer went with the wait
    assert len(stub.requests) == 1


def test_a_rest_execution_calls_out_with_no_transaction_open(
    flow_factory: Any, stub: Stub, allow_local: None, seen: list[tuple[bool, bool]]
) -> None:
    stub.route("/who", body={"name": "Bo"})
    flow = flow_factory(lookup_then(reply(), "incomingRequest", stub.url("/who")))

    ex = start_rest(flow)

    assert seen == [(False, False)]
    assert ex.status == "ended"
    assert bodies(execution=ex) == ["You are Bo"]


def test_a_voice_call_hears_what_follows_the_request_in_the_same_answer(
    flow_factory: Any, stub: Stub, allow_local: None, seen: list[tuple[bool, bool]]
) -> None:
    stub.route("/who", body={"name": "Cy"})
    say = state("greet", "say-play", [on("audioComplete")], say="Hello {{widgets.lookup.parsed.name}}")
    flow = flow_factory(lookup_then(say, "incomingCall", stub.url("/who")))

    root = twiml_of(ring(flow))

    assert seen == [(False, False)]
    assert [el.text for el in root.iter("Say")] == ["Hello Cy"]


def test_a_flow_making_several_requests_sends_each_message_once(
    flow_factory: Any, stub: Stub, allow_local: None, seen: list[tuple[bool, bool]]
) -> None:
    """TwiML Redirect fetches a document, sends its messages, follows its redirect: the run is
    parked before each fetch and replays the earlier answers, never the sends."""
    stub.route(
        "/one",
        body=f"<Response><Message>One</Message><Redirect>{stub.url('/two')}</Redirect></Response>",
        content_type="text/xml",
    )
    stub.route("/two", body="<Response><Message>Two</Message></Response>", content_type="text/xml")
    flow = flow_factory(
        definition(
            state(
                "redirect",
                "add-twiml-redirect",
                [on("return"), on("timeout"), on("fail")],
                url=stub.url("/one"),
                timeout="0",
            ),
            trigger=[on("incomingMessage", "redirect")],
        )
    )

    send_sms(Client(), flow, ME, US, "hi")

    assert seen == [(False, False), (False, False)]
    ex = Execution.objects.get(flow=flow)
    assert bodies(execution=ex) == ["One", "Two"]
    assert Message.objects.filter(execution=ex).count() == 2
    assert step_names(ex) == ["Trigger-incomingMessage->redirect", "redirect-timeout->Ended"]


def test_a_parked_request_whose_answer_never_comes_times_out_on_the_safety_timer(
    flow_factory: Any, stub: Stub, allow_local: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process died between the commit and the request: the sweeper answers "timeout"."""
    stub.route("/who", body={"name": "Di"})
    monkeypatch.setattr(network, "after_commit", lambda items: None)  # the crash
    flow = flow_factory(lookup_then(reply(), "incomingMessage", stub.url("/who")))
    send_sms(Client(), flow, ME, US, "hi")
    ex = Execution.objects.get(flow=flow)
    assert (ex.status, ex.current_widget) == ("active", "lookup")
    assert "network" in ex.wait_state["data"]
    assert Wait.objects.filter(execution=ex).count() == 1

    Wait.objects.update(fire_at=timezone.now() - dt.timedelta(seconds=1))
    sweep_waits()

    ex.refresh_from_db()
    assert ex.status == "ended"
    assert step_names(ex) == ["Trigger-incomingMessage->lookup", "lookup-failed->Ended"]
    assert stub.requests == []  # not sent late, not sent twice


def test_an_event_arriving_while_a_request_is_in_flight_is_logged_and_changes_nothing(
    flow_factory: Any, stub: Stub, allow_local: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub.route("/who", body={"name": "Ed"})
    parked: list[Any] = []
    monkeypatch.setattr(network, "after_commit", parked.extend)
    flow = flow_factory(lookup_then(reply(), "incomingMessage", stub.url("/who")))
    send_sms(Client(), flow, ME, US, "hi")
    send_sms(Client(), flow, ME, US, "again?")
    ex = Execution.objects.get(flow=flow)
    assert ex.current_widget == "lookup"
    assert any(entry.get("code") == 81002 for entry in ex.log)

    monkeypatch.undo()
    network.settle(parked)  # the request is made now: the flow goes on

    ex.refresh_from_db()
    assert ex.status == "ended"
    assert bodies(execution=ex) == ["You are Ed"]


def test_each_message_names_the_widget_that_sent_it(flow_factory: Any) -> None:
    """(Found by the fault suite: a run's messages carried the widget the run started from.)"""
    flow = flow_factory(
        definition(
            state(
                "ask",
                "send-and-wait-for-reply",
                [on("incomingMessage", "thanks"), on("timeout")],
                body="Name?",
            ),
            state(
                "thanks",
                "send-message",
                [on("sent"), on("failed")],
                body="Thanks",
                to="{{contact.channel.address}}",
            ),
            trigger=[on("incomingMessage", "ask")],
        )
    )
    send_sms(Client(), flow, ME, US, "hi")
    send_sms(Client(), flow, ME, US, "Ada")

    sent = Message.objects.exclude(direction="inbound").order_by("id")
    assert list(sent.values_list("widget", "body")) == [("ask", "Name?"), ("thanks", "Thanks")]
