"""Canvas benchmark: open a 2,000-widget flow in headless Chromium and measure it.

    .venv/bin/python bench/canvas/run.py [--widgets 2000] [--runs 3]

The built app (frontend/dist) is loaded as-is; the console API is answered by Playwright
request routing (catalogue from studio.widgets, the generated flow), so the figures are the
canvas's own: no server or database time is included.

Reports the medians of:
- time to interactive: navigation start → widgets drawn and the main thread answering a
  requestAnimationFrame (measured in the page, performance.now());
- frame time while dragging a node: requestAnimationFrame deltas sampled during a
  120-step mouse drag.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend" / "dist"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

FLOW_SID = "FW" + "0" * 32
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def catalogue() -> list[dict[str, Any]]:
    import django

    django.setup()
    from studio import widgets

    return widgets.catalogue()


def generate(n: int) -> dict[str, Any]:
    """A Trigger plus n-1 widgets in a grid: chains of send-and-wait → split → send-message."""
    states: list[dict[str, Any]] = []
    cols = 40
    names = [f"w{i}" for i in range(1, n)]
    states.append(
        {
            "name": "Trigger",
            "type": "trigger",
            "transitions": [
                {"event": "incomingMessage", "next": names[0]},
                {"event": "incomingCall"},
                {"event": "incomingRequest"},
            ],
            "properties": {"offset": {"x": 0, "y": -250}},
        }
    )
    for i, name in enumerate(names):
        nxt = names[i + 1] if i + 1 < len(names) else None
        pos = {"x": (i % cols) * 300, "y": (i // cols) * 250}
        kind = i % 3
        if kind == 0:
            state = {
                "type": "send-and-wait-for-reply",
                "transitions": [
                    {"event": "incomingMessage", **({"next": nxt} if nxt else {})},
                    {"event": "timeout"},
                    {"event": "deliveryFailure"},
                ],
                "properties": {
                    "body": f"Question {i}?",
                    "from": "{{flow.channel.address}}",
                    "timeout": "3600",
                },
            }
        elif kind == 1:
            other = names[(i + 7) % len(names)]
            state = {
                "type": "split-based-on",
                "transitions": [
                    {"event": "noMatch", **({"next": nxt} if nxt else {})},
                    {
                        "event": "match",
                        "next": other,
                        "conditions": [
                            {
                                "friendly_name": "If value equal_to yes",
                                "type": "equal_to",
                                "value": "yes",
                                "arguments": [f"{{{{widgets.{names[i - 1]}.inbound.Body}}}}"],
                            }
                        ],
                    },
                ],
                "properties": {"input": f"{{{{widgets.{names[i - 1]}.inbound.Body}}}}"},
            }
        else:
            state = {
                "type": "send-message",
                "transitions": [{"event": "sent", **({"next": nxt} if nxt else {})}, {"event": "failed"}],
                "properties": {
                    "body": f"Answer {i}",
                    "from": "{{flow.channel.address}}",
                    "to": "{{contact.channel.address}}",
                },
            }
        state["name"] = name
        state["properties"]["offset"] = pos
        states.append(state)
    return {
        "description": "bench",
        "states": states,
        "initial_state": "Trigger",
        "flags": {"allow_concurrent_calls": True},
    }


def run(widgets: int, runs: int) -> dict[str, Any]:
    from playwright.sync_api import Route, sync_playwright

    if not (DIST / "index.html").exists():
        raise SystemExit("frontend/dist is not built: cd frontend && npm run build")
    cat = json.dumps({"widgets": catalogue()})
    definition = generate(widgets)
    detail = json.dumps(
        {
            "sid": FLOW_SID,
            "friendly_name": "Bench",
            "status": "draft",
            "revision": 1,
            "published_revision": None,
            "valid": True,
            "date_created": "2026-01-01T00:00:00Z",
            "date_updated": "2026-01-01T00:00:00Z",
            "widget_count": widgets,
            "definition": definition,
            "errors": [],
            "warnings": [],
            "commit_message": None,
        }
    )
    index = (DIST / "index.html").read_text()

    def handle(route: Route) -> None:
        path = route.request.url.split("://", 1)[1].split("/", 1)[1].split("?")[0]
        if path == "api/console/widgets":
            route.fulfill(status=200, content_type="application/json", body=cat)
        elif path == f"api/console/flows/{FLOW_SID}":
            route.fulfill(status=200, content_type="application/json", body=detail)
        elif path.startswith("static/"):
            f = DIST / path.removeprefix("static/")
            ctype = "text/css" if f.suffix == ".css" else "application/javascript"
            route.fulfill(status=200, content_type=ctype, body=f.read_bytes())
        else:
            route.fulfill(status=200, content_type="text/html", body=index)

    tti: list[float] = []
    frames_all: list[float] = []
    drawn = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1500, "height": 950})
            page.route("**/*", handle)
            page.goto(f"http://bench.local/flows/{FLOW_SID}", wait_until="commit")
            page.wait_for_selector("[data-widget-name=Trigger]", timeout=60_000)
            page.wait_for_function(
                "document.querySelectorAll('.react-flow__edge').length > 0", timeout=60_000
            )
            t = page.evaluate(
                "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))"
            )
            tti.append(float(t))
            drawn = page.locator("[data-widget-name]").count()
            page.wait_for_timeout(300)
            # Drag a visible widget around while sampling frames.
            target = page.locator("[data-widget-name=w1] .widget-type")
            box = target.bounding_box()
            assert box is not None
            page.evaluate("""() => { window.__frames = []; let last = performance.now();
                const tick = (t) => { window.__frames.push(t - last); last = t;
                                      if (window.__sampling) requestAnimationFrame(tick); };
                window.__sampling = true; requestAnimationFrame(tick); }""")
            x, y = box["x"] + 20, box["y"] + 5
            page.mouse.move(x, y)
            page.mouse.down()
            for i in range(120):
                dx = (i % 60) * 4 if (i // 60) % 2 == 0 else (60 - i % 60) * 4
                page.mouse.move(x + dx, y + dx / 2)
                page.evaluate("() => new Promise(r => requestAnimationFrame(r))")
            page.mouse.up()
            frames = page.evaluate("() => { window.__sampling = false; return window.__frames.slice(2); }")
            frames_all.extend(float(f) for f in frames)
            page.close()
        browser.close()
    return {
        "widgets": widgets,
        "drawn_nodes_in_dom": drawn,
        "runs": runs,
        "tti_ms_median": round(statistics.median(tti)),
        "tti_ms_all": [round(t) for t in tti],
        "frame_ms_median": round(statistics.median(frames_all), 1),
        "frame_ms_p95": round(sorted(frames_all)[int(len(frames_all) * 0.95)], 1),
        "fps_median": round(1000 / statistics.median(frames_all), 1),
        "frames_sampled": len(frames_all),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--widgets", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    a = parser.parse_args()
    print(json.dumps(run(a.widgets, a.runs), indent=2))
