"""Every request the server sends goes through the one guarded client (executions.http_client).

The Calls API, the call simulator (its TwiML fetches and status callbacks) and a voice flow's
TwiML redirect may not reach loopback or private services, nor anything but http(s). Refused
URLs answer with Twilio's error where a request is answered, and end the call as failed where
the failure happens later: no call stays in progress.
"""

from __future__ import annotations

from typing import Any

import pytest

from executions.models import Call
from executions.voice import calls
from executions.voice.call_simulator import call_flow
from scenarios.stubs import Stub
from tests.executions.factories import definition, make_flow, on, state
from tests.executions.voice_support import CALLER, NUMBER

pytestmark = pytest.mark.django_db(transaction=True)


def calls_url(account: Any) -> str:
    return f"/2010-04-01/Accounts/{account.sid}/Calls.json"


def place(api: Any, **data: str) -> Any:
    return api.post(calls_url(api.account), {"To": "+15551230000", "From": "+15550001111", **data})


def test_it_refuses_a_file_url_for_a_call(api: Any) -> None:
    response = place(api, Url="file:///etc/passwd")
    assert response.status_code == 400
    assert response.json()["code"] == 21205
    assert "Url" in response.json()["message"]
    assert not Call.objects.exists()


def test_it_refuses_a_loopback_url_for_a_call_and_sends_nothing(api: Any, stub: Stub) -> None:
    stub.route("/x", body="<Response/>", content_type="text/xml")
    response = place(api, Url=stub.url("/x"), Method="DELETE")
    assert response.status_code == 400
    assert response.json()["code"] in (20001, 21205)
    response = place(api, Url=stub.url("/x"))
    assert (response.status_code, response.json()["code"]) == (400, 21205)
    assert stub.requests == []


def test_it_refuses_a_method_other_than_get_or_post(api: Any) -> None:
    response = place(api, Twiml="<Response/>", Method="DELETE")
    assert (response.status_code, response.json()["code"]) == (400, 20001)
    assert "Method" in response.json()["message"]


def test_it_refuses_a_loopback_status_callback(api: Any, stub: Stub) -> None:
    stub.route("/cb")
    response = place(api, Twiml="<Response/>", StatusCallback=stub.url("/cb"))
    assert (response.status_code, response.json()["code"]) == (400, 21609)
    assert stub.requests == []


def test_it_fails_a_call_whose_url_is_refused_when_dialled(alice: Any, stub: Stub) -> None:
    """A URL refused only when fetched (e.g. a name that now resolves to loopback) fails the
    call and still reports its end; nothing stays in progress and nothing reaches the stub."""
    stub.route("/x", body="<Response><Say>secret</Say></Response>", content_type="text/xml")
    call = Call.objects.create(
        account=alice, to_address="+15551230000", from_address="+1555", url=stub.url("/x")
    )
    calls.dispatch(call.sid)
    call.refresh_from_db()
    assert call.status not in ("queued", "ringing", "in-progress")
    assert "secret" not in str(call.transcript)
    assert stub.requests == []


def test_it_survives_a_status_callback_refused_when_sent(alice: Any, stub: Stub) -> None:
    stub.route("/cb")
    call = Call.objects.create(
        account=alice,
        to_address="+15551230000",
        from_address="+15550001111",
        twiml="<Response><Say>Hi</Say></Response>",
        status_callback=stub.url("/cb"),
        status_callback_method="DELETE",
    )
    calls.dispatch(call.sid)
    call.refresh_from_db()
    assert call.status == "completed"
    assert stub.requests == []


def test_it_does_not_read_a_file_into_a_simulated_call(alice: Any) -> None:
    transcript = calls.play(alice, calls.CallScript(), url="file:///etc/passwd", method="GET")
    assert transcript.ended == "error"
    assert "root:" not in str(transcript.to_dict())


def test_it_keeps_a_voice_twiml_redirect_to_an_internal_url_out_of_the_transcript(
    alice: Any, stub: Stub
) -> None:
    stub.route("/internal", body="<Response><Say>internal secret</Say></Response>", content_type="text/xml")
    flow = make_flow(
        alice,
        definition(
            state(
                "w",
                "add-twiml-redirect",
                [on("return"), on("timeout"), on("fail")],
                url=stub.url("/internal"),
            ),
            trigger=[on("incomingCall", "w")],
        ),
    )
    sim = call_flow(flow, from_=CALLER, to=NUMBER)
    assert "internal secret" not in str(sim.transcript.to_dict())
    assert stub.requests == []
    assert sim.call.status not in ("queued", "ringing", "in-progress")
