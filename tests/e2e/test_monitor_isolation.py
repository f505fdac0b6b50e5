"""Another account cannot watch: in Chromium, a console user of account B gets neither account
A's flow page nor its monitor socket, while B's own flow streams; and the analytics panel follows
the flow's traffic over that socket by itself (served by uvicorn)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import api_json
from tests.e2e.test_simulator import survey
from tests.e2e.test_simulator_live import asgi_url  # noqa: F401 - the uvicorn fixture

pytestmark = pytest.mark.e2e

# Opens a monitor socket in the page and reports what happened: opened, the first frame, the close.
OPEN_SOCKET = """(path) => new Promise((resolve) => {
  const out = { opened: false, frames: [], code: null };
  const ws = new WebSocket(`ws://${location.host}${path}`);
  ws.onopen = () => { out.opened = true; };
  ws.onmessage = (m) => { out.frames.push(JSON.parse(m.data)); ws.close(); };
  ws.onclose = (e) => { out.code = e.code; resolve(out); };
  setTimeout(() => { ws.close(); resolve(out); }, 5000);
})"""


@pytest.fixture
def bob(transactional_db: Any, django_user_model: Any) -> Any:
    from accounts.models import Account, Membership

    account = Account.objects.create(friendly_name="Bob's account")
    user = django_user_model.objects.create_user(username="bob", password="bob-password")
    Membership.objects.create(user=user, account=account, role=Membership.Role.OWNER)
    user.account = account
    return user


def test_a_console_user_of_another_account_can_neither_open_nor_watch_the_flow(
    asgi_url: str,  # noqa: F811
    studio_user: Any,
    bob: Any,
    page: Any,
    settings: Any,
) -> None:
    from studio.revisions import create_flow

    settings.ALLOWED_HOSTS = ["*"]
    alices, _ = create_flow(studio_user.account, friendly_name="Alice's flow", definition=survey())
    bobs, _ = create_flow(bob.account, friendly_name="Bob's flow", definition=survey())
    page.set_default_timeout(10_000)
    page.goto(f"{asgi_url}/login")
    page.fill("input[name=username]", "bob")
    page.fill("input[name=password]", "bob-password")
    page.locator("form [type=submit]").first.click()
    page.wait_for_url(f"{asgi_url}/")

    # Bob's own flow: its monitor socket opens and greets him.
    own = page.evaluate(OPEN_SOCKET, f"/ws/flows/{bobs.sid}/monitor")
    assert own["opened"] and own["frames"] == [{"type": "monitor.ready", "flow_sid": bobs.sid}], own

    # Alice's flow: not found for Bob, on the API and on its page (no canvas drawn).
    assert api_json(page, "GET", f"/api/console/flows/{alices.sid}")["status"] == 404
    page.goto(f"{asgi_url}/flows/{alices.sid}")
    page.get_by_role("alert").wait_for()
    assert page.locator("[data-widget-name]").count() == 0

    # Its monitor socket is refused: the handshake never opens, no frame arrives.
    theirs = page.evaluate(OPEN_SOCKET, f"/ws/flows/{alices.sid}/monitor")
    assert theirs["opened"] is False and theirs["frames"] == [], theirs


def test_analytics_follow_traffic_over_the_monitor_socket_with_the_simulator_closed(
    asgi_url: str,  # noqa: F811
    studio_user: Any,
    page: Any,
    settings: Any,
) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    page.set_default_timeout(10_000)
    page.goto(f"{asgi_url}/login")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "alice-password")
    page.locator("form [type=submit]").first.click()
    page.wait_for_url(f"{asgi_url}/")
    sid = api_json(page, "POST", "/api/console/flows", {"friendly_name": "Counts", "definition": survey()})[
        "body"
    ]["sid"]
    page.goto(f"{asgi_url}/flows/{sid}")
    page.wait_for_selector("[data-widget-name=Trigger]")
    frames: list[Any] = []

    def monitor(ws: Any) -> bool:
        ws.on("framereceived", lambda frame: frames.append(frame))
        return bool(ws.url.endswith(f"/ws/flows/{sid}/monitor"))

    with page.expect_websocket(monitor):
        page.check("[data-testid=analytics-toggle]")
    for _ in range(100):  # monitor.ready: the panel's socket has joined the flow's group
        if frames:
            break
        page.wait_for_timeout(50)
    assert frames, "the analytics panel opened no monitor socket"
    assert page.get_by_test_id("analytics-steps").inner_text() == "0 steps"
    # Traffic from outside the page (as if from a phone): the pushed step refetches the counts
    # within the 2 s throttle, well before the 5 s periodic read.
    sent = api_json(
        page,
        "POST",
        f"/api/console/flows/{sid}/simulate/message",
        {"from": "+15555550777", "to": "+15555550199", "body": "hi"},
    )
    assert sent["status"] == 201, sent
    page.wait_for_function(
        "() => document.querySelector('[data-testid=analytics-steps]')?.textContent !== '0 steps'",
        timeout=4000,
    )
