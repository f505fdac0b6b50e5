"""The console's "Log out" ends the session (a POST with the CSRF token, under the page's CSP)."""

from __future__ import annotations

from typing import Any


def test_log_out_ends_the_session(app: Any) -> None:
    app.get_by_role("button", name="Log out").click()
    app.wait_for_url(f"{app.base}/login")
    app.goto(f"{app.base}/")
    assert app.url.startswith(f"{app.base}/login")  # the session is gone: the console asks to sign in
    assert app.request.get(f"{app.base}/api/console/me").status in (401, 403)
