"""Malformed input answers 400 in Twilio's error shape, never a 500 or a debug page.

Deeply nested JSON (in a JSON body, a Definition or Parameters), integers out of any range
(Page, a diff's revision, a call's Timeout), dates out of range and a lone surrogate in a JSON
body all meet the shared guards in ``accounts.input_guards``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.executions.factories import definition, make_flow, on, state
from tests.studio.console import csrf, post

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000  # beyond Python's recursion limit
NESTED = "[" * 500 + "]" * 500  # parses, but deeper than any flow needs


def nested_object(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def assert_twilio_400(response: Any, code: int = 20001) -> dict[str, Any]:
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert set(body) >= {"code", "message", "more_info", "status"}
    assert (body["code"], body["status"]) == (code, 400)
    return body


def a_flow(account: Any) -> Any:
    return make_flow(
        account,
        definition(state("v", "set-variables", [on("next")]), trigger=[on("incomingRequest", "v")]),
    )


@pytest.mark.parametrize("raw", [DEEP, NESTED], ids=["recursion", "depth"])
def test_it_refuses_deeply_nested_json_in_a_console_body(console: Any, raw: str) -> None:
    response = console.post(
        "/api/console/flows",
        data='{"friendly_name": "x", "definition": ' + raw + "}",
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf(console),
    )
    assert_twilio_400(response)


@pytest.mark.parametrize("raw", [DEEP, NESTED], ids=["recursion", "depth"])
def test_it_refuses_a_deeply_nested_definition(api: Any, raw: str) -> None:
    response = api.post("/v2/Flows", {"FriendlyName": "x", "Status": "draft", "Definition": raw})
    assert_twilio_400(response)


def test_it_refuses_a_deeply_nested_definition_in_a_json_body(api: Any) -> None:
    body = {"FriendlyName": "x", "Status": "draft", "Definition": nested_object(300)}
    response = api.post("/v2/Flows", json.dumps(body), content_type="application/json")
    assert_twilio_400(response)


@pytest.mark.parametrize("raw", [DEEP, json.dumps(nested_object(500))], ids=["recursion", "depth"])
def test_it_refuses_deeply_nested_parameters(api: Any, alice: Any, raw: str) -> None:
    flow = a_flow(alice)
    response = api.post(
        f"/v2/Flows/{flow.sid}/Executions", {"To": "+1555", "From": "+1666", "Parameters": raw}
    )
    assert_twilio_400(response)


def test_it_refuses_a_lone_surrogate_in_a_json_body(console: Any) -> None:
    response = console.post(
        "/api/console/flows",
        data='{"friendly_name": "bad \\ud800 name"}',
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf(console),
    )
    assert_twilio_400(response)


def test_it_refuses_a_lone_surrogate_in_parameters(api: Any, alice: Any) -> None:
    flow = a_flow(alice)
    response = api.post(
        f"/v2/Flows/{flow.sid}/Executions", {"To": "+1555", "From": "+1666", "Parameters": '{"x": "\\udfff"}'}
    )
    assert_twilio_400(response)


@pytest.mark.parametrize("param", ["Page", "PageSize"])
def test_it_refuses_a_page_beyond_any_range_on_the_2010_api(api: Any, alice: Any, param: str) -> None:
    response = api.get(f"/2010-04-01/Accounts/{alice.sid}/Calls.json", {param: str(10**30)})
    assert_twilio_400(response)


def test_it_still_caps_a_large_page_size_at_1000(api: Any, alice: Any) -> None:
    response = api.get(f"/2010-04-01/Accounts/{alice.sid}/Calls.json", {"PageSize": "5000"})
    assert (response.status_code, response.json()["page_size"]) == (200, 1000)


@pytest.mark.parametrize("param", ["Page", "PageSize"])
def test_it_refuses_a_page_beyond_any_range_on_the_v2_api(api: Any, alice: Any, param: str) -> None:
    flow = a_flow(alice)
    response = api.get(f"/v2/Flows/{flow.sid}/Executions", {param: str(10**30)})
    assert_twilio_400(response)


def test_it_refuses_a_diff_to_a_revision_beyond_any_range(console: Any, alice: Any) -> None:
    flow = a_flow(alice)
    response = console.get(f"/api/console/flows/{flow.sid}/diff", {"to": str(10**25)})
    assert_twilio_400(response)
    response = console.get(f"/api/console/flows/{flow.sid}/diff", {"to": "1", "from": str(-(10**25))})
    assert_twilio_400(response)


def test_it_refuses_a_call_timeout_beyond_any_range(api: Any, alice: Any) -> None:
    response = api.post(
        f"/2010-04-01/Accounts/{alice.sid}/Calls.json",
        {"To": "+15551230000", "From": "+15550001111", "Twiml": "<Response/>", "Timeout": str(10**30)},
    )
    assert_twilio_400(response)


@pytest.mark.parametrize("value", ["99999-01-01", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_it_refuses_dates_out_of_range_on_executions(api: Any, alice: Any, value: str) -> None:
    flow = a_flow(alice)
    for name in ("DateCreatedFrom", "DateCreatedTo"):
        assert_twilio_400(api.get(f"/v2/Flows/{flow.sid}/Executions", {name: value}))


@pytest.mark.parametrize("value", ["99999-01-01", "0000-01-01"])
def test_it_refuses_dates_out_of_range_on_messages(api: Any, alice: Any, value: str) -> None:
    response = api.get(f"/2010-04-01/Accounts/{alice.sid}/Messages.json", {"DateSent>": value})
    assert_twilio_400(response)


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-14:00", "99999-01-01T00:00:00Z"])
def test_it_refuses_a_console_since_out_of_range(console: Any, alice: Any, value: str) -> None:
    flow = a_flow(alice)
    response = console.get(
        f"/api/console/flows/{flow.sid}/simulate/conversation", {"contact": "+1555", "since": value}
    )
    assert_twilio_400(response)


def test_it_still_accepts_ordinary_nesting(console: Any) -> None:
    response = post(
        console, "/api/console/flows", {"friendly_name": "fine", "description": nested_object(20)}
    )
    assert response.status_code in (200, 201), response.content[:300]


@pytest.mark.parametrize("text", [DEEP, NESTED, '{"x": "\\ud800"}'], ids=["recursion", "depth", "surrogate"])
def test_it_keeps_unsafe_json_from_a_web_response_as_text(text: str) -> None:
    from studio.widgets.runtime import HttpResponse, json_object

    assert json_object(HttpResponse(200, "application/json", text)) is None


def test_it_keeps_unsafe_json_in_a_webhook_field_as_text() -> None:
    from executions.engine.context import _JSON_PARAMS, trigger_payload

    key = sorted(_JSON_PARAMS)[0]
    assert trigger_payload({key: DEEP})[key] == DEEP


@pytest.mark.django_db(transaction=True)
def test_it_caps_an_outgoing_call_timeout_rendered_from_stranger_data(alice: Any) -> None:
    from executions.models import Call
    from tests.executions.support import start_rest

    flow = make_flow(
        alice,
        definition(
            state(
                "dial",
                "make-outgoing-call-v2",
                [on("answered"), on("busy"), on("noAnswer"), on("failed")],
                to="+15551230000",
                **{"from": "+15550001111", "timeout": "{{flow.data.t}}"},
            ),
            trigger=[on("incomingRequest", "dial")],
        ),
    )
    start_rest(flow, data={"t": str(10**30)})
    assert Call.objects.get().timeout == 600


@pytest.mark.parametrize("seconds", [str(10**30), "1e308", "inf", "nan"])
def test_it_bounds_a_wait_rendered_from_stranger_data(alice: Any, seconds: str) -> None:
    from executions.models import Execution, Wait
    from tests.executions.support import start_rest

    flow = make_flow(
        alice,
        definition(
            state(
                "ask",
                "send-and-wait-for-reply",
                [on("incomingMessage"), on("timeout"), on("deliveryFailure")],
                body="Hi",
                timeout="{{flow.data.t}}",
            ),
            trigger=[on("incomingRequest", "ask")],
        ),
    )
    ex = start_rest(flow, data={"t": seconds})
    assert Execution.objects.get(pk=ex.pk).status == "active"
    wait = Wait.objects.get(execution=ex)
    assert wait.fire_at.year < 9999


def test_it_answers_a_revision_number_beyond_any_range(api: Any, console: Any, alice: Any) -> None:
    flow = a_flow(alice)
    huge = str(10**25)
    response = api.get(f"/v2/Flows/{flow.sid}/Revisions/{huge}")
    assert response.status_code in (400, 404) and response.json()["status"] == response.status_code
    response = console.get(f"/api/console/flows/{flow.sid}/revisions/{huge}")
    assert response.status_code in (400, 404) and response.json()["status"] == response.status_code
