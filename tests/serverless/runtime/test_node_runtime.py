"""Twilio Functions (Node) run unchanged: globals, context, event and callback mapped to HTTP as on Twilio."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

from serverless.runtime import Bundle, invoke
from tests.serverless.runtime.support import ACCOUNT_SID, AUTH_TOKEN, ApiServer, corpus_files, header, request

Bundles = Callable[[dict[str, bytes]], Bundle]

MAPPING = {
    "functions/text.js": b"exports.handler = (c, e, cb) => cb(null, 'plain words');",
    "functions/json.js": b"exports.handler = (c, e, cb) => cb(null, {a: 1, list: [true]});",
    "functions/empty.js": b"exports.handler = (c, e, cb) => cb();",
    "functions/fail.js": b"exports.handler = (c, e, cb) => cb(new Error('it broke'));",
    "functions/fail-text.js": b"exports.handler = (c, e, cb) => cb('not an error object');",
    "functions/throws.js": b"exports.handler = () => { throw new TypeError('bad thing'); };",
    "functions/async.js": b"exports.handler = async (c, e, cb) => { await new Promise(r => setTimeout(r, 5)); cb(null, 'later'); };",
    "functions/rejects.js": b"exports.handler = async () => { throw new Error('async failure'); };",
    "functions/response.js": b"""exports.handler = (c, e, cb) => {
  const r = new Twilio.Response();
  r.setStatusCode(201).appendHeader('Content-Type', 'application/json').appendHeader('X-Multi', 'a').appendHeader('X-Multi', 'b');
  r.setCookie('session', 'abc', ['Path=/', 'HttpOnly']).setCookie('gone', 'x').removeCookie('gone');
  r.setBody({ created: true });
  cb(null, r);
};""",
    "functions/headers.js": b"""exports.handler = (c, e, cb) => {
  const r = new Twilio.Response();
  r.setHeaders({ 'Content-Type': 'text/csv', 'X-One': '1' }).setBody('a,b');
  cb(null, r);
};""",
    "functions/echo.js": b"""exports.handler = (context, event, callback) => {
  console.log('info line', 42);
  console.warn('careful');
  console.error('bad news');
  const { getTwilioClient, ...plain } = context;
  callback(null, { context: plain, event, hasClient: typeof getTwilioClient });
};""",
    "functions/token.js": b"""exports.handler = (context, event, callback) => {
  const AccessToken = Twilio.jwt.AccessToken;
  const token = new AccessToken(context.ACCOUNT_SID, 'SK' + '2'.repeat(32), 'secret', { identity: 'alice' });
  token.addGrant(new AccessToken.VoiceGrant({ outgoingApplicationSid: 'AP' + '3'.repeat(32) }));
  callback(null, { token: token.toJwt() });
};""",
    "functions/runtime.js": b"""exports.handler = (context, event, callback) => {
  const helper = require(Runtime.getFunctions()['lib/helper'].path);
  const assets = Runtime.getAssets();
  callback(null, { helper: helper.greet('Ada'), data: JSON.parse(assets['/data.json'].open()),
    assetPaths: Object.keys(assets).sort(), functionKeys: Object.keys(Runtime.getFunctions()).sort() });
};""",
    "functions/lib/helper.private.js": b"exports.greet = (n) => `hello ${n}`;",
    "assets/data.private.json": b'{"from": "a private asset"}',
    "assets/logo.txt": b"public asset",
    "functions/send.js": b"""exports.handler = async (context, event, callback) => {
  const client = context.getTwilioClient();
  const message = await client.messages.create({ to: '+15550001111', from: '+15550002222', body: event.Body });
  callback(null, { sid: message.sid, status: message.status });
};""",
    "functions/no-creds.js": b"exports.handler = (context, event, callback) => callback(null, String(context.getTwilioClient()));",
}


def test_it_maps_a_string_to_text_plain(bundles: Bundles) -> None:
    result = invoke(request(bundles(MAPPING), "/text"))
    assert (result.status, result.body, result.error) == (200, b"plain words", None)
    assert header(result, "content-type") == ["text/plain; charset=utf-8"]


def test_it_maps_objects_to_json_and_nothing_to_an_empty_200(bundles: Bundles) -> None:
    result = invoke(request(bundles(MAPPING), "/json"))
    assert result.status == 200 and json.loads(result.body) == {"a": 1, "list": [True]}
    assert header(result, "content-type")[0].startswith("application/json")
    empty = invoke(request(bundles(MAPPING), "/empty"))
    assert (empty.status, empty.body) == (200, b"")


def test_it_maps_callback_errors_to_500_with_message_name_and_stack(bundles: Bundles) -> None:
    result = invoke(request(bundles(MAPPING), "/fail"))
    body = json.loads(result.body)
    assert result.status == 500 and body["message"] == "it broke" and body["name"] == "Error"
    assert "stack" in body and result.error == "Error: it broke"
    assert any(line.level == "error" and "it broke" in line.message for line in result.logs)
    text = invoke(request(bundles(MAPPING), "/fail-text"))
    assert (text.status, text.body) == (500, b"not an error object")


def test_it_turns_a_thrown_or_rejected_handler_into_a_500(bundles: Bundles) -> None:
    thrown = invoke(request(bundles(MAPPING), "/throws"))
    assert thrown.status == 500 and thrown.error == "TypeError: bad thing"
    rejected = invoke(request(bundles(MAPPING), "/rejects"))
    assert rejected.status == 500 and rejected.error == "Error: async failure"
    assert invoke(request(bundles(MAPPING), "/text")).status == 200  # the worker keeps serving


def test_it_waits_for_the_callback_of_an_async_handler(bundles: Bundles) -> None:
    result = invoke(request(bundles(MAPPING), "/async"))
    assert (result.status, result.body) == (200, b"later")


def test_it_serializes_a_twilio_response_with_status_headers_and_cookies(bundles: Bundles) -> None:
    result = invoke(request(bundles(MAPPING), "/response"))
    assert result.status == 201
    assert json.loads(result.body) == {"created": True}
    assert header(result, "x-multi") == ["a", "b"]
    assert header(result, "set-cookie") == ["session=abc;Path=/;HttpOnly", "gone=;Max-Age=0"]
    replaced = invoke(request(bundles(MAPPING), "/headers"))
    assert replaced.body == b"a,b" and header(replaced, "content-type") == ["text/csv"]


def test_it_passes_context_event_and_console_levels(bundles: Bundles) -> None:
    event = {"Body": "hi", "request": {"headers": {"x-custom": "1"}, "cookies": {"c": "v"}}}
    context = {"MY_VAR": "value", "ACCOUNT_SID": ACCOUNT_SID, "AUTH_TOKEN": AUTH_TOKEN}
    result = invoke(request(bundles(MAPPING), "/echo", event, context=context))
    body = json.loads(result.body)
    assert body["context"]["MY_VAR"] == "value" and body["context"]["PATH"] == "/echo"
    assert body["context"]["DOMAIN_NAME"] == "demo-1234.example.com"
    assert body["event"] == event and body["hasClient"] == "function"
    assert [(line.level, line.message) for line in result.logs] == [
        ("info", "info line 42"),
        ("warn", "careful"),
        ("error", "bad news"),
    ]


def test_it_mints_access_tokens_with_twilio_jwt(bundles: Bundles) -> None:
    result = invoke(request(bundles(MAPPING), "/token", context={"ACCOUNT_SID": ACCOUNT_SID}))
    payload = result.body and json.loads(result.body)["token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["grants"]["identity"] == "alice" and claims["sub"] == ACCOUNT_SID


def test_it_exposes_private_functions_and_all_assets_through_runtime(bundles: Bundles) -> None:
    result = invoke(request(bundles(MAPPING), "/runtime"))
    body = json.loads(result.body)
    assert body["helper"] == "hello Ada" and body["data"] == {"from": "a private asset"}
    assert body["assetPaths"] == ["/data.json", "/logo.txt"]  # private ones included
    assert "lib/helper" in body["functionKeys"] and "runtime" in body["functionKeys"]


def test_it_sends_get_twilio_client_requests_to_the_api_base_url(
    bundles: Bundles, api_server: ApiServer
) -> None:
    context = {"ACCOUNT_SID": ACCOUNT_SID, "AUTH_TOKEN": AUTH_TOKEN}
    result = invoke(
        request(bundles(MAPPING), "/send", {"Body": "hey"}, context=context, api_base_url=api_server.url)
    )
    assert result.status == 200, result.body
    assert json.loads(result.body) == {"sid": "SM" + "f" * 32, "status": "queued"}
    [sent] = api_server.requests
    assert sent["method"] == "POST" and sent["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert sent["headers"]["Authorization"] == f"Basic {expected}" and "Body=hey" in sent["body"]
    assert sent["headers"]["X-Twilio-Host"] == "api.twilio.com"


def test_it_refuses_get_twilio_client_without_credentials(bundles: Bundles) -> None:
    result = invoke(request(bundles(MAPPING), "/no-creds"))
    assert result.status == 500 and "ACCOUNT_SID" in (result.error or "")


def test_it_answers_404_for_a_path_the_build_does_not_have(bundles: Bundles) -> None:
    result = invoke(request(bundles(MAPPING), "/nowhere"))
    assert result.status == 404 and "no function at /nowhere" in (result.error or "")


# -- corpus projects, with the events and variables their own tests use ------------------------------------------


def test_it_runs_hello_world(bundles: Bundles) -> None:
    result = invoke(request(bundles(corpus_files("hello-world")), "/hello-world"))
    assert (result.status, result.body) == (200, b"Hello world!")


def test_it_runs_hello_voice_twiml(bundles: Bundles) -> None:
    result = invoke(request(bundles(corpus_files("hello-voice")), "/hello-voice"))
    assert result.status == 200 and header(result, "content-type") == ["text/xml; charset=utf-8"]
    assert b"<Say>Hello World</Say>" in result.body


def test_it_runs_blocklist_call(bundles: Bundles) -> None:
    bundle = bundles(corpus_files("blocklist-call"))
    context = {"BLOCKLIST": "+12125551234,+17025556789"}
    rejected = invoke(request(bundle, "/blocklist-call", {"From": "+12125551234"}, context=context))
    assert b"<Reject" in rejected.body
    event = {"blocklist": "+12125551234,+17025556789", "From": "+9999999999"}
    redirected = invoke(request(bundle, "/blocklist-call", event))
    assert b'<Redirect method="GET">https://demo.twilio.com/docs/voice.xml</Redirect>' in redirected.body


def test_it_runs_http_redirect(bundles: Bundles) -> None:
    context = {"HTTP_REDIRECT_URL": "https://twil.io"}
    result = invoke(request(bundles(corpus_files("http-redirect")), "/redirect", context=context))
    assert result.status == 200 and header(result, "location") == ["https://twil.io"]


def test_it_runs_temp_storage_in_a_private_tmp_wiped_between_invocations(bundles: Bundles) -> None:
    bundle = bundles(corpus_files("temp-storage"))
    for _ in range(2):
        result = invoke(request(bundle, "/temp-storage"))
        assert result.body == b"File created in temporary directory: test_file.txt", result.body.decode()[
            :600
        ]


def test_it_runs_vaccine_standby_login_and_executions(bundles: Bundles, api_server: ApiServer) -> None:
    bundle = bundles(corpus_files("vaccine-standby"))
    context = {"ACCOUNT_SID": ACCOUNT_SID, "AUTH_TOKEN": AUTH_TOKEN, "ADMIN_PASSWORD": "pw", "SALT": "salty"}
    context["FLOW_SID"] = "FW" + "4" * 32
    denied = invoke(request(bundle, "/login", {"password": "wrong"}, context=context))
    assert denied.status == 401 and json.loads(denied.body) == {"message": "Unauthorized"}
    login = invoke(request(bundle, "/login", {"password": "pw"}, context=context))
    token = json.loads(login.body)["token"]
    listed = invoke(
        request(
            bundle, "/get-studio-executions", {"token": token}, context=context, api_base_url=api_server.url
        )
    )
    assert (listed.status, json.loads(listed.body)) == (200, []), listed.body.decode()[:500]
    assert api_server.requests[0]["path"].startswith(f"/v1/Flows/{context['FLOW_SID']}/Executions")
