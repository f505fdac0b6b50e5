"""Logging out of the console ends the session: a POST with the CSRF token (the console's
"Log out" button); a GET (an old link or bookmark) asks for that POST instead of failing."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client


def csrf_from(client: Client) -> str:
    client.get("/")  # the console page sets the CSRF cookie
    return client.cookies["csrftoken"].value


def test_it_logs_out_with_a_post_and_the_session_ends(console: Any) -> None:
    response = console.post("/logout", {"csrfmiddlewaretoken": csrf_from(console)})
    assert response.status_code == 302 and response["Location"] == "/login"
    after = console.get("/")
    assert after.status_code == 302 and after["Location"].startswith("/login")
    assert console.get("/api/console/me").status_code in (401, 403)


def test_it_refuses_a_logout_post_without_the_csrf_token(console: Any) -> None:
    assert console.post("/logout").status_code == 403
    assert console.get("/").status_code == 200  # still logged in: no cross-site log-out


def test_a_get_shows_a_log_out_button_and_keeps_the_session(console: Any) -> None:
    page = console.get("/logout")
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'<form method="post" action="/logout">', html)
    assert 'name="csrfmiddlewaretoken"' in html
    assert console.get("/").status_code == 200
