from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def flow_factory(alice: Any) -> Any:
    from tests.executions.factories import make_flow

    def make(definition: dict[str, Any], account: Any = None, **kw: Any) -> Any:
        return make_flow(account or alice, definition, **kw)

    return make
