"""Fixtures of the runtime tests: bundles (shared per session, so workers stay warm) and a local API peer."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from serverless.runtime import Bundle, shutdown_pool
from tests.serverless.runtime.support import ApiServer, bundle_of


@pytest.fixture(scope="session", autouse=True)
def runtime_pool() -> Iterator[None]:
    yield
    shutdown_pool()


@pytest.fixture(scope="session")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> Callable[[dict[str, bytes]], Bundle]:
    """Makes a bundle from files; the same files give the same bundle (and so the same warm workers)."""
    made: dict[str, Bundle] = {}

    def make(files: dict[str, bytes]) -> Bundle:
        key = json.dumps(sorted((k, v.decode("latin-1")) for k, v in files.items()))
        if key not in made:
            made[key] = bundle_of(tmp_path_factory.mktemp("bundle"), files)
        return made[key]

    return make


@pytest.fixture
def api_server() -> Iterator[ApiServer]:
    server = ApiServer()
    yield server
    server.server.shutdown()
    server.server.server_close()
