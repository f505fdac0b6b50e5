"""Fixtures of the TaskRouter tests: the official client pointed at a live server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from scenarios.stubs import Stub


def client_for(live_server: Any, account: Any) -> Client:
    twilio = Client(account.sid, account.auth_token)
    twilio.taskrouter.base_url = live_server.url
    return twilio


def refusal(attempt: Any) -> str:
    """What the client raised, as ``HTTP <status> code <code>``."""
    with pytest.raises(TwilioException) as err:
        attempt()
    if isinstance(err.value, TwilioRestException):
        return f"HTTP {err.value.status} code {err.value.code}"
    return str(err.value)


@pytest.fixture
def client(live_server: Any, alice: Any) -> Client:
    return client_for(live_server, alice)


@pytest.fixture
def bob_client(live_server: Any, bob: Any) -> Client:
    return client_for(live_server, bob)


@pytest.fixture
def flow_factory(alice: Any) -> Any:
    """Published Studio flows of Alice's account (as in tests/executions)."""
    from tests.executions.factories import make_flow

    def make(definition: dict[str, Any], account: Any = None, **kw: Any) -> Any:
        return make_flow(account or alice, definition, **kw)

    return make


@pytest.fixture
def stub() -> Iterator[Stub]:
    """A fresh HTTP server on 127.0.0.1 (not yet allowed: see ``allow_local``)."""
    with Stub() as server:
        yield server


@pytest.fixture
def allow_local(settings: Any) -> None:
    """Callbacks may reach 127.0.0.1 (the stub) in this test."""
    settings.STUDIO = {**settings.STUDIO, "ALLOWED_HTTP_HOSTS": ["127.0.0.1"]}
