from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from flex.flex_defaults import seed_account
from studio.models import Flow
from webchat.models import WebChatKey


@pytest.fixture
def webchat_flow(alice: Any) -> Flow:
    """Alice's account seeded as Flex seeds it: the published WebChat Flow among them."""
    seed_account(alice)
    return Flow.objects.get(account=alice, friendly_name="WebChat Flow")


@pytest.fixture
def key(alice: Any) -> WebChatKey:
    return WebChatKey.for_account(alice)


def open_chat(key: str, flow: str, origin: str | None = None, **fields: Any) -> Any:
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    body = json.dumps({"key": key, "flow": flow, **fields})
    return Client().post("/webchat/v1/sessions", body, content_type="application/json", **headers)
