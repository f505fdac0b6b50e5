"""Python functions: handler(context, event, callback), sync or async, with the same mapping and sandbox."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

from serverless.runtime import Bundle, invoke
from tests.serverless.runtime.support import ACCOUNT_SID, AUTH_TOKEN, ApiServer, header, request

Bundles = Callable[[dict[str, bytes]], Bundle]

FILES = {
    "functions/hello.py": b"""def handler(context, event, callback):
    print("hello from python")
    callback(None, f"Hello {event.get('Name', 'World')} on {context.DOMAIN_NAME}")
""",
    "functions/voice.protected.py": b"""from twilio.twiml.voice_response import VoiceResponse

async def handler(context, event, callback):
    response = VoiceResponse()
    response.say("Hello World")
    callback(None, response)
""",
    "functions/response.py": b"""import logging

def handler(context, event, callback):
    logging.warning("careful")
    r = Response().set_status_code(202).append_header("Content-Type", "application/json")
    r.set_cookie("session", "abc", ["Path=/"]).set_cookie("gone", "x").remove_cookie("gone")
    callback(None, r.set_body({"ok": True, "path": context["PATH"], "headers": event["request"]["headers"]}))
""",
    "functions/fails.py": b"""def handler(context, event, callback):
    raise ValueError("no good")
""",
    "functions/send.py": b"""async def handler(context, event, callback):
    client = context.get_twilio_client()
    message = client.messages.create(to="+15550001111", from_="+15550002222", body=event["Body"])
    callback(None, {"sid": message.sid})
""",
    "functions/silent.py": b"""import time

def handler(context, event, callback):
    time.sleep(30)
""",
    "functions/assets.py": b"""def handler(context, event, callback):
    callback(None, {"text": Runtime.get_assets()["/note.txt"].open(), "functions": sorted(Runtime.get_functions())})
""",
    "assets/note.private.txt": b"a private note",
}


def test_it_runs_a_sync_python_handler_with_logs(bundles: Bundles) -> None:
    result = invoke(request(bundles(FILES), "/hello", {"Name": "Ada"}))
    assert (result.status, result.body) == (200, b"Hello Ada on demo-1234.example.com")
    assert header(result, "content-type") == ["text/plain; charset=utf-8"]
    assert [(line.level, line.message) for line in result.logs] == [("info", "hello from python")]


def test_it_runs_an_async_handler_returning_twiml(bundles: Bundles) -> None:
    result = invoke(request(bundles(FILES), "/voice"))
    assert result.status == 200 and header(result, "content-type") == ["text/xml; charset=utf-8"]
    assert b"<Say>Hello World</Say>" in result.body


def test_it_serializes_the_python_response(bundles: Bundles) -> None:
    event = {"request": {"headers": {"x-a": "1"}, "cookies": {}}}
    result = invoke(request(bundles(FILES), "/response", event))
    assert result.status == 202 and json.loads(result.body) == {
        "ok": True,
        "path": "/response",
        "headers": {"x-a": "1"},
    }
    assert header(result, "set-cookie") == ["session=abc;Path=/", "gone=;Max-Age=0"]
    assert ("warn", "WARNING:root:careful") in [(line.level, line.message) for line in result.logs]


def test_it_maps_an_exception_to_a_500(bundles: Bundles) -> None:
    result = invoke(request(bundles(FILES), "/fails"))
    assert result.status == 500 and result.error == "ValueError: no good"
    assert json.loads(result.body)["name"] == "ValueError"
    assert result.logs[-1].level == "error" and "no good" in result.logs[-1].message


def test_it_sends_get_twilio_client_requests_to_the_api(bundles: Bundles, api_server: ApiServer) -> None:
    context = {"ACCOUNT_SID": ACCOUNT_SID, "AUTH_TOKEN": AUTH_TOKEN}
    result = invoke(
        request(bundles(FILES), "/send", {"Body": "hey"}, context=context, api_base_url=api_server.url)
    )
    assert result.status == 200, result.body
    [sent] = api_server.requests
    assert sent["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json" and "Body=hey" in sent["body"]
    expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert sent["headers"]["Authorization"] == f"Basic {expected}"


def test_it_reads_private_assets_through_runtime(bundles: Bundles) -> None:
    result = invoke(request(bundles(FILES), "/assets"))
    body = json.loads(result.body)
    assert body["text"] == "a private note" and "hello" in body["functions"]


def test_it_times_out_a_python_handler(bundles: Bundles) -> None:
    result = invoke(request(bundles(FILES), "/silent", timeout_seconds=1.0))
    assert result.status == 504 and (result.error or "").startswith("runtime application timed out")
    assert invoke(request(bundles(FILES), "/hello")).status == 200
