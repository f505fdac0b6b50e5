"""TwiML Redirect (spec §2.20) in a messaging execution: fetch, send, return/timeout/fail."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from twilio.request_validator import RequestValidator

from executions.models import Execution, Wait
from scenarios.stubs import Stub
from tests.executions.factories import definition, on, state
from tests.executions.support import bodies, send_sms, step_names, webhook_path

pytestmark = pytest.mark.django_db(transaction=True)

ME, US = "+15551230000", "+15550001111"


def mark(name: str) -> dict[str, Any]:
    return state(name, "set-variables", [on("next")], variables=[{"key": "took", "value": name}])


def redirect_flow(url: str, **props: Any) -> dict[str, Any]:
    return definition(
        state(
            "redirect",
            "add-twiml-redirect",
            [on("return", "return"), on("timeout", "timeout"), on("fail", "fail")],
            url=url,
            **props,
        ),
        mark("return"),
        mark("timeout"),
        mark("fail"),
        trigger=[on("incomingMessage", "redirect")],
    )


def start(flow_factory: Any, url: str, **props: Any) -> tuple[Any, Execution]:
    flow = flow_factory(redirect_flow(url, **props))
    send_sms(Client(), flow, ME, US, "hi")
    return flow, Execution.objects.get(flow=flow)


def took(ex: Execution) -> Any:
    return ex.context["flow"]["variables"].get("took")


def return_url(flow: Any, query: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{webhook_path(flow)}?FlowEvent=return&{query}"


def twiml(*verbs: str) -> str:
    return "<Response>" + "".join(verbs) + "</Response>"


def xml_route(stub: Stub, path: str, document: str, **kw: Any) -> None:
    stub.route(path, body=document, content_type="text/xml", **kw)


def test_it_sends_the_messages_and_returns_with_the_query_parameters(
    flow_factory: Any, stub: Stub, allow_local: None
) -> None:
    flow = flow_factory(redirect_flow(stub.url("/doc")))
    back = return_url(flow, "answer=42&who=ext").replace("&", "&amp;")
    xml_route(
        stub,
        "/doc",
        twiml("<Message>One</Message>", "<Message>Two</Message>", f"<Redirect>{back}</Redirect>"),
    )
    send_sms(Client(), flow, ME, US, "hi")
    ex = Execution.objects.get(flow=flow)
    assert took(ex) == "return"
    assert ex.context["widgets"]["redirect"] == {"answer": "42", "who": "ext"}
    assert bodies() == ["One", "Two"]
    assert step_names(ex)[1] == "redirect-return->return"


def test_it_replies_to_the_sender_from_the_flow_number(
    flow_factory: Any, stub: Stub, allow_local: None
) -> None:
    from executions.models import Message

    xml_route(stub, "/doc", twiml("<Message>Hello</Message>"))
    start(flow_factory, stub.url("/doc"))
    message = Message.objects.exclude(direction="inbound").get()
    assert (message.to_address, message.from_address) == (ME, US)


def test_it_requests_the_url_with_the_message_parameters_signed(
    flow_factory: Any, stub: Stub, allow_local: None
) -> None:
    xml_route(stub, "/doc", twiml())
    flow, _ = start(flow_factory, stub.url("/doc"))
    req = stub.requests[0]
    assert req.method == "POST"
    assert (req.form["Body"], req.form["From"], req.form["To"]) == ("hi", ME, US)
    validator = RequestValidator(flow.account.auth_token)
    assert validator.validate(stub.url("/doc"), req.form, req.headers["x-twilio-signature"])


def test_it_uses_get_when_configured(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    xml_route(stub, "/doc", twiml())
    start(flow_factory, stub.url("/doc"), method="GET")
    assert stub.requests[0].method == "GET"
    assert stub.requests[0].query["Body"] == "hi"


def test_it_waits_for_a_later_return(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    xml_route(stub, "/doc", twiml("<Message>Over to the app</Message>"))
    flow, ex = start(flow_factory, stub.url("/doc"), timeout="600")
    assert (ex.status, ex.current_widget) == ("active", "redirect")
    wait = Wait.objects.get(execution=ex)
    assert 590 < (wait.fire_at - ex.date_created).total_seconds() < 610
    query = "FlowEvent=return&status=done"
    params = {"From": ME, "To": US, "MessageSid": "SM" + "9" * 32}
    url = f"{settings.PUBLIC_BASE_URL}{webhook_path(flow)}?{query}"
    signature = RequestValidator(flow.account.auth_token).compute_signature(url, params)
    Client().post(f"{webhook_path(flow)}?{query}", params, HTTP_X_TWILIO_SIGNATURE=signature)
    ex.refresh_from_db()
    assert took(ex) == "return"
    assert ex.context["widgets"]["redirect"]["status"] == "done"


def test_it_takes_timeout_when_control_never_returns(
    flow_factory: Any, stub: Stub, allow_local: None
) -> None:
    from executions.engine.timers import sweep

    xml_route(stub, "/doc", twiml())
    _, ex = start(flow_factory, stub.url("/doc"))
    Wait.objects.update(fire_at=ex.date_created)
    assert sweep() == 1
    ex.refresh_from_db()
    assert took(ex) == "timeout"


def test_it_takes_timeout_at_once_when_told_not_to_wait(
    flow_factory: Any, stub: Stub, allow_local: None
) -> None:
    xml_route(stub, "/doc", twiml("<Message>Bye</Message>"))
    _, ex = start(flow_factory, stub.url("/doc"), timeout="0")
    assert took(ex) == "timeout"
    assert bodies() == ["Bye"]


def test_it_follows_redirects_to_other_documents(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    xml_route(stub, "/one", twiml("<Message>First</Message>", "<Redirect>/two</Redirect>"))
    xml_route(stub, "/two", twiml("<Message>Second</Message>"))
    start(flow_factory, stub.url("/one"))
    assert bodies() == ["First", "Second"]
    assert [r.path for r in stub.requests] == ["/one", "/two"]


def test_it_does_not_fail_on_an_http_error_status(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    stub.route("/doc", status=500, body="oops")
    _, ex = start(flow_factory, stub.url("/doc"))
    assert (ex.status, ex.current_widget) == ("active", "redirect")
    assert bodies() == []


def test_it_takes_fail_when_the_url_is_invalid(flow_factory: Any) -> None:
    _, ex = start(flow_factory, "not-a-url")
    assert took(ex) == "fail"


def test_it_takes_fail_when_the_address_is_blocked(flow_factory: Any, stub: Stub) -> None:
    xml_route(stub, "/doc", twiml("<Message>x</Message>"))
    _, ex = start(flow_factory, stub.url("/doc"))
    assert took(ex) == "fail"
    assert stub.requests == []
    assert any("not allowed" in e["message"] for e in ex.log)


def test_it_takes_fail_on_invalid_twiml(flow_factory: Any, stub: Stub, allow_local: None) -> None:
    xml_route(stub, "/doc", "<Response><Message>unclosed</Response>")
    _, ex = start(flow_factory, stub.url("/doc"))
    assert took(ex) == "fail"
    assert bodies() == []


def test_it_ignores_inbound_messages_while_the_app_has_control(
    flow_factory: Any, stub: Stub, allow_local: None
) -> None:
    xml_route(stub, "/doc", twiml())
    flow, ex = start(flow_factory, stub.url("/doc"))
    send_sms(Client(), flow, ME, US, "still there?")
    ex.refresh_from_db()
    assert (ex.status, ex.current_widget) == ("active", "redirect")
    assert any(e["code"] == 81002 for e in ex.log)
