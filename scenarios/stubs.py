"""HTTP peers on 127.0.0.1: the one stub server of the project, for scenarios and for tests.

``LoopbackServer`` is the server: a free port on 127.0.0.1, a daemon thread, every request parsed
into a ``Recorded`` and answered by a ``responder`` (or left unanswered, which the client sees as
a network error). Two front ends share it:

- ``HttpStubs``, the ``"http"`` section of a scenario: canned responses matched by method and URL
  (``url``, ``url_prefix``, ``url_pattern``), one server per origin the flow calls, reached through
  ``executions.backends.http_client.routed`` (the flow and its URLs are not rewritten). Requests
  are recorded as plain dicts, the shape ``expect_requests`` compares (``scenarios.checks``).
- ``Stub``, for tests: one server, answers routed by path (``stub.route("/path", status=...,
  body=..., handler=fn)``), requests recorded as ``Recorded``.

Tests never reach the internet: these servers listen on loopback only.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

from executions.backends import http_client


@dataclass
class Recorded:
    """One request as the server received it (header names lower-cased)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    target: str = ""  # the request target as sent: path and query

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode()))

    @property
    def json(self) -> Any:
        return json.loads(self.body)


# (status, headers, body); Content-Length is added.
Reply = tuple[int, dict[str, str], bytes | str]
# None: close the connection without an answer.
Responder = Callable[[Recorded], Reply | None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LoopbackServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Recorded(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
            target=self.path,
        )
        reply = self.server.responder(request)
        if reply is None:
            self.close_connection = True  # no response: the client sees a network error
            return
        status, headers, payload = reply
        data = payload.encode() if isinstance(payload, str) else payload
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout under test)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class LoopbackServer(ThreadingHTTPServer):
    """A server on 127.0.0.1 (a free port), serving from a daemon thread until ``close()``."""

    daemon_threads = True

    def __init__(self, responder: Responder, name: str = "stub-http") -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.responder = responder
        threading.Thread(target=self.serve_forever, name=name, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def close(self) -> None:
        self.shutdown()
        self.server_close()


# -- tests: one server, answers by path ---------------------------------------------------------


class Stub:
    """A server for one test: ``route`` answers by path; every request lands in ``requests``."""

    def __init__(self) -> None:
        self.routes: dict[str, Callable[[Recorded], Reply]] = {}
        self.requests: list[Recorded] = []
        self.server = LoopbackServer(self._answer)

    @property
    def port(self) -> int:
        return self.server.port

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
        """Answer ``path`` with a canned reply (``body`` other than str/bytes is sent as JSON),
        or with ``handler(request) -> (status, headers, body)``."""
        if handler is None:
            if not isinstance(body, str | bytes):
                body = json.dumps(body)
                content_type = content_type or "application/json"
            hdrs = {"Content-Type": content_type or "text/plain", **(headers or {})}

            def handler(_req: Recorded, body: Any = body, hdrs: dict[str, str] = hdrs) -> Reply:
                if delay:
                    time.sleep(delay)
                return status, hdrs, body

        self.routes[path] = handler

    def _answer(self, request: Recorded) -> Reply:
        self.requests.append(request)
        handler = self.routes.get(request.path)
        return handler(request) if handler else (404, {"Content-Type": "text/plain"}, "nope")

    def close(self) -> None:
        self.server.close()

    def __enter__(self) -> Stub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- scenarios: the "http" section ---------------------------------------------------------------


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def normalize_url(url: str) -> str:
    """Scheme and host lower-cased, a default port dropped: how recorded URLs are written."""
    parts = urlsplit(str(url))
    if not parts.scheme or not parts.netloc:
        return str(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    netloc = host if parts.port in (None, _default_port(scheme)) else f"{host}:{parts.port}"
    return parts._replace(scheme=scheme, netloc=netloc).geturl()


def _flat(parsed: dict[str, list[str]]) -> dict[str, Any]:
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}


class HttpStubs:
    """Canned HTTP responses, served on 127.0.0.1 while ``active()`` is entered.

    One server per origin (scheme, host, port) the flow calls, started on first use. Every
    request is recorded in ``requests`` (method, url, headers, query, form, json, body, matched).
    """

    def __init__(self, stubs: list[dict[str, Any]]) -> None:
        if not isinstance(stubs, list):
            raise ValueError('"http" must be a list of stubs')
        for stub in stubs:
            if not isinstance(stub, dict) or not any(k in stub for k in ("url", "url_prefix", "url_pattern")):
                raise ValueError(f"http stub {stub!r} needs url, url_prefix or url_pattern")
        self.stubs = [dict(s) for s in stubs]
        self.used: set[int] = set()
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.servers: dict[tuple[str, str, int], LoopbackServer] = {}

    def route(self, scheme: str, host: str, port: int) -> tuple[str, int]:
        """Where ``http_client`` sends a hop to this origin (called for every hop in ``active()``)."""
        key = (scheme, host, port)
        with self.lock:
            server = self.servers.get(key)
            if server is None:
                origin = f"{scheme}://{host}" + ("" if port == _default_port(scheme) else f":{port}")
                server = LoopbackServer(self._responder(origin), name=f"scenario-http-{host}")
                self.servers[key] = server
        return "127.0.0.1", server.port

    def active(self) -> AbstractContextManager[None]:
        return http_client.routed(self.route)

    def close(self) -> None:
        for server in self.servers.values():
            server.close()
        self.servers.clear()

    def match(self, method: str, url: str) -> dict[str, Any] | None:
        """The first stub (a ``once`` stub not used yet) for this method and URL."""
        bare = url.split("?", 1)[0]
        with self.lock:
            for i, stub in enumerate(self.stubs):
                if i in self.used:
                    continue
                if stub.get("method") and str(stub["method"]).upper() != method:
                    continue
                if "url" in stub:
                    want = normalize_url(stub["url"])
                    hit = want == (url if "?" in want else bare)
                elif "url_prefix" in stub:
                    hit = url.startswith(normalize_url(stub["url_prefix"]))
                else:
                    hit = re.search(str(stub["url_pattern"]), url) is not None
                if hit:
                    if stub.get("once"):
                        self.used.add(i)
                    return stub
        return None

    def record(self, method: str, url: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        text = body.decode("utf-8", errors="replace")
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        entry: dict[str, Any] = {
            "method": method,
            "url": url,
            "headers": headers,
            "query": _flat(parse_qs(urlsplit(url).query, keep_blank_values=True)),
            "body": text,
        }
        if media == "application/x-www-form-urlencoded":
            entry["form"] = _flat(parse_qs(text, keep_blank_values=True))
        elif media == "application/json" or media.endswith("+json"):
            try:
                entry["json"] = json.loads(text)
            except ValueError:
                pass
        with self.lock:
            self.requests.append(entry)
        return entry

    def _responder(self, origin: str) -> Responder:
        def answer(request: Recorded) -> Reply | None:
            url = origin + request.target
            entry = self.record(request.method, url, request.headers, request.body)
            stub = self.match(request.method, url)
            entry["matched"] = stub is not None
            if stub is None or stub.get("drop"):
                return None
            if stub.get("delay"):
                time.sleep(float(stub["delay"]))
            raw = stub.get("body", "")
            if isinstance(raw, str):
                payload, ctype = raw.encode(), "text/plain; charset=utf-8"
            else:
                payload, ctype = json.dumps(raw).encode(), "application/json"
            headers = {"Content-Type": str(stub.get("content_type") or ctype)}
            headers.update({str(k): str(v) for k, v in (stub.get("headers") or {}).items()})
            return int(stub.get("status", 200)), headers, payload

        return answer
