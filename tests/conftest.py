"""Shared fixtures: personas on separate accounts, API clients, and the network guard."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import _guarded_connect, _guarded_connect_ex, _real_connect, _real_connect_ex, basic_auth


@pytest.fixture(autouse=True, scope="session")
def network_guard() -> Iterator[None]:
    """Any connection outside loopback fails the test that opened it."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing() -> Iterator[None]:
    """Passwords hash with MD5 in tests: Django's PBKDF2 (a million rounds) costs ~0.3 s of CPU per
    console user made or signed in, minutes over the suite. Production keeps PBKDF2 (settings)."""
    from django.test import override_settings

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    fast.enable()
    yield
    fast.disable()


@pytest.fixture(autouse=True, scope="session")
def quick_flush_on_postgresql() -> Iterator[None]:
    """Transactional tests (live servers, on_commit, sockets) end with a flush of every table. On
    PostgreSQL Django flushes with one TRUNCATE of all tables, which costs ~250 ms whatever their
    size (new files for each table); a DELETE of each costs ~10 ms for a test's few rows. The
    foreign keys Django makes are deferred, so the order does not matter inside the flush's
    transaction. Content types and permissions stay (the flush's post_migrate would only make them
    again, under new ids). Sequence resets and cascades (``available_apps``) keep Django's TRUNCATE."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(
        self: DatabaseOperations,
        style: Any,
        tables: Any,
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        kept = {"django_content_type", "auth_permission"}
        return [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(t))};"
            for t in tables
            if t not in kept
        ]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = truncate  # type: ignore[method-assign]


@pytest.fixture(autouse=True, scope="session")
def no_database_sessions_left(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Servers that tests start (the live server, uvicorn) run requests on threads of their
    own, each with a database connection that outlives the thread: at the end of the session
    they are closed, so the test database can be dropped (PostgreSQL refuses while in use)."""
    yield
    import gc

    from django.db import connection

    gc.collect()
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture(autouse=True)
def fresh_limits() -> Iterator[None]:
    """Rate and failed-sign-in counters (accounts.limits) start at zero in every test."""
    from django.core.cache import cache

    from accounts import limits

    cache.clear()
    limits.webhooks.counts.clear()
    yield


@pytest.fixture(autouse=True)
def fresh_revision_cache() -> Iterator[None]:
    """Revisions are kept per process by id (executions.engine.revisions): ids are never reused
    in production, but a rolled-back test gives its ids to the next test's rows."""
    from executions.engine import revisions

    revisions.clear()
    yield


@pytest.fixture(autouse=True)
def eager_celery() -> Iterator[None]:
    """Tasks run in-process in tests, whatever REDIS_URL says: no worker runs beside pytest.
    (The topology tests start real workers in their own processes.)"""
    from config.celery import app

    old = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


@pytest.fixture
def make_account(db: Any) -> Any:
    from accounts.models import Account

    def make(name: str = "Account", **kw: Any) -> Account:
        return Account.objects.create(friendly_name=name, **kw)

    return make


@pytest.fixture
def alice(make_account: Any) -> Any:
    """Alice's account: the caller in most tests."""
    return make_account("Alice's account")


@pytest.fixture
def bob(make_account: Any) -> Any:
    """Bob's account: a stranger whose resources Alice must never see."""
    return make_account("Bob's account")


@pytest.fixture
def api(alice: Any) -> Any:
    """A DRF test client authenticated as Alice with her account sid and auth token."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic_auth(alice.sid, alice.auth_token))
    client.account = alice
    return client


@pytest.fixture
def bob_api(bob: Any) -> Any:
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic_auth(bob.sid, bob.auth_token))
    client.account = bob
    return client


@pytest.fixture
def console(alice: Any, django_user_model: Any) -> Any:
    """A browser-like Django client logged into the console as Alice's owner, CSRF enforced."""
    from django.test import Client

    from accounts.models import Membership

    user = django_user_model.objects.create_user(username="alice", password="alice-password")
    Membership.objects.create(user=user, account=alice, role=Membership.Role.OWNER)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.account = alice
    client.user = user
    return client


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Browser tests run last: Playwright's sync API leaves an event loop in the main thread,
    which breaks later tests that use async_to_sync (Channels)."""
    items.sort(key=lambda item: "/tests/e2e/" in str(item.path))
