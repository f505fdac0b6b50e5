"""Every operation of the OpenAPI schema (`/api/schema/`), fuzzed by schemathesis with Alice's
credentials against the WSGI application in-process: no answer is a server error (5xx), and every
answer matches the schema (a documented status code, content type and body).

The operations are read from the schema at collection time, so an operation that lands later is
fuzzed without editing this file. Path parameters are mostly filled with the SIDs of Alice's own
resources (tests/hardening/world.py), so cases reach the views' real work rather than a 404; some
keep what the fuzzer drew. Each case runs in a savepoint that is rolled back, so a DELETE does not
starve the cases after it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from executions.management.reliability import now
from tests.hardening.world import CSRF_TOKEN, World, build_world, sid_for

pytestmark = pytest.mark.django_db  # also makes pytest-django set up the test database

CASES_PER_OPERATION = 6  # × every operation (~240): over 1,000 cases in all, within the suite's budget
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def load_schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    generated = SchemaGenerator().get_schema(request=None, public=True)
    return dict(json.loads(json.dumps(generated, default=str)))


SCHEMA = schemathesis.openapi.from_dict(load_schema())
APP = WSGIHandler()
FIGURES = {"operations": 0, "cases": 0, "server_errors_or_schema_breaks": 0}
OPERATIONS = [(result.ok().method.upper(), result.ok().path) for result in SCHEMA.get_all_operations()]


def credentials(operation: Any, world: World) -> dict[str, Any]:
    schemes = {name for requirement in operation.definition.raw.get("security", []) for name in requirement}
    if "twilioBasic" in schemes:
        return {"headers": {"Authorization": world.basic}}
    return {"headers": {"X-CSRFToken": CSRF_TOKEN}, "cookies": world.cookies()}


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    """Alice's world, built once for the module inside a transaction rolled back at its end."""
    from accounts.models import Account

    root = tmp_path_factory.mktemp("serverless")
    serverless = {**django_settings.SERVERLESS, "ROOT": root, "FUNCTIONS_DOMAIN": ""}
    # As Django's test client does: the handler's signals would close the connection, which is
    # inside the test's transaction (PostgreSQL closes it for real; SQLite's in-memory one not).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock(), override_settings(SERVERLESS=serverless):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world(Account.objects.create(friendly_name="Alice's account"), "alice")
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_it_answers_every_case_without_a_server_error_and_as_documented(
    method: str, path: str, world: World
) -> None:
    operation = SCHEMA[path][method.lower()]
    names = [p.name for p in operation.path_parameters]
    real = {name: sid_for(path, name, world.sids) for name in names}
    real = {name: value for name, value in real.items() if value is not None}
    strategy = st.one_of(
        operation.as_strategy(path_parameters=real),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE, path_parameters=real),
        operation.as_strategy(),
    )
    auth = credentials(operation, world)
    failures: list[str] = []

    @hsettings(
        max_examples=CASES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases on every run: CI does not flicker; raise the count to explore
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        FIGURES["cases"] += 1
        with transaction.atomic():
            try:
                response = case.call(app=APP, **auth)
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as group:
                failures.append(str(group)[:1500])
            except Exception as exc:  # the app raised: a server error
                failures.append(f"{type(exc).__name__}: {exc}"[:1500])
            transaction.set_rollback(True)

    run()
    FIGURES["operations"] += 1
    FIGURES["server_errors_or_schema_breaks"] += len(failures)
    assert failures == [], "\n\n".join(failures[:3])


def test_it_fuzzed_at_least_1000_cases_in_all() -> None:
    """Run after the operations (same module): the total, and the figures docs/RELIABILITY.md
    quotes, written to var/reliability/fuzz.json."""
    if FIGURES["operations"] < len(OPERATIONS):
        pytest.skip("only some operations were selected")
    assert FIGURES["cases"] >= 1000, FIGURES
    out = Path(django_settings.BASE_DIR) / "var" / "reliability" / "fuzz.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    figures = {**FIGURES, "cases_per_operation": CASES_PER_OPERATION, "measured_at": now()}
    out.write_text(json.dumps(figures, indent=2))
