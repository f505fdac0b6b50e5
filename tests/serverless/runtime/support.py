"""Helpers of the runtime tests: bundles from project folders or inline sources, a local stand-in API."""

from __future__ import annotations

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from serverless.runtime import AssetFile, Bundle, FunctionFile, InvokeRequest, prepare_bundle
from serverless.runtime.types import InvokeResult

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "functions"
ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "a" * 32
_sids = itertools.count(1)


def _visibility(name: str) -> tuple[str, str]:
    for suffix in ("protected", "private"):
        if f".{suffix}." in name:
            return name.replace(f".{suffix}", ""), suffix
    return name, "public"


def bundle_of(root: Path, files: dict[str, bytes], node_modules: Path | None = None) -> Bundle:
    """A bundle laid out as a Toolkit project: functions/ (suffixes set visibility) and assets/."""
    functions: list[FunctionFile] = []
    assets: list[AssetFile] = []
    for name in sorted(files):
        n = next(_sids)
        if name.startswith("functions/"):
            plain, visibility = _visibility(name[len("functions") :])
            stem, _, ext = plain.rpartition(".")
            language = "python" if ext == "py" else "node"
            functions.append(FunctionFile(stem, visibility, f"ZH{n:032x}", name, language))
        elif name.startswith("assets/"):
            plain, visibility = _visibility(name[len("assets") :])
            assets.append(AssetFile(plain, visibility, f"ZH{n:032x}", name))
    return prepare_bundle(f"ZB{next(_sids):032x}", root, files, functions, assets, node_modules)


def corpus_files(project: str) -> dict[str, bytes]:
    base = CORPUS / project
    return {
        str(path.relative_to(base)): path.read_bytes()
        for folder in ("functions", "assets")
        for path in (base / folder).rglob("*")
        if path.is_file()
    }


def request(bundle: Bundle, path: str, event: dict[str, Any] | None = None, **kw: Any) -> InvokeRequest:
    context = {"DOMAIN_NAME": "demo-1234.example.com", "PATH": path, "SERVICE_SID": "ZS" + "0" * 32}
    context.update(kw.pop("context", {}))
    return InvokeRequest(
        bundle, path, context, event or {}, kw.pop("api_base_url", "http://127.0.0.1:9"), **kw
    )


def header(result: InvokeResult, name: str) -> list[str]:
    return [v for k, v in result.headers if k.lower() == name.lower()]


class ApiServer:
    """A local HTTP peer standing in for this server's API: records requests, answers JSON."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        recorded = self.requests

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                recorded.append(
                    {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                )
                answer: dict[str, Any] = {"sid": "SM" + "f" * 32, "status": "queued", "body": "ok"}
                if "/Executions" in self.path:
                    meta = {"page": 0, "page_size": 50, "key": "executions", "next_page_url": None}
                    answer = {"executions": [], "meta": meta}
                payload = json.dumps(answer).encode()
                self.send_response(201 if self.command == "POST" else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _answer
            do_POST = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
