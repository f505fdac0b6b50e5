from __future__ import annotations

from typing import Any

import pytest
from twilio.rest import Client


def client_for(live_server: Any, account: Any) -> Client:
    """The official client, its Conversations domain pointed at the live server."""
    twilio = Client(account.sid, account.auth_token)
    twilio.conversations.base_url = live_server.url
    return twilio


@pytest.fixture
def client(live_server: Any, alice: Any, settings: Any) -> Client:
    settings.PUBLIC_BASE_URL = live_server.url  # next_page_url and signed webhook URLs are absolute
    return client_for(live_server, alice)


@pytest.fixture
def bob_client(live_server: Any, bob: Any) -> Client:
    return client_for(live_server, bob)
