"""The fault suite's own helpers: the processes it samples."""

from __future__ import annotations

import os
import subprocess
import threading

from tests.faults import stack


def test_descendants_include_children_started_by_a_request_thread() -> None:
    """A web process starts ``node`` and ``bwrap`` from its request threads, not its main thread:
    Linux lists such a child under the thread that forked it, and it must still be counted."""
    started: list[subprocess.Popen[bytes]] = []
    ready, done = threading.Event(), threading.Event()

    def request_thread() -> None:
        started.append(subprocess.Popen(["sleep", "30"]))
        ready.set()
        done.wait(30)  # the thread lives on, as a pool thread does

    thread = threading.Thread(target=request_thread)
    thread.start()
    try:
        assert ready.wait(10)
        child = started[0].pid
        assert child in stack._descendants(os.getpid())
        assert child in stack._children(os.getpid())
    finally:
        done.set()
        thread.join()
        for proc in started:
            proc.kill()
            proc.wait()
