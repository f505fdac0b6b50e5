from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from scenarios.stubs import Stub


@pytest.fixture
def flow_factory(alice: Any) -> Any:
    from tests.executions.factories import make_flow

    def make(definition: dict[str, Any], account: Any = None, **kw: Any) -> Any:
        return make_flow(account or alice, definition, **kw)

    return make


@pytest.fixture
def stub() -> Iterator[Stub]:
    """A fresh HTTP server on 127.0.0.1 (not yet allowed to widgets: see ``allow_local``)."""
    with Stub() as server:
        yield server


@pytest.fixture
def allow_local(settings: Any) -> None:
    """Widgets may call 127.0.0.1 (the stub) in this test."""
    settings.STUDIO = {**settings.STUDIO, "ALLOWED_HTTP_HOSTS": ["127.0.0.1"]}
