"""Browser-test fixtures: Debian Chromium, a live server, and a logged-in console user."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend" / "dist" / "index.html"
RESULTS = ROOT / "test-results"
CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            # Missing prerequisites fail loudly: `make test` installs Chromium and builds dist.
            item.add_marker(pytest.mark.usefixtures("_browser_prerequisites"))


@pytest.fixture(scope="session")
def _browser_prerequisites() -> None:
    assert Path(CHROMIUM).exists(), "Debian chromium is not installed: run `make chromium` (or `make test`)"
    assert DIST.exists(), "frontend/dist is not built: run `make frontend` (or `make test`)"


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an event loop in the test thread once a browser test has
    started; the ORM calls made by fixtures and database teardown are still plain synchronous
    code. Session-scoped (only sessions that run browser tests get it) so it outlives the
    per-test database flush."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1500, "height": 950}}


@pytest.fixture
def studio_user(transactional_db: Any, django_user_model: Any) -> Any:
    from accounts.models import Account, Membership

    account = Account.objects.create(friendly_name="Alice's account")
    user = django_user_model.objects.create_user(username="alice", password="alice-password")
    Membership.objects.create(user=user, account=account, role=Membership.Role.OWNER)
    user.account = account
    return user


@pytest.fixture
def app(live_server: Any, studio_user: Any, page: Any) -> Iterator[Any]:
    """A page logged into the console at the live server."""
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "alice-password")
    page.locator("form [type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")
    page.base = live_server.url  # type: ignore[attr-defined]
    page.account = studio_user.account  # type: ignore[attr-defined]
    # The console runs under its Content Security Policy (config.security): anything the policy
    # blocked is reported on the console, and fails the test.
    blocked: list[str] = []
    page.on(
        "console", lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    yield page
    assert blocked == [], blocked


def shot(page: Any, name: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / f"{name}.png"))
