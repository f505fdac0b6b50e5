"""One sandboxed worker process (Node or Python) of one build, driven over pipes from the server's side."""

from __future__ import annotations

import base64
import collections
import concurrent.futures
import contextlib
import json
import os
import select
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

from . import sandbox
from .netproxy import Policy, Proxy, allowed_hosts
from .types import Bundle, FunctionFile, InvokeRequest, InvokeResult, LogLine

STARTUP_TIMEOUT = 20.0
MAX_MESSAGE = 64 << 20
TIMEOUT_ERROR = "runtime application timed out"


class WorkerDied(Exception):
    pass


class Worker:
    def __init__(self, bundle: Bundle, language: str, slot: int) -> None:
        self.bundle = bundle
        self.language = language
        self.slot = slot
        self.busy = True
        self.last_used = time.monotonic()
        self.alive = False
        self.invocations = 0
        self._next_id = 0
        self._buffer = b""
        self._tail: collections.deque[str] = collections.deque(maxlen=40)
        self._logs: list[LogLine] | None = None
        self._lock = threading.Lock()
        self.proxy: Proxy | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._reply_fd = -1

    def start(self) -> None:
        self.proxy = Proxy()
        argv = sandbox.command(
            self.language, self.slot, self.bundle.root, self.bundle.node_modules, self.proxy.dir
        )
        read_fd, write_fd = os.pipe()
        # the worker writes its replies to this descriptor, out of reach of what functions print
        argv[argv.index("--chdir") : argv.index("--chdir")] = ["--setenv", "STUDIO_REPLY_FD", str(write_fd)]
        try:
            self.process = _SPAWNER.submit(_popen, argv, write_fd).result()
        finally:
            os.close(write_fd)
        self._reply_fd = read_fd
        for stream, level in ((self.process.stdout, "info"), (self.process.stderr, "error")):
            threading.Thread(
                target=self._drain, args=(stream, level), daemon=True, name="fn-worker-io"
            ).start()
        try:
            self._read(time.monotonic() + STARTUP_TIMEOUT, want="ready")
        except (WorkerDied, TimeoutError) as exc:
            tail = "\n".join(self._tail)
            self.close()
            raise WorkerDied(f"the {self.language} worker did not start: {exc} {tail}".strip()) from None
        self.alive = True

    def _drain(self, stream: IO[bytes] | None, level: str) -> None:
        if stream is None:
            return
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self._tail.append(line)
            with self._lock:
                if self._logs is not None and len(self._logs) < 500:
                    self._logs.append(LogLine(level, line[:8192]))

    def _add_log(self, level: str, message: str) -> None:
        with self._lock:
            if self._logs is not None:
                self._logs.append(LogLine(level, message))

    def _read(self, deadline: float, want: str, request_id: int | None = None) -> dict[str, Any]:
        """The next reply of type `want` (log messages on the way are collected)."""
        while True:
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError()
                ready, _, _ = select.select([self._reply_fd], [], [], left)
                if not ready:
                    raise TimeoutError()
                chunk = os.read(self._reply_fd, 1 << 20)
                if not chunk:
                    raise WorkerDied(self._death())
                self._buffer += chunk
                if len(self._buffer) > MAX_MESSAGE:
                    raise WorkerDied("the function's reply is larger than 64 MB")
            line, _, self._buffer = self._buffer.partition(b"\n")
            message = json.loads(line)
            if message.get("type") == "log" and message.get("id") == request_id:
                self._add_log(str(message.get("level", "info")), str(message.get("message", "")))
            elif message.get("type") == want and message.get("id") == request_id:
                return message

    def _death(self) -> str:
        process = self.process
        code = None
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = process.wait(timeout=2)
        time.sleep(0.05)  # let the stderr reader catch the last lines
        tail = "\n".join(self._tail)
        if "heap out of memory" in tail or "MemoryError" in tail or "Cannot allocate memory" in tail:
            return "the function exceeded its memory limit and its worker was stopped"
        if code == -signal.SIGXCPU or code == 128 + signal.SIGXCPU:
            return "the function exceeded its CPU time limit and its worker was stopped"
        if code == -signal.SIGXFSZ or code == 128 + signal.SIGXFSZ:
            return "the function exceeded its file size limit and its worker was stopped"
        last = tail.strip().splitlines()[-1] if tail.strip() else ""
        return f"the function's worker exited unexpectedly (status {code}){': ' + last if last else ''}"

    def _send(self, message: dict[str, Any]) -> int:
        self._next_id += 1
        message["id"] = self._next_id
        assert self.process is not None and self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(message).encode() + b"\n")
            self.process.stdin.flush()
        except OSError:
            raise WorkerDied(self._death()) from None
        return self._next_id

    def check(self, files: list[str], timeout: float) -> list[str]:
        request_id = self._send({"op": "check", "files": files})
        reply = self._read(time.monotonic() + timeout, want="checked", request_id=request_id)
        return [str(e) for e in reply.get("errors", [])]

    def invoke(self, fn: FunctionFile, request: InvokeRequest) -> InvokeResult:
        started = time.monotonic()
        logs: list[LogLine] = []
        assert self.proxy is not None
        self.proxy.policy = Policy(allowed_hosts(), request.api_base_url)
        self.proxy.on_refused = lambda message: self._add_log("error", message)
        with self._lock:
            self._logs = logs
        self.invocations += 1
        payload = {
            "op": "invoke",
            "filename": fn.filename,
            "path": fn.path,
            "context": {**request.context, "PATH": request.context.get("PATH", fn.path)},
            "event": request.event,
            "api_base_url": request.api_base_url,
            "functions": [{"path": f.path, "filename": f.filename} for f in self.bundle.functions],
            "assets": [{"path": a.path, "filename": a.filename} for a in self.bundle.assets],
        }
        try:
            request_id = self._send(payload)
            reply = self._read(started + request.timeout_seconds, want="result", request_id=request_id)
        except TimeoutError:
            self.close()
            message = f"{TIMEOUT_ERROR} after {request.timeout_seconds:g}s"
            return self._failure(504, message, logs, started)
        except WorkerDied as exc:
            self.close()
            return self._failure(500, str(exc), logs, started)
        finally:
            with self._lock:
                self._logs = None
        headers = [(str(k), str(v)) for k, v in reply.get("headers", [])]
        body = base64.b64decode(reply.get("body", ""))
        error = reply.get("error")
        return InvokeResult(int(reply.get("status", 500)), headers, body, logs, error, _ms(started))

    def _failure(self, status: int, message: str, logs: list[LogLine], started: float) -> InvokeResult:
        logs.append(LogLine("error", message))
        body = json.dumps({"message": message, "status": status}).encode()
        return InvokeResult(status, [("Content-Type", "application/json")], body, logs, message, _ms(started))

    def close(self) -> None:
        self.alive = False
        process = self.process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        if process is not None and process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        if self._reply_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._reply_fd)
            self._reply_fd = -1
        if self.proxy is not None:
            self.proxy.close()
            self.proxy = None


# bwrap's --die-with-parent fires when the *thread* that started it ends (PR_SET_PDEATHSIG), and web servers and
# benchmarks start workers from short-lived request threads: every worker is started from this one lasting thread.
_SPAWNER = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="fn-spawner")


def _popen(argv: list[str], reply_fd: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=(reply_fd,),
        start_new_session=True,
        env={"PATH": "/usr/bin:/bin"},
    )


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 3)


def bundle_key(bundle: Bundle) -> tuple[str, Path, Path | None]:
    return (bundle.build_sid, bundle.root, bundle.node_modules)
