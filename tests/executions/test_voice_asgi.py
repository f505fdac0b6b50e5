"""A call's requests run Django's middleware in one thread hop (executions.voice.asgi), with the
very answers and headers Django's own ASGI handler gives."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from asgiref.sync import async_to_sync
from django.core.asgi import get_asgi_application

from executions.voice.asgi import VoiceRoutes
from tests.executions.support import sign, webhook_path
from tests.executions.test_voice_turn_cost import ivr
from tests.executions.voice_support import call_params

pytestmark = pytest.mark.django_db(transaction=True)


def _post(app: Any, path: str, body: dict[str, str], signature: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.post(
                path,
                content=urlencode(body),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": signature,
                },
            )

    return async_to_sync(go)()


def test_it_answers_a_call_as_djangos_own_asgi_handler_does(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    django_app = get_asgi_application()
    routes = VoiceRoutes(django_app)
    path = webhook_path(flow)
    answers = []
    for app in (django_app, routes):
        params = call_params()
        answers.append(_post(app, path, params, sign(flow.account, path, params)))
    plain, one_hop = answers
    assert one_hop.status_code == plain.status_code == 200
    assert "<Gather" in one_hop.text
    # The same document but for the execution's own sids, and the same headers (middleware's).
    assert len(one_hop.text) == len(plain.text)
    assert one_hop.text[: one_hop.text.index("Executions/")] == plain.text[: plain.text.index("Executions/")]
    assert dict(one_hop.headers) == dict(plain.headers)
    assert one_hop.headers["x-frame-options"] == "DENY"


def test_it_refuses_a_bad_signature_on_the_one_hop_path(flow_factory: Any) -> None:
    flow = flow_factory(ivr())
    response = _post(VoiceRoutes(get_asgi_application()), webhook_path(flow), call_params(), "bad")
    assert response.status_code == 403
    assert response.json()["code"] == 20403


def test_it_leaves_every_other_path_to_django() -> None:
    seen: list[str] = []

    async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    routes = VoiceRoutes(inner)
    assert _post(routes, "/healthz", {}, "").status_code == 204
    assert _post(routes, "/v1/Flows", {}, "").status_code == 204
    assert seen == ["/healthz", "/v1/Flows"]
