"""Functions tests keep their files in a per-session directory; the npm cache is shared by runs."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scenarios.stubs import Stub


@pytest.fixture(autouse=True)
def serverless_root(settings: Any, tmp_path_factory: Any) -> Iterator[Path]:
    root = tmp_path_factory.getbasetemp() / "serverless"
    settings.SERVERLESS = {**settings.SERVERLESS, "ROOT": root, "FUNCTIONS_DOMAIN": ""}
    yield root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def api_url(transactional_db: Any) -> Iterator[str]:
    """This server's API over HTTP/1.1 with keep-alive (uvicorn), as a deployed function reaches it."""
    import uvicorn

    from config.asgi import application

    port = free_port()
    config = uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def stub() -> Iterator[Stub]:
    """A local HTTP peer on 127.0.0.1 (reachable from functions once ``allow_local`` says so)."""
    with Stub() as server:
        yield server


@pytest.fixture
def allow_local(settings: Any) -> None:
    """Outbound requests from functions (and widgets) may reach 127.0.0.1 in this test."""
    settings.STUDIO = {**settings.STUDIO, "ALLOWED_HTTP_HOSTS": ["127.0.0.1"]}
