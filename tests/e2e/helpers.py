"""Canvas actions shared by the browser tests."""

from __future__ import annotations

import base64
import json
import urllib.request
from typing import Any


def create_flow(page: Any, name: str, template: str = "blank") -> str:
    page.goto(f"{page.base}/")
    page.fill("[data-testid=new-flow-name]", name)
    page.select_option("[data-testid=new-flow-template]", template)
    page.click("[data-testid=create-flow-button]")
    page.wait_for_url("**/flows/FW*")
    page.wait_for_selector("[data-widget-name=Trigger]")
    page.wait_for_selector("[data-testid^=library-item-]")
    return str(page.url.rstrip("/").split("/")[-1])


def drop_widget(page: Any, widget_type: str, x: float, y: float) -> str:
    """Drag a library item onto the canvas at pane coordinates (x, y); returns the new name."""
    before = set(page.eval_on_selector_all("[data-widget-name]", "els => els.map(e => e.dataset.widgetName)"))
    page.drag_and_drop(
        f"[data-testid=library-item-{widget_type}]",
        ".react-flow__pane",
        target_position={"x": x, "y": y},
    )
    page.wait_for_function("n => document.querySelectorAll('[data-widget-name]').length > n", arg=len(before))
    after = set(page.eval_on_selector_all("[data-widget-name]", "els => els.map(e => e.dataset.widgetName)"))
    (name,) = after - before
    return str(name)


def node(page: Any, name: str) -> Any:
    return page.locator(f"[data-widget-name='{name}']")


def connect(page: Any, source: str, handle: str, target: str) -> None:
    """Drag from an event handle of `source` to the input handle of `target`."""
    edges = page.locator(".react-flow__edge").count()
    src = page.locator(f"[data-testid='handle-{source}-{handle}']").bounding_box()
    dst = node(page, target).locator(".handle-in").bounding_box()
    page.mouse.move(src["x"] + src["width"] / 2, src["y"] + src["height"] / 2)
    page.mouse.down()
    page.mouse.move(dst["x"] + dst["width"] / 2, dst["y"] + dst["height"] / 2, steps=8)
    page.mouse.up()
    try:
        page.wait_for_function("n => document.querySelectorAll('.react-flow__edge').length > n", arg=edges)
    except Exception:
        page.screenshot(path="test-results/connect-failed.png")
        raise


def select(page: Any, name: str) -> None:
    # A DOM click on the node: the minimap or another panel may cover its on-screen spot.
    node(page, name).locator(".widget-type").dispatch_event("click")
    page.wait_for_selector(f"[data-testid=widget-name-input][value='{name}']")


def rest_flow(page: Any, sid: str) -> dict[str, Any]:
    account = page.account
    token = base64.b64encode(f"{account.sid}:{account.auth_token}".encode()).decode()
    req = urllib.request.Request(f"{page.base}/v2/Flows/{sid}", headers={"Authorization": f"Basic {token}"})
    with urllib.request.urlopen(req, timeout=10) as res:
        data: dict[str, Any] = json.loads(res.read())
    return data


def api_json(page: Any, method: str, path: str, body: Any = None) -> Any:
    """Call the console API from inside the page (session + CSRF, like the app)."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const csrf = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";
            const r = await fetch(path, {method, headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
                                         body: body === null ? undefined : JSON.stringify(body)});
            return {status: r.status, body: r.status === 204 ? null : await r.json()};
        }""",
        [method, path, body],
    )
