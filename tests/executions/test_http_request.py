"""Make HTTP Request (spec §2.18): methods, content types, auth, outputs and both events."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from executions.models import Execution
from scenarios.stubs import Recorded, Stub
from tests.executions.factories import definition, on, state
from tests.executions.support import start_rest, step_names

pytestmark = pytest.mark.django_db(transaction=True)

FORM = "application/x-www-form-urlencoded;charset=utf-8"
JSON = "application/json;charset=utf-8"


def http_flow(**props: Any) -> dict[str, Any]:
    props.setdefault("method", "GET")
    props.setdefault("content_type", FORM)
    return definition(
        state("http", "make-http-request", [on("success"), on("failed")], **props),
        trigger=[on("incomingRequest", "http")],
    )


def run(flow_factory: Any, data: dict[str, Any] | None = None, **props: Any) -> Execution:
    return start_rest(flow_factory(http_flow(**props)), data=data)


def outputs(ex: Execution) -> dict[str, Any]:
    return dict(ex.context["widgets"]["http"])


def test_it_takes_success_on_2xx_and_stores_the_outputs(
    flow_factory: Any, stub: Stub, allow_local: None
) -> None:
    stub.route("/hello", body="hi there", content_type="text/plain; charset=utf-8")
    ex = run(flow_factory, url=stub.url("/hello"))
    assert step_names(ex) == ["Trigger-incomingRequest->http", "http-success->Ended"]
    assert outputs(ex) == {
        "status_code": 200,
        "content_type": "text/plain; charset=utf-8",
        "body": "hi there",
    }


def test_it_sends_get_parameters_in_the_query_string(
    flow_factory: Any, stub: Stub, allow_local: None
) -> None:
    stub.route("/q")
    params = [{"key": "name", "value": "{{flow.data.name}}"}, {"key": "n", "value": "1"}]
    run(flow_factory, {"name": "Zeke"}, url=stub.url("/q?x=y"), parameters=params)
    req = stub.requests[0]
    assert (req.method, req.query, req.body) == ("GET", {"x": "y", "name": "Zeke", "n": "1"}, b"")


def test_it_posts_parameters_form_encoded(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/f")
    params = [{"key": "a", "value": "1"}, {"key": "to", "value": "{{flow.data.to}}"}]
    run(flow_factory, {"to": "+1555"}, method="POST", url=stub.url("/f"), parameters=params)
    req = stub.requests[0]
    assert req.method == "POST"
    assert req.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert req.form == {"a": "1", "to": "+1555"}


def test_it_posts_the_liquid_rendered_json_body(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/j")
    body = '{"name": "{{flow.data.name}}", "n": 2}'
    run(flow_factory, {"name": "Zeke"}, method="POST", content_type=JSON, url=stub.url("/j"), body=body)
    req = stub.requests[0]
    assert req.headers["content-type"] == JSON
    assert req.json == {"name": "Zeke", "n": 2}


def test_it_sends_basic_auth_from_the_url_userinfo(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/a")
    run(flow_factory, url=f"http://user%40x:p%3Ass@127.0.0.1:{stub.port}/a")
    expected = "Basic " + base64.b64encode(b"user@x:p:ss").decode()
    assert stub.requests[0].headers["authorization"] == expected


def test_it_parses_a_json_object_reply(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/o", body={"person": {"name": "Ada"}, "ok": True})
    ex = run(flow_factory, url=stub.url("/o"))
    assert outputs(ex)["parsed"] == {"person": {"name": "Ada"}, "ok": True}
    assert outputs(ex)["content_type"] == "application/json"


def test_it_does_not_parse_a_top_level_array(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/arr", body=[1, 2, 3])
    ex = run(flow_factory, url=stub.url("/arr"))
    assert "parsed" not in outputs(ex)
    assert outputs(ex)["body"] == "[1, 2, 3]"


def test_it_does_not_parse_json_served_as_text(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/t", body='{"a": 1}', content_type="text/plain")
    assert "parsed" not in outputs(run(flow_factory, url=stub.url("/t")))


def test_it_takes_failed_on_4xx_with_the_outputs(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/missing", status=404, body={"error": "nope"})
    ex = run(flow_factory, url=stub.url("/missing"))
    assert step_names(ex)[-1] == "http-failed->Ended"
    assert outputs(ex)["status_code"] == 404
    assert outputs(ex)["parsed"] == {"error": "nope"}
    assert any(e["code"] == 81016 for e in ex.log)


def test_it_takes_failed_on_5xx(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/boom", status=503, body="down")
    ex = run(flow_factory, url=stub.url("/boom"))
    assert step_names(ex)[-1] == "http-failed->Ended"
    assert outputs(ex)["status_code"] == 503


def test_it_follows_redirects(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/old", status=302, headers={"Location": "/new"})
    stub.route("/new", body={"moved": True})
    ex = run(flow_factory, url=stub.url("/old"))
    assert step_names(ex)[-1] == "http-success->Ended"
    assert outputs(ex)["parsed"] == {"moved": True}


def test_it_takes_failed_on_timeout_storing_nothing(
    flow_factory: Any, stub: Stub, allow_local: None, settings: Any
) -> None:
    settings.STUDIO = {**settings.STUDIO, "HTTP_TIMEOUT_SECONDS": 0.3}
    stub.route("/slow", body="late", delay=1.0)
    ex = run(flow_factory, url=stub.url("/slow"))
    assert step_names(ex)[-1] == "http-failed->Ended"
    assert outputs(ex) == {}
    assert any("timed out" in e["message"] for e in ex.log)


def test_it_takes_failed_when_the_body_exceeds_the_cap(
    flow_factory: Any, stub: Stub, allow_local: None, settings: Any
) -> None:
    settings.STUDIO = {**settings.STUDIO, "HTTP_MAX_BODY_BYTES": 100}
    stub.route("/big", body="x" * 101)
    ex = run(flow_factory, url=stub.url("/big"))
    assert step_names(ex)[-1] == "http-failed->Ended"
    assert outputs(ex) == {}


def test_it_accepts_a_body_of_exactly_the_cap(
    flow_factory: Any, stub: Stub, allow_local: None, settings: Any
) -> None:
    settings.STUDIO = {**settings.STUDIO, "HTTP_MAX_BODY_BYTES": 100}
    stub.route("/edge", body="x" * 100)
    assert step_names(run(flow_factory, url=stub.url("/edge")))[-1] == "http-success->Ended"


def test_it_takes_failed_when_the_connection_is_refused(flow_factory: Any, allow_local: None) -> None:
    ex = run(flow_factory, url="http://127.0.0.1:1/nothing")
    assert step_names(ex)[-1] == "http-failed->Ended"
    assert outputs(ex) == {}


def test_it_takes_failed_for_an_invalid_url(flow_factory: Any) -> None:
    ex = run(flow_factory, url="not a url{{flow.data.x}}")
    assert step_names(ex)[-1] == "http-failed->Ended"
    assert any(e["code"] == 81014 for e in ex.log)


def test_it_refuses_a_reserved_parameter_name(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    ex = run(flow_factory, url=stub.url("/r"), parameters=[{"key": "method", "value": "x"}])
    assert step_names(ex)[-1] == "http-failed->Ended"
    assert stub.requests == []


def test_it_refuses_twilio_auth_for_a_non_twilio_url(
    flow_factory: Any, stub: Stub, allow_local: None
) -> None:
    ex = run(flow_factory, url=stub.url("/x"), add_twilio_auth=True)
    assert step_names(ex)[-1] == "http-failed->Ended"
    assert stub.requests == []


def test_it_takes_failed_when_the_url_liquid_fails(flow_factory: Any) -> None:
    ex = run(flow_factory, url="http://x/{{ flow.data.x | nosuchfilter }}")
    assert step_names(ex)[-1] == "http-failed->Ended"
    assert any(e["code"] == 81018 for e in ex.log)


def test_it_exposes_parsed_values_to_later_widgets(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/p", body={"items": [{"id": 7}]})
    flow = definition(
        state(
            "http",
            "make-http-request",
            [on("success", "set")],
            method="GET",
            content_type=FORM,
            url=stub.url("/p"),
        ),
        state(
            "set",
            "set-variables",
            [on("next")],
            variables=[{"key": "id", "value": "{{widgets.http.parsed.items[0].id}}"}],
        ),
        trigger=[on("incomingRequest", "http")],
    )
    ex = start_rest(flow_factory(flow))
    assert str(ex.context["flow"]["variables"]["id"]) == "7"


def _echo(req: Recorded) -> tuple[int, dict[str, str], str]:
    return 200, {"Content-Type": "text/plain"}, req.headers.get("host", "")


def test_it_sends_the_url_host_header(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/h", handler=_echo)
    assert outputs(run(flow_factory, url=stub.url("/h")))["body"] == f"127.0.0.1:{stub.port}"
