"""The ``twilio`` provider sends through the official client — here pointed at a local stub."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest

from executions.messaging.providers.twilio import TwilioProvider
from executions.models import Message
from scenarios.stubs import Recorded, Reply, Stub

pytestmark = pytest.mark.django_db(transaction=True)

TWILIO_SID = "AC" + "1" * 32


@pytest.fixture
def stub() -> Iterator[dict[str, Any]]:
    """Twilio's Messages endpoint on 127.0.0.1: answers 201 (or ``seen["status"]``), notes requests."""
    seen: dict[str, Any] = {"requests": [], "status": 201}

    def messages(request: Recorded) -> Reply:
        form = parse_qs(request.body.decode())
        seen["requests"].append(
            {"path": request.path, "form": form, "auth": request.headers.get("authorization")}
        )
        if seen["status"] == 201:
            body = {"sid": "SM" + "9" * 32, "status": "queued", "to": form["To"][0], "body": form["Body"][0]}
        else:
            body = {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}
        return seen["status"], {"Content-Type": "application/json"}, json.dumps(body)

    with Stub() as server:
        server.route(f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json", handler=messages)
        seen["url"] = server.base
        yield seen


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
