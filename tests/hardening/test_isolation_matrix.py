"""The isolation matrix, generated from the URL configuration: every route × every method ×
another account's API credentials and another account's console session, with the path filled
with SIDs of Alice's resources, answers 404 — or 401/403 when that kind of credential is not
taken there at all — and shows nothing of Alice's; every write × a viewer of Alice's account
answers 403. A route that is neither covered nor on the public list (tests/hardening/routes.py)
fails the first test, so a new endpoint cannot be missed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client

from tests.hardening.routes import PUBLIC, Route, http_routes, record
from tests.hardening.world import BUILT_KINDS, CSRF_TOKEN, World, build_world, sid_for

pytestmark = pytest.mark.django_db

WRITES = ("post", "put", "patch", "delete")
REFUSED = (401, 403, 404)
# A viewer may use these writes: they change nothing of the account's (a check, or the agent's
# own presence as the worker the session stands for).
AGENT = "an agent's own work as the worker linked to the session's user (any role); another user's worker is a 404"
VIEWER_MAY = {
    ("console-validate", "post"): "validates a definition sent in the body; stores nothing",
    ("flex-console-activity", "post"): AGENT,
    ("flex-console-reservation", "post"): AGENT,
    ("flex-console-messages", "post"): AGENT,
    ("flex-console-typing", "post"): AGENT,
    ("console-accounts-switch", "post"): "picks which of the user's own accounts the session shows",
}


@pytest.fixture
def worlds(alice: Any, bob: Any, settings: Any, tmp_path: Any) -> tuple[World, World]:
    settings.SERVERLESS = {**settings.SERVERLESS, "ROOT": tmp_path, "FUNCTIONS_DOMAIN": ""}
    return build_world(alice, "alice"), build_world(bob, "bob")


def covered_routes() -> list[Route]:
    return [r for r in http_routes() if r.public_reason() is None]


def fill(route: Route, world: World) -> str | None:
    values = {name: sid_for(route.template, name, world.sids) for name in route.params}
    if any(value is None for value in values.values()):
        return None
    return route.path({k: v for k, v in values.items() if v is not None})


def request(world: World, kind: str, method: str, path: str) -> Any:
    client = Client(enforce_csrf_checks=True)
    headers: dict[str, str] = {}
    if kind == "basic":
        headers["HTTP_AUTHORIZATION"] = world.basic
    else:
        for name, value in world.cookies().items():
            client.cookies[name] = value
        headers["HTTP_X_CSRFTOKEN"] = CSRF_TOKEN
    if method == "get":
        return client.get(path, **headers)
    return getattr(client, method)(path, data="{}", content_type="application/json", **headers)


def viewer_session(world: World) -> World:
    from django.contrib.auth import get_user_model

    from accounts.models import Membership

    user = get_user_model().objects.create_user(username=f"viewer-{world.user.username}")
    Membership.objects.create(user=user, account=world.account, role=Membership.Role.VIEWER)
    client = Client()
    client.force_login(user)
    return World(world.account, user, client.cookies["sessionid"].value, world.sids)


def rolled_back(world: World, kind: str, method: str, path: str) -> Any:
    """The answer to a request whose writes are undone (so later requests see the same world)."""
    with transaction.atomic():
        response = request(world, kind, method, path)
        transaction.set_rollback(True)
    return response


def fingerprint() -> dict[str, str]:
    """Every row of the project's models, to show that a stranger's requests changed nothing."""
    rows = {}
    for label in (
        "accounts",
        "studio",
        "executions",
        "flex",
        "serverless",
        "conversations",
        "webchat",
        "scenarios",
    ):
        for model in apps.get_app_config(label).get_models():
            values = list(model.objects.order_by("pk").values())
            rows[model._meta.label] = json.dumps(values, default=str, sort_keys=True)
    return rows


def secrets_of(world: World) -> list[str]:
    # Not secrets: a revision number, a membership's row number, a saved test's name.
    return [sid for key, sid in world.sids.items() if key not in {"revision", "member", "flow_test"}]


def test_it_covers_every_route_or_names_why_it_is_public() -> None:
    """A route is covered when each of its parameters names a kind of resource the world builds
    (tests/hardening/world.py), or public with a reason (tests/hardening/routes.py)."""
    every_kind = World(None, None, "", dict.fromkeys(BUILT_KINDS, "X"))
    uncovered = [r.template for r in covered_routes() if r.params and fill(r, every_kind) is None]
    assert uncovered == [], "parameters naming no resource the world builds: extend world.py"
    names = {r.name for r in http_routes()}
    assert set(PUBLIC) - {"admin/"} <= names, "a public route was removed: drop it from the list"


class Matrix:
    def __init__(self) -> None:
        self.tried = 0
        self.problems: list[str] = []

    def expect(self, ok: bool, what: str) -> None:
        self.tried += 1
        if not ok:
            self.problems.append(what)


def leaks(response: Any, secrets: list[str]) -> list[str]:
    """Alice's SIDs in the answer, but those the request named itself (a 404's message echoes
    the path it was asked for, as Twilio's does)."""
    text = response.content.decode("utf-8", "replace")
    asked = response.wsgi_request.path
    return [s for s in secrets if s in text and s not in asked]


@pytest.fixture
def matrix() -> Iterator[Matrix]:
    yield Matrix()


@pytest.mark.timeout(600)  # one request per route × method × credential kind: ~30 s on a quiet machine
def test_it_answers_another_accounts_credentials_and_session_with_404(
    worlds: tuple[World, World], matrix: Matrix
) -> None:
    alice, bob = worlds
    assert set(alice.sids) == set(BUILT_KINDS)
    secrets = secrets_of(alice)
    before = fingerprint()
    for route in covered_routes():
        path_a = fill(route, alice)
        assert path_a is not None, route.template
        for method in route.methods:
            for kind in ("basic", "session"):
                label = f"{kind} {method.upper()} {route.template}"
                if not route.params:
                    # Bob's own collection: whatever he may do there, nothing of Alice's shows.
                    answer = rolled_back(bob, kind, method, path_a)
                    matrix.expect(answer.status_code < 500, f"{label}: {answer.status_code}")
                    matrix.expect(not leaks(answer, secrets), f"{label} shows {leaks(answer, secrets)}")
                    continue
                own = rolled_back(alice, kind, method, path_a)
                answer = request(bob, kind, method, path_a)
                taken = own.status_code not in (401, 403)
                want = (404,) if taken else REFUSED
                matrix.expect(
                    answer.status_code in want, f"{label}: {answer.status_code} (Alice: {own.status_code})"
                )
                matrix.expect(not leaks(answer, secrets), f"{label} shows {leaks(answer, secrets)}")
    changed = [label for label, rows in fingerprint().items() if before[label] != rows]
    record("cross_account", routes=len(covered_routes()), tried=matrix.tried, problems=len(matrix.problems))
    assert matrix.problems == [], "\n".join(matrix.problems)
    assert changed == [], f"another account's requests changed {changed}"


def test_it_answers_a_viewer_403_on_every_write(worlds: tuple[World, World], matrix: Matrix) -> None:
    alice, _ = worlds
    viewer = viewer_session(alice)
    for route in covered_routes():
        path = fill(route, alice)
        assert path is not None
        for method in (m for m in route.methods if m in WRITES):
            if (route.name, method) in VIEWER_MAY:
                continue
            own = rolled_back(alice, "session", method, path)
            if own.status_code in (401, 403):
                continue  # no console session is taken here at all (API credentials only)
            answer = rolled_back(viewer, "session", method, path)
            matrix.expect(
                answer.status_code == 403,
                f"viewer {method.upper()} {route.template}: {answer.status_code} (owner: {own.status_code})",
            )
    record("viewer_writes", tried=matrix.tried, problems=len(matrix.problems))
    assert matrix.problems == [], "\n".join(matrix.problems)
