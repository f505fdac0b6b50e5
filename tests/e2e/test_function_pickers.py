"""The Run Function inspector offers the account's deployed Functions as Studio does (service →
environment → function, filling the widget's SIDs and URL), and Say/Play's audio URL picks an
asset."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import api_json, create_flow, drop_widget, select
from tests.serverless.test_catalog import deployed

pytestmark = pytest.mark.e2e


def test_run_function_and_say_play_pick_deployed_functions_and_assets(
    app: Any, settings: Any, tmp_path: Any
) -> None:
    settings.SERVERLESS = {**settings.SERVERLESS, "ROOT": tmp_path / "serverless"}
    env = deployed(app.account, "ivr")
    hello = env.build.function_versions.get(path="/hello")
    hold = env.build.asset_versions.get(path="/hold.mp3")
    sid = create_flow(app, "Pickers")

    fn = drop_widget(app, "run-function", 330, 300)
    select(app, fn)
    app.select_option("[data-testid=pick-service]", env.service.sid)
    assert app.locator("[data-testid=pick-environment]").input_value() == env.sid
    functions = app.locator("[data-testid=pick-function] option").all_inner_texts()
    assert [f.strip() for f in functions] == ["(choose a function)", "/admin (protected)", "/hello"]
    app.select_option("[data-testid=pick-function]", hello.function.sid)
    url = app.locator("[data-testid=prop-url]").input_value()
    assert url.endswith(f"/fn/{env.label}/hello")

    say = drop_widget(app, "say-play", 330, 520)
    select(app, say)
    app.select_option("[data-testid=pick-asset-play]", label="ivr · production · /hold.mp3")

    app.click("[data-testid=save-button]")
    app.wait_for_selector("[data-testid=status]:has-text('Saved revision 2')")
    states = {
        s["name"]: s
        for s in api_json(app, "GET", f"/api/console/flows/{sid}")["body"]["definition"]["states"]
    }
    assert {
        k: states[fn]["properties"].get(k) for k in ("service_sid", "environment_sid", "function_sid")
    } == {
        "service_sid": env.service.sid,
        "environment_sid": env.sid,
        "function_sid": hello.function.sid,
    }
    assert states[fn]["properties"]["url"].endswith(f"/fn/{env.label}/hello")
    assert states[say]["properties"]["play"].endswith(f"/fn/{env.label}{hold.path}")
