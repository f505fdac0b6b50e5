"""Warm workers: reused between invocations of the same build, a few per build, an LRU cap over all of them."""

from __future__ import annotations

import atexit
import json
import threading
import time

from . import sandbox
from .types import Bundle, InvokeRequest, InvokeResult, LogLine, SandboxUnavailable
from .worker import Worker, WorkerDied, bundle_key

MAX_WORKERS = 8  # over all builds; the least recently used idle worker makes room
PER_BUILD = 4  # concurrent invocations of one build beyond this wait for a free worker
ACQUIRE_TIMEOUT = 30.0
RECYCLE_AFTER = 5000  # invocations: a long-lived worker's leaks cannot grow forever


class Pool:
    def __init__(self, max_workers: int = MAX_WORKERS, per_build: int = PER_BUILD) -> None:
        self.max_workers = max_workers
        self.per_build = per_build
        self.workers: list[Worker] = []
        self._cond = threading.Condition()

    def _slot(self) -> int:
        used = {w.slot for w in self.workers}
        return next(i for i in range(len(used) + 1) if i not in used)

    def acquire(self, bundle: Bundle, language: str) -> Worker:
        deadline = time.monotonic() + ACQUIRE_TIMEOUT
        key = bundle_key(bundle)
        with self._cond:
            while True:
                mine = [w for w in self.workers if bundle_key(w.bundle) == key and w.language == language]
                idle = [w for w in mine if not w.busy]
                if idle:
                    worker = max(idle, key=lambda w: w.last_used)
                    worker.busy = True
                    return worker
                if len(mine) < self.per_build:
                    if len(self.workers) >= self.max_workers:
                        others = [w for w in self.workers if not w.busy]
                        if others:
                            victim = min(others, key=lambda w: w.last_used)
                            self.workers.remove(victim)
                            victim.close()
                    if len(self.workers) < self.max_workers:
                        worker = Worker(bundle, language, self._slot())
                        self.workers.append(worker)
                        break
                left = deadline - time.monotonic()
                if left <= 0:
                    raise WorkerDied("every worker is busy: try again later")
                self._cond.wait(left)
        try:
            worker.start()
        except BaseException:
            self._discard(worker)
            raise
        return worker

    def _discard(self, worker: Worker) -> None:
        with self._cond:
            if worker in self.workers:
                self.workers.remove(worker)
            self._cond.notify_all()

    def release(self, worker: Worker) -> None:
        if not worker.alive or worker.invocations >= RECYCLE_AFTER:
            worker.close()
            self._discard(worker)
            return
        with self._cond:
            worker.busy = False
            worker.last_used = time.monotonic()
            self._cond.notify_all()

    def shutdown(self) -> None:
        with self._cond:
            workers, self.workers = self.workers, []
            self._cond.notify_all()
        for worker in workers:
            worker.close()


POOL = Pool()
atexit.register(POOL.shutdown)


def invoke(request: InvokeRequest) -> InvokeResult:
    """Runs the function at request.path of request.bundle in a warm sandboxed worker. Thread-safe."""
    started = time.monotonic()
    fn = request.bundle.function(request.path)
    if fn is None:
        return _error(404, f"no function at {request.path} in build {request.bundle.build_sid}", started)
    try:
        sandbox.probe()
        worker = POOL.acquire(request.bundle, fn.language)
    except (SandboxUnavailable, WorkerDied, OSError) as exc:
        return _error(500, str(exc), started)
    try:
        return worker.invoke(fn, request)
    finally:
        POOL.release(worker)


def shutdown_pool() -> None:
    POOL.shutdown()


def _error(status: int, message: str, started: float) -> InvokeResult:
    body = json.dumps({"message": message, "status": status}).encode()
    duration = round((time.monotonic() - started) * 1000, 3)
    headers = [("Content-Type", "application/json")]
    return InvokeResult(status, headers, body, [LogLine("error", message)], message, duration)
