"""A local HTTP server for widget tests (Make HTTP Request, Run Function, TwiML Redirect).

``stub.route("/path", status=200, body=..., content_type=..., headers=...)`` or
``stub.route("/path", handler=fn)`` where ``fn(req) -> (status, headers, body)``; every request
is recorded in ``stub.requests``. Import ``stub_fixture``/``allow_local_fixture`` into a test
module to get the ``stub``/``allow_local`` fixtures.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode()))

    @property
    def json(self) -> Any:
        return json.loads(self.body)


Reply = tuple[int, dict[str, str], bytes | str]


@dataclass
class Stub:
    port: int = 0
    routes: dict[str, Callable[[Recorded], Reply]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(
        self,
        path: str,
        *,
        status: int = 200,
        body: Any = "",
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        handler: Callable[[Recorded], Reply] | None = None,
    ) -> None:
        if handler is None:
            if not isinstance(body, (str, bytes)):
                body = json.dumps(body)
                content_type = content_type or "application/json"
            hdrs = {"Content-Type": content_type or "text/plain", **(headers or {})}

            def handler(_req: Recorded, body: Any = body, hdrs: dict[str, str] = hdrs) -> Reply:
                if delay:
                    time.sleep(delay)
                return status, hdrs, body

        self.routes[path] = handler


class _Handler(BaseHTTPRequestHandler):
    stub: Stub

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        rec = Recorded(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        self.stub.requests.append(rec)
        handler = self.stub.routes.get(parts.path)
        status, headers, payload = handler(rec) if handler else (404, {"Content-Type": "text/plain"}, "nope")
        data = payload.encode() if isinstance(payload, str) else payload
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


@pytest.fixture(name="stub")
def stub_fixture() -> Iterator[Stub]:
    """A fresh server on 127.0.0.1 (not yet allowed: see ``allow_local``)."""
    state = Stub()
    handler = type("Handler", (_Handler,), {"stub": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(name="allow_local")
def allow_local_fixture(settings: Any) -> None:
    """Widgets may call 127.0.0.1 (the stub) in this test."""
    settings.STUDIO = {**settings.STUDIO, "ALLOWED_HTTP_HOSTS": ["127.0.0.1"]}
