"""The live monitor over a real WebSocket: the app served by an ASGI server (uvicorn), steps
pushed by ``ws/flows/{FW}/monitor`` light up the canvas without polling, and the console output of
a deployed function the flow calls streams into the simulator's Function logs pane
(``ws/functions/{ZE}/logs``)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.helpers import api_json
from tests.e2e.test_simulator import st, survey
from tests.serverless.test_live_logs import deployed

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def asgi_url(transactional_db: Any) -> Iterator[str]:
    import uvicorn

    from config.asgi import application

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            application,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def calling_a_function(env: Any) -> dict[str, Any]:
    """The survey, whose first step runs the deployed /chatty as the canvas picker sets it up."""
    flow = survey()
    trigger, *rest = flow["states"]
    trigger["transitions"][0]["next"] = "fn"
    chatty = env.build.function_versions.get(path="/chatty")
    fn = st(
        "fn",
        "run-function",
        [{"event": "success", "next": "ask"}, {"event": "fail", "next": "ask"}],
        offset={"x": 300, "y": 110},
        service_sid=env.service.sid,
        environment_sid=env.sid,
        function_sid=chatty.function.sid,
        url=f"https://unreachable.invalid/fn/{env.label}/chatty",
    )
    flow["states"] = [trigger, fn, *rest]
    return flow


def test_it_streams_steps_over_the_monitor_socket_onto_the_canvas(
    asgi_url: Any, studio_user: Any, page: Any, settings: Any, tmp_path: Any
) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    settings.SERVERLESS = {**settings.SERVERLESS, "ROOT": tmp_path / "serverless", "FUNCTIONS_DOMAIN": ""}
    env = deployed(studio_user.account, tmp_path / "project")  # /chatty logs "one" and "two"
    page.set_default_timeout(10_000)
    page.goto(f"{asgi_url}/login")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "alice-password")
    page.locator("form [type=submit]").first.click()
    page.wait_for_url(f"{asgi_url}/")
    made = api_json(
        page, "POST", "/api/console/flows", {"friendly_name": "Live", "definition": calling_a_function(env)}
    )
    sid = made["body"]["sid"]
    page.goto(f"{asgi_url}/flows/{sid}")
    page.wait_for_selector("[data-widget-name=Trigger]")
    page.click("[data-testid=simulator-button]")
    page.wait_for_selector("[data-testid=monitor-connection][data-connection=live]")
    page.wait_for_selector("[data-testid=fnlogs-connection][data-connection=live]")
    # A message sent outside the panel (as if from a phone): only the socket can tell the canvas.
    sent = api_json(
        page,
        "POST",
        f"/api/console/flows/{sid}/simulate/message",
        {"from": "+15555550777", "to": "+15555550199", "body": "hi"},
    )
    assert sent["status"] == 201, sent
    page.wait_for_selector("[data-widget-name=ask][data-live=active]", timeout=3000)
    page.wait_for_selector(".react-flow__edge.is-active")
    assert page.get_by_test_id("monitor-connection").get_attribute("data-connection") == "live"
    # The function ran in the sandbox as the flow's first step; its console output is in the pane.
    lines = page.locator("[data-testid=fnlogs-lines] .sim-fnlog")
    lines.nth(1).wait_for(timeout=5000)
    assert [
        (
            li.locator(".sim-fnlog-level").inner_text(),
            li.locator(".sim-fnlog-path").inner_text(),
            li.locator(".sim-fnlog-message").inner_text(),
        )
        for li in lines.all()
    ] == [("INFO", "/chatty", "one"), ("ERROR", "/chatty", "two")]
    shot(page, "monitor-live-socket")
