"""The voice entry: a call runs the flow inside the request and is answered with TwiML whose
action URLs lead back into the engine; status callbacks end or advance the execution."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from executions.models import Execution
from tests.executions.factories import definition, on, state
from tests.executions.support import sign, step_names, webhook_path
from tests.executions.voice_support import (
    CALLER,
    NUMBER,
    action_of,
    call_params,
    follow,
    hang_up,
    post_signed,
    ring,
    twiml_of,
    verbs,
)

pytestmark = pytest.mark.django_db(transaction=True)


def menu(concurrent: bool = True) -> dict[str, Any]:
    d = definition(
        state(
            "menu",
            "gather-input-on-call",
            [on("keypress", "check"), on("speech", "check"), on("timeout", "bye")],
            say="Press 1 for sales",
            voice="alice",
            number_of_digits=1,
        ),
        state(
            "check",
            "split-based-on",
            [
                on("noMatch", "bye"),
                on(
                    "match",
                    "sales",
                    conditions=[
                        {
                            "friendly_name": "1",
                            "arguments": ["{{widgets.menu.Digits}}"],
                            "type": "equal_to",
                            "value": "1",
                        }
                    ],
                ),
            ],
            input="{{widgets.menu.Digits}}",
        ),
        state("sales", "say-play", [on("audioComplete")], say="Connecting you to sales"),
        state("bye", "say-play", [on("audioComplete")], say="Goodbye", voice="Polly.Mia", language="en-GB"),
        trigger=[on("incomingCall", "menu")],
    )
    d["flags"]["allow_concurrent_calls"] = concurrent
    return d


def test_it_answers_a_call_with_the_first_voice_widgets_twiml(flow_factory: Any) -> None:
    flow = flow_factory(menu())
    root = twiml_of(ring(flow, call_params(sid="CA" + "1" * 32)))
    assert verbs(root) == ["Gather", "Redirect"]
    gather = root.find("Gather")
    assert gather.get("numDigits") == "1" and gather.get("input") == "dtmf speech"
    assert gather.find("Say").text == "Press 1 for sales" and gather.find("Say").get("voice") == "alice"
    ex = Execution.objects.get()
    assert (ex.trigger_event, ex.current_widget, ex.session_key) == ("incomingCall", "menu", "CA" + "1" * 32)
    assert ex.context["trigger"]["call"]["From"] == CALLER
    assert f"/Executions/{ex.sid}/Callback?Widget=menu" in gather.get("action")


def test_it_resumes_the_gather_with_the_digits_and_answers_the_next_widgets(flow_factory: Any) -> None:
    flow = flow_factory(menu())
    root = twiml_of(ring(flow))
    nxt = twiml_of(follow(flow.account, action_of(root, "Gather"), Digits="1", From=CALLER, To=NUMBER))
    assert verbs(nxt) == ["Say", "Redirect"]
    assert nxt.find("Say").text == "Connecting you to sales"
    ex = Execution.objects.get()
    assert ex.context["widgets"]["menu"]["Digits"] == "1"
    assert step_names(ex)[-2:] == ["menu-keypress->check", "check-match->sales"]
    end = follow(flow.account, action_of(nxt, "Redirect"))
    assert end.content.decode().endswith("<Response/>")
    ex.refresh_from_db()
    assert ex.status == "ended"
    assert ex.context["widgets"]["sales"]["CallStatus"] == "in-progress"


def test_it_takes_the_timeout_when_the_gather_falls_through(flow_factory: Any) -> None:
    flow = flow_factory(menu())
    root = twiml_of(ring(flow))
    nxt = twiml_of(follow(flow.account, action_of(root, "Redirect")))
    say = nxt.find("Say")
    assert (say.text, say.get("voice"), say.get("language")) == ("Goodbye", "Polly.Mia", "en-GB")
    assert step_names(Execution.objects.get())[-1] == "menu-timeout->bye"


def test_it_refuses_unsigned_and_badly_signed_callbacks(flow_factory: Any) -> None:
    flow = flow_factory(menu())
    root = twiml_of(ring(flow))
    url = action_of(root, "Gather")
    path_qs = url.split("127.0.0.1:8000", 1)[-1] if "127.0.0.1:8000" in url else url
    assert Client().post(path_qs, {"Digits": "1"}).status_code == 401
    assert Client().post(path_qs, {"Digits": "1"}, HTTP_X_TWILIO_SIGNATURE="nope").status_code == 403
    assert Client().post(webhook_path(flow), call_params()).status_code == 401
    assert Execution.objects.get().current_widget == "menu"


def test_it_ignores_a_stale_callback_of_an_earlier_step(flow_factory: Any) -> None:
    flow = flow_factory(menu())
    root = twiml_of(ring(flow))
    action = action_of(root, "Gather")
    follow(flow.account, action, Digits="2")
    again = follow(flow.account, action, Digits="1")
    assert again.content.decode().endswith("<Response/>")
    assert step_names(Execution.objects.get())[-1] == "check-noMatch->bye"


def test_it_ends_the_execution_with_81002_when_the_caller_hangs_up_in_a_widget_without_hangup(
    flow_factory: Any,
) -> None:
    flow = flow_factory(menu())
    params = call_params()
    ring(flow, params)
    response = hang_up(flow, params)
    assert response.content.decode().endswith("<Response/>")
    ex = Execution.objects.get()
    assert ex.status == "ended"
    assert any(entry.get("code") == 81002 for entry in ex.log)


def test_it_gives_each_call_its_own_execution_when_concurrent_calls_are_allowed(flow_factory: Any) -> None:
    flow = flow_factory(menu(concurrent=True))
    ring(flow)
    ring(flow)
    assert Execution.objects.filter(status="active").count() == 2


def test_it_collides_a_second_call_with_the_active_execution_when_concurrency_is_off(
    flow_factory: Any,
) -> None:
    flow = flow_factory(menu(concurrent=False))
    twiml_of(ring(flow))
    second = ring(flow)
    assert second.content.decode().endswith("<Response/>")
    ex = Execution.objects.get()
    assert ex.session_key == "" and ex.current_widget == "menu"
    assert any(entry.get("code") == 81002 for entry in ex.log)


def test_it_answers_an_empty_response_when_the_flow_has_no_voice_widget(flow_factory: Any) -> None:
    flow = flow_factory(definition(trigger=[on("incomingCall")]))
    response = ring(flow)
    assert response.content.decode().endswith("<Response/>")
    assert Execution.objects.get().status == "ended"


def test_it_signs_against_the_public_url_like_twilio(flow_factory: Any, alice: Any) -> None:
    flow = flow_factory(menu())
    params = call_params()
    bad = Client().post(
        webhook_path(flow), params, HTTP_X_TWILIO_SIGNATURE=sign(alice, webhook_path(flow) + "x", params)
    )
    assert bad.status_code == 403
    assert post_signed(webhook_path(flow), alice, params).status_code == 200
