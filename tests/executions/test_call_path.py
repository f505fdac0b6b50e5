"""A call's turns answered without Django's request cycle (``executions.inbound.call_path``), with
the answers, headers and rows Django's own handler gives; whatever it does not answer reaches
Django with its body, and gets Django's answer."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.db import connections

from executions.engine import store
from executions.inbound import call_path
from executions.inbound.call_path import CallPath
from executions.models import Execution, Step
from tests.executions.support import sign, webhook_path
from tests.executions.test_voice_turn_cost import ivr
from tests.executions.voice_support import call_params

pytestmark = pytest.mark.django_db(transaction=True)

FORM = "application/x-www-form-urlencoded"


class Seen:
    """The app behind the call path: Django, noting each request that reached it."""

    def __init__(self) -> None:
        self.django = get_asgi_application()
        self.paths: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.paths.append(scope["path"])
        await self.django(scope, receive, send)


def _post(app: Any, path_qs: str, body: str, signature: str, **headers: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.post(
                path_qs,
                content=body,
                headers={"Content-Type": FORM, "X-Twilio-Signature": signature, **headers},
            )

    return async_to_sync(go)()


def _signed(app: Any, account: Any, url_or_path: str, params: dict[str, str]) -> httpx.Response:
    parts = urlsplit(url_or_path)
    path_qs = parts.path + (f"?{parts.query}" if parts.query else "")
    return _post(app, path_qs, urlencode(params), sign(account, path_qs, params))


def _next_url(text: str) -> str:
    found = re.search(r'<Gather[^>]* action="([^"]+)"', text) or re.search(r"<Redirect[^>]*>([^<]+)<", text)
    assert found, text
    return html.unescape(found.group(1))


def _without_sids(text: str) -> str:
    return re.sub(r"(FN|CA)[0-9a-f]{32}", "SID", text)


def _play(app: Any, flow: Any, params: dict[str, str]) -> list[httpx.Response]:
    """A whole call: incoming, a digit, two redirects after Says, the completed callback."""
    live = {**params, "CallStatus": "in-progress"}
    answers = [_signed(app, flow.account, webhook_path(flow), params)]
    answers.append(_signed(app, flow.account, _next_url(answers[-1].text), {**live, "Digits": "1"}))
    answers.append(_signed(app, flow.account, _next_url(answers[-1].text), live))
    answers.append(_signed(app, flow.account, _next_url(answers[-1].text), live))
    answers.append(_signed(app, flow.account, webhook_path(flow), {**params, "CallStatus": "completed"}))
    return answers


def test_it_plays_a_whole_call_as_django_does_without_reaching_django(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    plain = _play(get_asgi_application(), flow, call_params())
    seen = Seen()
    fast = _play(CallPath(seen), flow, call_params())
    assert seen.paths == []  # every turn answered here
    for ours, theirs in zip(fast, plain, strict=True):
        assert ours.status_code == theirs.status_code == 200
        assert _without_sids(ours.text) == _without_sids(theirs.text)
        assert dict(ours.headers) == dict(theirs.headers)
    first, second = Execution.objects.filter(flow=flow).order_by("id")
    assert first.status == second.status == "ended"
    for execution in (first, second):
        assert list(
            Step.objects.filter(execution=execution).order_by("id").values_list("name", flat=True)
        ) == [
            "incomingCall",
            "keypress",
            "match",
            "audioComplete",
            "audioComplete",
        ]


def test_it_runs_a_retried_incoming_call_and_turn_once(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    app = CallPath(Seen())
    params = call_params()
    first = _signed(app, flow.account, webhook_path(flow), params)
    again = _signed(app, flow.account, webhook_path(flow), params)  # Twilio retried
    assert "<Gather" in first.text
    assert again.text.endswith("<Response/>")
    live = {**params, "CallStatus": "in-progress", "Digits": "1"}
    said = _signed(app, flow.account, _next_url(first.text), live)
    said_again = _signed(app, flow.account, _next_url(first.text), live)
    assert "<Say" in said.text
    assert said_again.text.endswith("<Response/>")  # a stale Seq: already played
    execution = Execution.objects.get(flow=flow)
    assert list(Step.objects.filter(execution=execution).values_list("name", flat=True)) == [
        "incomingCall",
        "keypress",
        "match",
    ]
    assert any(entry.get("code") == 81002 for entry in execution.log)


@pytest.mark.parametrize(
    ("signature", "status", "code"),
    [("", 401, 20003), ("bad", 403, 20403)],
)
def test_it_leaves_a_missing_or_wrong_signature_to_django(
    flow_factory: Any, signature: str, status: int, code: int
) -> None:
    flow = flow_factory(ivr())
    seen = Seen()
    path = webhook_path(flow)
    response = _post(CallPath(seen), path, urlencode(call_params()), signature)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert seen.paths == [path]
    assert not Execution.objects.exists()


def test_it_leaves_unknown_flows_and_executions_to_django(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    seen = Seen()
    app = CallPath(seen)
    unknown_flow = f"/v1/Accounts/{flow.account.sid}/Flows/FW{'0' * 32}"
    assert _signed(app, flow.account, unknown_flow, call_params()).status_code == 404
    unknown_execution = f"{webhook_path(flow)}/Executions/FN{'0' * 32}/Callback"
    assert _signed(app, flow.account, unknown_execution, call_params()).status_code == 404
    assert seen.paths == [unknown_flow, unknown_execution]


def test_it_leaves_an_inactive_account_to_django(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    flow.account.status = "suspended"
    flow.account.save()
    seen = Seen()
    response = _signed(CallPath(seen), flow.account, webhook_path(flow), call_params())
    assert response.status_code == 404
    assert seen.paths == [webhook_path(flow)]


def test_it_leaves_messages_flow_events_repeats_and_cookies_to_django(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    path = webhook_path(flow)
    seen = Seen()
    app = CallPath(seen)
    message = {**call_params(), "MessageSid": "SM" + "1" * 32, "Body": "hi"}
    assert _signed(app, flow.account, path, message).status_code == 200
    assert _signed(app, flow.account, path + "?FlowEvent=return", call_params()).status_code == 200
    repeated = urlencode(call_params()) + "&From=%2B15550009999"
    assert _post(app, path, repeated, "bad").status_code == 403
    params = call_params()
    cookie = _post(app, path, urlencode(params), sign(flow.account, path, params), Cookie="a=b")
    assert cookie.status_code == 200
    assert seen.paths == [path] * 4


def test_it_answers_an_exception_as_django_does_and_runs_the_turn_once(
    flow_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = flow_factory(ivr())
    runs: list[str] = []

    def broken(execution: Any, writes: Any = None) -> Any:
        runs.append(execution.sid)
        raise RuntimeError("a widget failed")

    monkeypatch.setattr(store, "run_start", broken)
    monkeypatch.setattr(settings, "DEBUG", False)
    seen = Seen()

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=CallPath(seen), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            params = call_params()
            return await client.post(
                webhook_path(flow),
                content=urlencode(params),
                headers={
                    "Content-Type": FORM,
                    "X-Twilio-Signature": sign(flow.account, webhook_path(flow), params),
                },
            )

    response = async_to_sync(go)()
    assert response.status_code == 500
    assert "Server Error (500)" in response.text
    assert response.headers["x-frame-options"] == "DENY"  # the middleware's headers
    assert len(runs) == 1 and seen.paths == []  # Django answered; the view did not run again
    assert not Execution.objects.exists()


def test_it_trusts_a_connection_it_just_used_and_checks_an_idle_one(
    flow_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = flow_factory(ivr())
    app = CallPath(Seen())
    _signed(app, flow.account, webhook_path(flow), call_params())
    wrapper = connections["default"]  # the turns run on this thread (async_to_sync from here)
    checks: list[bool] = []
    real = wrapper.close_if_unusable_or_obsolete
    monkeypatch.setattr(wrapper, "close_if_unusable_or_obsolete", lambda: checks.append(True) or real())
    _signed(app, flow.account, webhook_path(flow), call_params())
    assert checks == []  # used a moment ago: no upkeep, no SELECT 1 before its first query
    assert wrapper.health_check_done
    monkeypatch.setattr(call_path, "TRUSTED_SECONDS", -1.0)  # as if idle ever since
    _signed(app, flow.account, webhook_path(flow), call_params())
    assert checks == [True]  # Django's upkeep: checked (or closed when obsolete) before use


@pytest.mark.parametrize(
    ("body", "call"),
    [
        (b"CallSid=CA1&From=%2B1", True),
        (b"From=%2B1&CallSid=CA1", True),
        (b"From=%2B1&MessageSid=SM1&Body=CallSid%3D", False),  # in a value, escaped: a message
        (b"From=%2B1&XCallSid=CA1", False),
    ],
)
def test_the_messaging_fast_path_tells_a_call_by_its_body_before_parsing_it(body: bytes, call: bool) -> None:
    from executions.inbound.fast_path import is_call

    assert is_call(body) is call


@pytest.mark.parametrize(
    "body",
    [
        b"CallSid=CA1&From=%2B15551230000&Digits=&SpeechResult=caf%C3%A9+ol%C3%A9",
        b"a=1&b=%ZZ&c=%E2%82&d==x&e",  # broken escapes, a bare key, an '=' in a value
        b"",
        # '+' and escapes in names, '+' beside '%2B', empty fields and a lone '=', an escaped '&'
        b"&&A+b%20c=1+%2B+2&=&x%26y=%3D%26&&Caller%2BName=Jos%C3%A9+%E2%82%AC&",
        b"Body=%F0%9F%98%80+ok&To=%2B15005550006&",
    ],
)
def test_it_reads_a_form_as_djangos_querydict_does(body: bytes) -> None:
    from django.http import QueryDict

    assert call_path.form_fields(body) == QueryDict(body, encoding="utf-8").dict()


@pytest.mark.parametrize("body", [b"a=1&a=2", b"a=%FF".replace(b"%FF", b"\xff")])
def test_it_leaves_repeated_keys_and_other_encodings_to_django(body: bytes) -> None:
    assert call_path.form_fields(body) is None


def test_it_leaves_too_many_fields_to_django(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    assert call_path.form_fields(b"a=1&b=2&c=3") is None


def test_under_serve_a_turn_runs_on_its_requests_persistent_thread_with_the_requests_log_context(
    flow_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``serve``'s application (persistent threads): each turn is answered on the thread its
    request borrowed, with the request's sid and the URL's sids bound for its log lines, and the
    call plays as it does through Django."""
    import threading

    from accounts import logcontext
    from executions.management.commands.serve import asgi_application

    flow = flow_factory(ivr())
    plain = _play(get_asgi_application(), flow, call_params())
    ran: list[tuple[str, dict[str, str]]] = []
    answer = call_path.answer

    def noted(turn: call_path.Turn) -> str | None:
        ran.append((threading.current_thread().name, logcontext.current()))
        return answer(turn)

    hops: list[object] = []
    on_thread = call_path._on_thread

    def hop(executor: Any, turn: call_path.Turn) -> Any:
        hops.append(executor)
        return on_thread(executor, turn)

    monkeypatch.setattr(call_path, "answer", noted)
    monkeypatch.setattr(call_path, "_on_thread", hop)  # straight to the thread, no sync_to_async
    served = _play(asgi_application(), flow, call_params())
    for ours, theirs in zip(served, plain, strict=True):
        assert ours.status_code == theirs.status_code == 200
        assert _without_sids(ours.text) == _without_sids(theirs.text)
        assert dict(ours.headers) == dict(theirs.headers)
    assert len(ran) == len(hops) == 5  # every turn here, none left to Django
    for thread, context in ran:
        assert thread.startswith("http-")  # PersistentThreads' executors
        assert context["request_sid"].startswith("RQ")
        assert (context["account_sid"], context["flow_sid"]) == (flow.account.sid, flow.sid)
    assert len({context["request_sid"] for _, context in ran}) == 5


REQUEST_SETTINGS = {
    "ALLOWED_HOSTS",
    "USE_X_FORWARDED_HOST",
    "SERVERLESS",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
}  # (DATA_UPLOAD_MAX_NUMBER_FIELDS: the form's is kept too, but Django's QueryDict of a
# callback URL's query string reads it)


def test_it_reads_the_host_and_proxy_settings_once_per_settings_object(
    flow_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each read through ``django.conf.settings`` costs a lazy object's attribute lookup: the
    settings every request checks are worked out once per settings object (a changed setting,
    through ``override_settings``, is a new object and is read again)."""
    flow = flow_factory(ivr())
    app = CallPath(Seen())
    _play(app, flow, call_params())  # the first call reads them
    lazy = type(settings)
    read: list[str] = []
    plain = lazy.__getattribute__

    def counting(self: Any, name: str) -> Any:
        read.append(name)
        return plain(self, name)

    monkeypatch.setattr(lazy, "__getattribute__", counting)
    answers = _play(app, flow, call_params())
    monkeypatch.undo()
    assert [a.status_code for a in answers] == [200] * 5
    assert read  # the counting saw the other settings' reads
    assert sorted(REQUEST_SETTINGS.intersection(read)) == []


def test_a_changed_allowed_hosts_setting_is_seen_by_the_next_request(
    flow_factory: Any, settings: Any
) -> None:
    flow = flow_factory(ivr())
    seen = Seen()
    app = CallPath(seen)
    assert _signed(app, flow.account, webhook_path(flow), call_params()).status_code == 200
    assert seen.paths == []
    settings.ALLOWED_HOSTS = ["elsewhere.example"]
    refused = _signed(app, flow.account, webhook_path(flow), call_params())
    assert refused.status_code == 400  # Django's DisallowedHost answer
    assert seen.paths == [webhook_path(flow)]  # left to Django
