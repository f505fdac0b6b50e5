"""The engine's Function host: Run Function calls a deployed function in-process, signed as Twilio
signs Studio's requests; a SID not deployed here answers None (the widget then uses its URL)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from twilio.request_validator import RequestValidator

from serverless.gateway import FunctionHost
from serverless.models import Function, Log

pytestmark = pytest.mark.django_db(transaction=True)

ECHO = """exports.handler = (context, event, callback) => {
  console.log('called with ' + event.Digits);
  callback(null, { digits: event.Digits, tags: event.Tag, signature: event.request.headers['x-twilio-signature'] });
};
"""


def deploy(account: Any, root: Path) -> dict[str, Any]:
    (root / "functions").mkdir(parents=True, exist_ok=True)
    (root / "functions" / "echo.protected.js").write_text(ECHO)
    (root / "functions" / "secret.private.js").write_text(ECHO)
    (root / "functions" / "fails.js").write_text(
        "exports.handler = (c, e, cb) => cb(new Error('no luck'));\n"
    )
    out = io.StringIO()
    call_command("functions", "deploy", str(root), "--account", account.sid, "--json", stdout=out)
    return dict(json.loads(out.getvalue()))


def sid_of(result: dict[str, Any], path: str) -> str:
    return str(next(f["sid"] for f in result["functions"] if f["path"] == path))


def test_it_runs_a_protected_function_with_a_valid_signature(alice: Any, tmp_path: Path) -> None:
    result = deploy(alice, tmp_path)
    answer = FunctionHost().invoke(
        alice, sid_of(result, "/echo"), [("Digits", "42"), ("Tag", "a"), ("Tag", "b")], {}
    )
    assert answer is not None and answer.status == 200
    body = json.loads(answer.body)
    assert body["digits"] == "42" and body["tags"] == ["a", "b"]
    url = next(f["url"] for f in result["functions"] if f["path"] == "/echo")
    assert (
        RequestValidator(alice.auth_token).compute_signature(url, {"Digits": "42", "Tag": "b"})
        == body["signature"]
    )
    assert list(Log.objects.values_list("level", "message")) == [("info", "called with 42")]


def test_errors_come_back_as_the_http_path_would_answer(alice: Any, tmp_path: Path) -> None:
    result = deploy(alice, tmp_path)
    answer = FunctionHost().invoke(alice, sid_of(result, "/fails"), [], {})
    assert answer is not None and answer.status == 500 and b"no luck" in answer.body
    private = FunctionHost().invoke(alice, sid_of(result, "/secret"), [], {})
    assert private is not None and private.status == 404


def test_sids_not_deployed_here_are_left_to_the_url(alice: Any, bob: Any, tmp_path: Path) -> None:
    result = deploy(alice, tmp_path)
    host = FunctionHost()
    assert host.invoke(bob, sid_of(result, "/echo"), [], {}) is None  # another account's function
    assert host.invoke(alice, "ZH" + "0" * 32, [], {}) is None
    service = Function.objects.get(sid=sid_of(result, "/echo")).service
    never = Function.objects.create(account=alice, service=service, friendly_name="/later")
    assert host.invoke(alice, never.sid, [], {}) is None


def test_it_runs_the_function_in_the_environment_the_widget_names(alice: Any, tmp_path: Path) -> None:
    (tmp_path / "functions").mkdir()
    version = tmp_path / "functions" / "which.js"
    version.write_text("exports.handler = (c, e, cb) => cb(null, 'one');\n")
    first = deploy_to(alice, tmp_path, "dev")
    version.write_text("exports.handler = (c, e, cb) => cb(null, 'two');\n")
    second = deploy_to(alice, tmp_path, "production")
    sid = sid_of(first, "/which")
    assert sid == sid_of(second, "/which")  # one function, live in two environments
    host = FunctionHost()

    def answer(environment_sid: str = "") -> bytes | None:
        result = host.invoke(alice, sid, [], {}, environment_sid)
        return None if result is None else bytes(result.body)

    assert answer(first["environment_sid"]) == b"one"
    assert answer(second["environment_sid"]) == b"two"
    assert answer() == b"two"  # no environment named: the one deployed last
    assert answer("ZE" + "0" * 32) is None  # not live there: the widget's URL is called instead


def deploy_to(account: Any, root: Path, environment: str) -> dict[str, Any]:
    out = io.StringIO()
    command = ["functions", "deploy", str(root), "--account", account.sid, "--environment", environment]
    call_command(*command, "--json", stdout=out)
    return dict(json.loads(out.getvalue()))
