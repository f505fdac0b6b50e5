"""``manage.py functions deploy|list|logs`` on a Toolkit project, and how its functions answer:
visibility, context (DOMAIN_NAME reaches the function), event headers/cookies, responses."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from twilio.request_validator import RequestValidator

from serverless.models import Environment, Log, Service

pytestmark = pytest.mark.django_db(transaction=True)

WHOAMI = """exports.handler = (context, event, callback) => {
  const response = new Twilio.Response();
  response.appendHeader('Content-Type', 'application/json');
  response.setCookie('seen', 'yes', ['Path=/']);
  response.setBody({
    domain: context.DOMAIN_NAME, path: context.PATH, greeting: context.GREETING,
    service: context.SERVICE_SID, environment: context.ENVIRONMENT_SID, account: context.ACCOUNT_SID,
    name: event.Name, agent: event.request.headers['x-agent'], cookie: event.request.cookies.flavour,
    helper: require(Runtime.getFunctions()['lib/helper'].path).shout('hi'),
  });
  callback(null, response);
};
"""
HELPER = "exports.shout = (s) => s.toUpperCase();\n"
VOICE = "exports.handler = (c, e, cb) => { const t = new Twilio.twiml.VoiceResponse(); t.say('Protected'); cb(null, t); };\n"


def project(root: Path, greeting: str = "hello", broken: bool = False) -> Path:
    (root / "functions" / "lib").mkdir(parents=True, exist_ok=True)
    (root / "assets").mkdir(exist_ok=True)
    (root / "functions" / "whoami.js").write_text(WHOAMI)
    (root / "functions" / "lib" / "helper.private.js").write_text(HELPER)
    (root / "functions" / "voice.protected.js").write_text("exports.handler = (" if broken else VOICE)
    (root / "assets" / "note.txt").write_text("a note")
    (root / ".env").write_text(f"# description: x\nGREETING={greeting}\nACCOUNT_SID=ACnotuploaded\n")
    (root / "package.json").write_text(json.dumps({"name": "demo-app", "dependencies": {"twilio": "^5.0.0"}}))
    return root


def deploy(account: Any, root: Path, *extra: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("functions", "deploy", str(root), "--account", account.sid, "--json", *extra, stdout=out)
    return dict(json.loads(out.getvalue()))


def test_deploy_prints_every_resource_and_its_url(alice: Any, tmp_path: Path, settings: Any) -> None:
    result = deploy(alice, project(tmp_path), "--environment", "production")
    service = Service.objects.get(sid=result["service_sid"])
    assert service.unique_name == "demo-app" and result["build_sid"].startswith("ZB")
    assert result["domain_name"] == f"{settings.PUBLIC_BASE_URL.split('://')[1]}/fn/{service.domain_base}"
    by_path = {item["path"]: item for item in result["functions"] + result["assets"]}
    assert set(by_path) == {"/whoami", "/lib/helper", "/voice", "/note.txt"}
    assert (by_path["/voice"]["visibility"], by_path["/lib/helper"]["visibility"]) == ("protected", "private")
    assert by_path["/whoami"]["url"] == f"{settings.PUBLIC_BASE_URL}/fn/{service.domain_base}/whoami"
    assert all(item["sid"].startswith("ZH") for item in by_path.values())


def test_a_function_sees_its_context_event_headers_and_cookies(alice: Any, tmp_path: Path) -> None:
    result = deploy(alice, project(tmp_path))
    env = Environment.objects.get(sid=result["environment_sid"])
    url = next(f["url"] for f in result["functions"] if f["path"] == "/whoami")
    client = Client()
    client.cookies["flavour"] = "vanilla"
    answer = client.get(urlsplit(url).path, {"Name": "Ada"}, HTTP_X_AGENT="tests")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/json")
    body = answer.json()
    assert body["domain"] == result["domain_name"] and f"https://{body['domain']}/whoami".endswith(
        url.split("://")[1]
    )
    assert (body["path"], body["greeting"], body["name"]) == ("/whoami", "hello", "Ada")
    assert (body["service"], body["environment"], body["account"]) == (env.service.sid, env.sid, alice.sid)
    assert (body["agent"], body["cookie"], body["helper"]) == ("tests", "vanilla", "HI")
    assert answer.cookies["seen"].value == "yes"


def test_visibility_private_is_404_and_protected_needs_the_signature(alice: Any, tmp_path: Path) -> None:
    result = deploy(alice, project(tmp_path))
    env = Environment.objects.get(sid=result["environment_sid"])
    assert Client().get(f"/fn/{env.label}/lib/helper").status_code == 404
    unsigned = Client().post(f"/fn/{env.label}/voice", {"CallSid": "CA1"})
    assert unsigned.status_code == 401 and unsigned.json()["code"] == 20003
    url = next(f["url"] for f in result["functions"] if f["path"] == "/voice")
    signature = RequestValidator(alice.auth_token).compute_signature(url, {"CallSid": "CA1"})
    signed = Client().post(f"/fn/{env.label}/voice", {"CallSid": "CA1"}, HTTP_X_TWILIO_SIGNATURE=signature)
    assert signed.status_code == 200 and b"<Say>Protected</Say>" in signed.content
    assert signed["Content-Type"].startswith("text/xml")


def test_redeploying_updates_the_same_service_and_variables(alice: Any, tmp_path: Path) -> None:
    first = deploy(alice, project(tmp_path))
    second = deploy(alice, project(tmp_path, greeting="bonjour"))
    assert (second["service_sid"], second["environment_sid"]) == (
        first["service_sid"],
        first["environment_sid"],
    )
    assert second["build_sid"] != first["build_sid"]
    env = Environment.objects.get(sid=second["environment_sid"])
    assert env.build is not None and env.build.sid == second["build_sid"]
    assert {v.key: v.value for v in env.variables.all()} == {
        "GREETING": "bonjour"
    }  # credentials never uploaded
    assert Client().get(f"/fn/{env.label}/whoami").json()["greeting"] == "bonjour"


def test_a_failed_build_exits_1_with_its_errors(alice: Any, tmp_path: Path, capsys: Any) -> None:
    with pytest.raises(SystemExit) as exited:
        call_command("functions", "deploy", str(project(tmp_path, broken=True)), "--account", alice.sid)
    assert exited.value.code == 1
    assert "voice" in capsys.readouterr().err
    assert Environment.objects.get(service__unique_name="demo-app").build is None


def test_list_and_logs_show_what_is_live(alice: Any, tmp_path: Path) -> None:
    result = deploy(alice, project(tmp_path))
    env = Environment.objects.get(sid=result["environment_sid"])
    Log.objects.create(
        account=alice,
        service=env.service,
        environment=env,
        function_sid="ZH1",
        level="warn",
        message="careful",
    )
    out = io.StringIO()
    call_command("functions", "list", "--account", alice.sid, "--json", stdout=out)
    listed = json.loads(out.getvalue())
    assert listed[0]["sid"] == result["service_sid"]
    assert any(u.endswith("/whoami") for u in listed[0]["environments"][0]["functions"])
    assert not any(u.endswith("/lib/helper") for u in listed[0]["environments"][0]["functions"])
    out = io.StringIO()
    call_command("functions", "logs", "--account", alice.sid, "--service", "demo-app", stdout=out)
    assert "WARN  [ZH1] careful" in out.getvalue()
