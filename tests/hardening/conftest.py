from __future__ import annotations

from collections.abc import Iterator

import pytest

from scenarios.stubs import Stub


@pytest.fixture
def stub() -> Iterator[Stub]:
    """A fresh HTTP server on 127.0.0.1, which the server's outbound requests may not reach."""
    with Stub() as server:
        yield server
