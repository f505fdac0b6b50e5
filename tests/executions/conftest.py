from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def eager_celery() -> Iterator[None]:
    """Tasks run in-process in these tests, whatever REDIS_URL says (topology tests opt out)."""
    from config.celery import app

    old = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


@pytest.fixture
def flow_factory(alice: Any) -> Any:
    from tests.executions.factories import make_flow

    def make(definition: dict[str, Any], account: Any = None, **kw: Any) -> Any:
        return make_flow(account or alice, definition, **kw)

    return make
