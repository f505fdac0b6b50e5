"""The ``twilio`` provider sends through the official client — here pointed at a local stub."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

from executions.messaging.providers.twilio import TwilioProvider
from executions.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stub() -> Iterator[dict[str, Any]]:
    seen: dict[str, Any] = {"requests": [], "status": 201}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode())
            seen["requests"].append(
                {"path": self.path, "form": form, "auth": self.headers.get("Authorization")}
            )
            if seen["status"] == 201:
                body = {
                    "sid": "SM" + "9" * 32,
                    "status": "queued",
                    "to": form["To"][0],
                    "body": form["Body"][0],
                }
            else:
                body = {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}
            payload = json.dumps(body).encode()
            self.send_response(seen["status"])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    seen["url"] = f"http://127.0.0.1:{server.server_port}"
    yield seen
    server.shutdown()


def message(alice: Any, **kw: Any) -> Message:
    alice.twilio_account_sid, alice.twilio_auth_token = "AC" + "1" * 32, "secret"
    alice.save()
    m = Message(
        account=alice,
        to_address="+15551230000",
        from_address="+15550001111",
        body="hi",
        provider="twilio",
        **kw,
    )
    provider = TwilioProvider()
    provider.accept(m)
    m.save()
    return m


def test_it_sends_with_the_accounts_twilio_credentials(alice: Any, stub: dict[str, Any]) -> None:
    m = message(alice)
    TwilioProvider(base_url=stub["url"]).dispatch(m)
    m.refresh_from_db()
    assert (m.status, m.provider_sid) == ("queued", "SM" + "9" * 32)
    request = stub["requests"][0]
    assert request["path"] == f"/2010-04-01/Accounts/{'AC' + '1' * 32}/Messages.json"
    assert request["form"]["To"] == ["+15551230000"] and request["form"]["From"] == ["+15550001111"]


def test_it_marks_the_message_failed_when_twilio_refuses(alice: Any, stub: dict[str, Any]) -> None:
    stub["status"] = 400
    m = message(alice)
    TwilioProvider(base_url=stub["url"]).dispatch(m)
    m.refresh_from_db()
    assert (m.status, m.error_code) == ("failed", 21211)


def test_it_refuses_at_once_without_credentials(alice: Any) -> None:
    m = Message(account=alice, to_address="+1", from_address="+2", body="x")
    TwilioProvider().accept(m)
    assert m.status == "failed" and m.error_code == 20003


def test_it_picks_the_twilio_provider_for_an_account_with_twilio_credentials(alice: Any, bob: Any) -> None:
    from executions.messaging.providers import get_provider, provider_name
    from executions.messaging.providers.simulator import SimulatorProvider

    alice.twilio_account_sid, alice.twilio_auth_token = "AC" + "1" * 32, "secret"
    alice.save()
    assert provider_name(alice) == "twilio" and isinstance(get_provider(account=alice), TwilioProvider)
    assert provider_name(bob) == "simulator" and isinstance(get_provider(account=bob), SimulatorProvider)
