"""Run Function (spec §2.19, serverless-flex §4): the request Studio makes, outputs, events."""

from __future__ import annotations

from typing import Any

import pytest

from executions.models import Execution
from scenarios.stubs import Stub
from tests.executions.factories import definition, on, state
from tests.executions.support import start_rest, step_names

pytestmark = pytest.mark.django_db(transaction=True)


def fn_flow(url: str, parameters: list[dict[str, str]] | None = None, loops: int = 0) -> dict[str, Any]:
    """``fn`` runs, then (when ``loops``) runs again via a split on a counter."""
    props = {"url": url, "service_sid": "ZS" + "0" * 32, "parameters": parameters or []}
    if not loops:
        return definition(state("fn", "run-function", [on("success"), on("fail")], **props),
                          trigger=[on("incomingRequest", "fn")])  # fmt: skip
    count = state("count", "set-variables", [on("next", "again")],
                  variables=[{"key": "n", "value": "{{flow.variables.n | plus: 1}}"}])  # fmt: skip
    again = state(
        "again",
        "split-based-on",
        [on("noMatch"), on("match", "fn", conditions=[
            {"friendly_name": "more", "arguments": ["{{flow.variables.n}}"], "type": "less_than", "value": str(loops + 1)}
        ])],
        input="{{flow.variables.n}}",
    )  # fmt: skip
    return definition(
        state("fn", "run-function", [on("success", "count"), on("fail", "count")], **props),
        count,
        again,
        trigger=[on("incomingRequest", "fn")],
    )


def outputs(ex: Execution) -> dict[str, Any]:
    return dict(ex.context["widgets"]["fn"])


def test_it_posts_the_parameters_form_encoded(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/f", body={"ok": True})
    params = [{"key": "From", "value": "{{flow.data.from}}"}, {"key": "n", "value": "2"}]
    start_rest(flow_factory(fn_flow(stub.url("/f"), params)), data={"from": "+1555"})
    req = stub.requests[0]
    assert req.method == "POST"
    assert req.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert req.form == {"From": "+1555", "n": "2"}


def test_it_signs_the_request_with_the_account_auth_token(
    flow_factory: Any, stub: Stub, allow_local: None, alice: Any
) -> None:
    from twilio.request_validator import RequestValidator

    stub.route("/f")
    url = stub.url("/f?x=1")
    start_rest(flow_factory(fn_flow(url, [{"key": "a", "value": "b"}])))
    req = stub.requests[0]
    assert RequestValidator(alice.auth_token).validate(url, req.form, req.headers["x-twilio-signature"])


def test_it_takes_success_and_stores_the_outputs(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/f", body={"a": 1}, headers={"X-Twilio-Function-Concurrency": "3"})
    ex = start_rest(flow_factory(fn_flow(stub.url("/f"))))
    assert step_names(ex)[-1] == "fn-success->Ended"
    assert outputs(ex) == {
        "status_code": 200,
        "content_type": "application/json",
        "body": '{"a": 1}',
        "parsed": {"a": 1},
        "headers": {"x-twilio-function-concurrency": "3"},
    }


def test_it_takes_success_on_204(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/f", status=204, body="")
    ex = start_rest(flow_factory(fn_flow(stub.url("/f"))))
    assert step_names(ex)[-1] == "fn-success->Ended"
    assert outputs(ex)["status_code"] == 204


def test_it_takes_success_on_a_3xx_it_cannot_follow(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/f", status=304, body="")
    assert step_names(start_rest(flow_factory(fn_flow(stub.url("/f")))))[-1] == "fn-success->Ended"


def test_it_takes_fail_on_5xx(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/f", status=500, body="runtime error")
    ex = start_rest(flow_factory(fn_flow(stub.url("/f"))))
    assert step_names(ex)[-1] == "fn-fail->Ended"
    assert outputs(ex)["status_code"] == 500
    assert any(e["code"] == 81010 for e in ex.log)


def test_it_takes_fail_on_timeout(flow_factory: Any, stub: Stub, allow_local: None, settings: Any) -> None:
    settings.STUDIO = {**settings.STUDIO, "HTTP_TIMEOUT_SECONDS": 0.3}
    stub.route("/f", body="late", delay=1.0)
    ex = start_rest(flow_factory(fn_flow(stub.url("/f"))))
    assert step_names(ex)[-1] == "fn-fail->Ended"
    assert any("timed out" in e["message"] for e in ex.log)


def test_it_takes_fail_when_the_address_is_blocked(flow_factory: Any, stub: Stub) -> None:
    stub.route("/f")
    ex = start_rest(flow_factory(fn_flow(stub.url("/f"))))
    assert step_names(ex)[-1] == "fn-fail->Ended"
    assert stub.requests == []
    assert any("not allowed" in e["message"] for e in ex.log)


def _sequence(replies: list[tuple[str, str]]) -> Any:
    def handler(_req: Any) -> tuple[int, dict[str, str], str]:
        content_type, body = replies.pop(0)
        return 200, {"Content-Type": content_type}, body

    return handler


def test_it_merges_parsed_across_runs(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route(
        "/f", handler=_sequence([("application/json", '{"a": 1, "b": 1}'), ("application/json", '{"b": 2}')])
    )
    ex = start_rest(flow_factory(fn_flow(stub.url("/f"), loops=1)))
    assert len(stub.requests) == 2
    assert outputs(ex)["parsed"] == {"a": 1, "b": 2}


def test_it_keeps_parsed_when_a_rerun_is_not_json(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/f", handler=_sequence([("application/json", '{"a": 1}'), ("text/plain", "hello")]))
    ex = start_rest(flow_factory(fn_flow(stub.url("/f"), loops=1)))
    assert outputs(ex)["parsed"] == {"a": 1}
    assert outputs(ex)["body"] == "hello"


def test_it_does_not_parse_a_json_array(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/f", body=[1, 2])
    assert "parsed" not in outputs(start_rest(flow_factory(fn_flow(stub.url("/f")))))


def test_it_computes_twilio_signatures_like_the_sdk() -> None:
    from twilio.request_validator import RequestValidator

    from accounts.signing import twilio_signature

    params = [("b", "2"), ("a", "1")]
    url = "https://example.twil.io/fn?x=1"
    expected = RequestValidator("token").compute_signature(url, dict(params))
    assert twilio_signature("token", url, params) == expected
