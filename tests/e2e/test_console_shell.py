"""The console shell, the executions explorer and the settings page, driven in Chromium."""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from typing import Any

from executions.models import Execution
from tests.e2e.helpers import api_json
from tests.executions.factories import make_flow, survey


def rows(app: Any) -> Any:
    return app.locator("[data-testid=execution-row]")


def wait_rows(app: Any, n: int) -> None:
    app.wait_for_function("n => document.querySelectorAll('[data-testid=execution-row]').length === n", arg=n)


def test_the_shell_leads_to_every_part_of_the_console(app: Any) -> None:
    for nav, path, landmark in (
        ("executions", "/executions", "executions-explorer"),
        ("functions", "/functions", None),
        ("settings", "/settings", "settings-page"),
        ("flows", "/", "new-flow-name"),
    ):
        app.click(f"[data-testid=nav-{nav}]")
        app.wait_for_url(f"{app.base}{path}")
        if landmark:
            app.wait_for_selector(f"[data-testid={landmark}]")
        assert app.locator(f"[data-testid=nav-{nav}]").get_attribute("aria-current") == "page"
    app.click("[data-testid=nav-agents] summary")
    assert app.locator("[data-testid=nav-agent-console]").get_attribute("href") == "/flex/agent"
    assert app.locator("[data-testid=nav-supervisor]").get_attribute("href") == "/flex/supervisor"
    app.click("[data-testid=nav-supervisor]")
    app.wait_for_url(f"{app.base}/flex/supervisor")


def test_a_long_flow_name_keeps_the_flow_header_on_one_line(app: Any) -> None:
    name = "A very long flow name that goes on " * 6
    flow = make_flow(app.account, survey(), name=name.strip())
    app.goto(f"{app.base}/flows/{flow.sid}")
    header = app.locator("[data-testid=flow-name]")
    app.wait_for_function("() => document.querySelector('[data-testid=flow-name]').textContent.length > 100")
    assert header.get_attribute("title") == name.strip()
    box = header.bounding_box()
    button = app.locator("[data-testid=save-button]").bounding_box()
    assert box["height"] < 30 and abs(box["y"] - button["y"]) < 20  # one line, beside the buttons
    assert app.locator("[data-testid=nav-flows]").get_attribute("aria-current") == "page"


def test_the_explorer_filters_narrow_the_list_and_bulk_end_ends_the_selected(app: Any) -> None:
    one = make_flow(app.account, survey(), name="Survey one")
    two = make_flow(app.account, survey(), name="Survey two")
    app.goto(f"{app.base}/executions")
    for flow, contact in ((one, "+15550100001"), (one, "+15550100002"), (two, "+15550100003")):
        body = {"from": contact, "to": "+15550109999", "body": "hi"}
        answer = api_json(app, "POST", f"/api/console/flows/{flow.sid}/simulate/message", body)
        assert answer["status"] == 201, answer
    app.reload()
    wait_rows(app, 3)

    app.fill("[data-testid=filter-contact]", "0100002")
    wait_rows(app, 1)
    assert "+15550100002" in rows(app).first.inner_text()
    app.fill("[data-testid=filter-contact]", "")
    app.select_option("[data-testid=filter-flow]", one.sid)
    wait_rows(app, 2)
    assert f"flow={one.sid}" in app.url  # the filters are in the page's address
    app.fill("[data-testid=filter-widget]", "thanks")
    app.wait_for_selector("[data-testid=no-executions]")
    app.fill("[data-testid=filter-widget]", "ask")
    wait_rows(app, 2)

    rows(app).nth(0).locator("input[type=checkbox]").check()
    rows(app).nth(1).locator("input[type=checkbox]").check()
    app.click("[data-testid=end-selected]")
    app.wait_for_selector("[data-testid=explorer-notice]:has-text('Ended 2 executions')")
    wait_rows(app, 0)  # they no longer wait at "ask"
    app.select_option("[data-testid=filter-status]", "ended")
    app.fill("[data-testid=filter-widget]", "")
    wait_rows(app, 2)
    assert set(Execution.objects.filter(flow=one).values_list("status", flat=True)) == {"ended"}
    assert Execution.objects.get(flow=two).status == "active"

    app.click("[data-testid=execution-row] a")
    app.wait_for_selector("[data-testid=execution-page]")
    assert app.locator("[data-testid=execution-status]").inner_text() == "ended"
    assert "Hi hi, your name?" in app.locator("[data-testid=steps]").inner_text()
    app.click("[data-testid=show-path]")
    app.wait_for_selector("[data-testid=path-banner]")
    # The execution's path is drawn: the widgets it went through are marked visited.
    app.wait_for_selector("[data-widget-name=ask][data-live=visited]")


def test_settings_create_an_api_key_whose_secret_is_shown_once(app: Any) -> None:
    app.click("[data-testid=nav-settings]")
    app.wait_for_selector("[data-testid=api-keys]")
    app.fill("[data-testid=key-name]", "deploy")
    app.click("[data-testid=create-key]")
    secret = app.locator("[data-testid=new-key-secret-value]").inner_text()
    sid = app.locator("[data-testid=new-key-sid]").inner_text()
    assert sid.startswith("SK") and len(secret) > 20
    auth = base64.b64encode(f"{sid}:{secret}".encode()).decode()
    request = urllib.request.Request(f"{app.base}/v2/Flows", headers={"Authorization": f"Basic {auth}"})
    with urllib.request.urlopen(request, timeout=10) as res:
        assert res.status == 200  # the secret shown is the key's
    app.reload()
    app.wait_for_selector("[data-testid=key-row]")
    assert sid in app.locator("[data-testid=api-keys]").inner_text()
    assert secret not in app.content()  # never shown again
    app.on("dialog", lambda dialog: dialog.accept())
    app.click("[data-testid=key-row] button:has-text('Revoke')")
    app.wait_for_selector("[data-testid=key-row]", state="detached")
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("a revoked key still works")
    except urllib.error.HTTPError as refused:
        assert refused.code == 401


def test_a_user_in_two_accounts_switches_between_them(app: Any, studio_user: Any) -> None:
    from accounts.models import Account, Membership

    other = Account.objects.create(friendly_name="Bob's shop")
    Membership.objects.create(user=studio_user, account=other, role=Membership.Role.VIEWER)
    make_flow(app.account, survey(), name="Alice's survey")
    make_flow(other, survey(), name="Shop survey")
    app.goto(f"{app.base}/")
    app.wait_for_selector("text=Alice's survey")
    app.select_option("[data-testid=account-switcher]", other.sid)
    app.wait_for_selector("text=Shop survey")
    assert app.locator("text=Alice's survey").count() == 0
    assert "viewer" in app.locator("[data-testid=shell-user]").inner_text()
    app.click("[data-testid=nav-executions]")
    app.wait_for_selector("[data-testid=executions-explorer]")
    assert app.locator("[data-testid=end-selected]").is_disabled()  # a viewer cannot end
