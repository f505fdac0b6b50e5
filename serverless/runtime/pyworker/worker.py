"""One warm Python worker of a build, inside the sandbox (the Python twin of node/worker.js).

Requests arrive as JSON lines on stdin, replies leave as JSON lines on the descriptor STUDIO_REPLY_FD; print() and
logging become the invocation's logs. One invocation at a time; the host kills the worker on timeout or crash.
"""

from __future__ import annotations

import asyncio
import base64
import importlib.util
import inspect
import json
import logging
import os
import shutil
import sys
import traceback
from types import ModuleType
from typing import Any

sys.path[:0] = ["/rt/py", "/rt/pysite"]

import netshim  # noqa: E402

netshim.install()

from functions_runtime import Context, Response, Runtime  # noqa: E402
from twilio.twiml import TwiML  # noqa: E402

BUNDLE = "/bundle"
OUT = int(os.environ.get("STUDIO_REPLY_FD", "3"))
MAX_LOG_LINES = 500
current: dict[str, Any] | None = None
modules: dict[str, ModuleType] = {}


def send(message: dict[str, Any]) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(OUT, data) :]


def log(level: str, message: str) -> None:
    if current is None or current["logs"] >= MAX_LOG_LINES:
        return
    current["logs"] += 1
    send({"id": current["id"], "type": "log", "level": level, "message": message[:8192]})


class LogStream:
    def __init__(self, level: str) -> None:
        self.level = level
        self.pending = ""

    def write(self, text: str) -> int:
        self.pending += text
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            log(self.level, line)
        return len(text)

    def flush(self) -> None:
        if self.pending:
            log(self.level, self.pending)
            self.pending = ""


class LogHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        level = (
            "error"
            if record.levelno >= logging.ERROR
            else "warn"
            if record.levelno >= logging.WARNING
            else "info"
        )
        log(level, self.format(record))


def load(filename: str) -> ModuleType:
    if filename in modules:
        return modules[filename]
    path = os.path.join(BUNDLE, filename)
    name = "fn_" + "".join(c if c.isalnum() else "_" for c in filename)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {filename}")
    module = importlib.util.module_from_spec(spec)
    module.__dict__["Response"] = Response
    module.__dict__["Runtime"] = RUNTIME
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    if not callable(getattr(module, "handler", None)):
        raise AttributeError("the module does not define a handler function")
    modules[filename] = module
    return module


RUNTIME = Runtime({}, {})


def encode(body: Any, headers: list[list[str]]) -> bytes:
    has_type = any(k.lower() == "content-type" for k, _ in headers)
    if body is None:
        return b""
    if isinstance(body, bytes):
        if not has_type:
            headers.append(["Content-Type", "application/octet-stream"])
        return body
    if isinstance(body, str):
        if not has_type:
            headers.append(["Content-Type", "text/html; charset=utf-8"])
        return body.encode()
    if not has_type:
        headers.append(["Content-Type", "application/json; charset=utf-8"])
    return json.dumps(body, default=str).encode()


def success(payload: Any) -> tuple[int, list[list[str]], bytes]:
    if payload is None:
        return 200, [], b""
    if isinstance(payload, str):
        return 200, [["Content-Type", "text/plain; charset=utf-8"]], payload.encode()
    if isinstance(payload, TwiML):
        return 200, [["Content-Type", "text/xml; charset=utf-8"]], str(payload).encode()
    if isinstance(payload, Response):
        headers = [
            [k, str(v)] for k, vs in payload.headers.items() for v in (vs if isinstance(vs, list) else [vs])
        ]
        body = payload.body
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
        if content_type.startswith("application/json") and not isinstance(body, str | bytes):
            body = json.dumps(body, default=str)
        return int(payload.status_code), headers, encode(body, headers)
    return (
        200,
        [["Content-Type", "application/json; charset=utf-8"]],
        json.dumps(payload, default=str).encode(),
    )


def failure(err: Any) -> tuple[int, list[list[str]], bytes, str]:
    if isinstance(err, BaseException):
        stack = "".join(traceback.format_exception(err))
        log("error", stack.rstrip())
        body = json.dumps({"message": str(err), "name": type(err).__name__, "stack": stack}).encode()
        return (
            500,
            [["Content-Type", "application/json; charset=utf-8"]],
            body,
            f"{type(err).__name__}: {err}",
        )
    headers: list[list[str]] = []
    return 500, headers, encode(err, headers), str(err)


def wipe_tmp() -> None:
    for entry in os.listdir("/tmp"):
        path = os.path.join("/tmp", entry)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                os.unlink(path)
            except OSError:
                pass


def run(module: ModuleType, context: Context, event: dict[str, Any]) -> tuple[Any, Any]:
    loop = asyncio.new_event_loop()
    done: asyncio.Future[tuple[Any, Any]] = loop.create_future()

    def callback(err: Any = None, payload: Any = None) -> None:
        def settle() -> None:
            if not done.done():
                done.set_result((err, payload))

        loop.call_soon_threadsafe(settle)

    async def call() -> None:
        try:
            returned = module.handler(context, event, callback)
            if inspect.isawaitable(returned):
                await returned
        except BaseException as exc:  # noqa: BLE001 - the function's own failure becomes its 500
            if not done.done():
                done.set_result((exc, None))

    loop.create_task(call())
    try:
        return loop.run_until_complete(done)
    finally:
        # after the callback the invocation is over: its pending work is torn down, as on Twilio
        for task in asyncio.all_tasks(loop):
            task.cancel()
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()


def invoke(request: dict[str, Any]) -> None:
    global current, RUNTIME
    current = {"id": request["id"], "logs": 0}
    functions = {f["path"]: os.path.join(BUNDLE, f["filename"]) for f in request["functions"]}
    assets = {a["path"]: os.path.join(BUNDLE, a["filename"]) for a in request["assets"]}
    RUNTIME = Runtime(functions, assets)
    error: str | None = None
    try:
        module = load(request["filename"])
        module.__dict__["Runtime"] = RUNTIME
        err, payload = run(module, Context(request["context"], request["api_base_url"]), request["event"])
        if err:
            status, headers, body, error = failure(err)
        else:
            status, headers, body = success(payload)
    except BaseException as exc:  # noqa: BLE001 - loading or serializing failed
        status, headers, body, error = failure(exc)
    sys.stdout.flush()
    sys.stderr.flush()
    reply = {"id": request["id"], "type": "result", "status": status, "headers": headers, "error": error}
    reply["body"] = base64.b64encode(body).decode()
    current = None
    wipe_tmp()
    send(reply)


def check(request: dict[str, Any]) -> None:
    errors = []
    for filename in request["files"]:
        try:
            load(filename)
        except SyntaxError as exc:
            errors.append(f"{filename}: SyntaxError: {exc.msg} (line {exc.lineno})")
        except BaseException as exc:  # noqa: BLE001 - every failure to load is a build error
            errors.append(f"{filename}: {type(exc).__name__}: {exc}")
    send({"id": request["id"], "type": "checked", "errors": errors})


def main() -> None:
    handler = LogHandler()
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    sys.stdout = LogStream("info")  # type: ignore[assignment]
    sys.stderr = LogStream("error")  # type: ignore[assignment]
    send({"type": "ready"})
    for line in sys.__stdin__ or []:
        request = json.loads(line)
        if request.get("op") == "check":
            check(request)
        else:
            invoke(request)


if __name__ == "__main__":
    main()
