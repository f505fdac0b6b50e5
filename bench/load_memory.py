"""Memory of every process of ``bench/load_mixed.py``'s stack, sampled from /proc: the web master
and its workers, the Celery worker and its pool children, beat, and PostgreSQL's processes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from tests.faults.stack import PrivatePostgres, Stack


def _status_kib(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _children(pid: int) -> list[int]:
    """Children of every thread (a process started from a request's thread is that thread's)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(set(found))


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    for child in _children(pid):
        found += [child, *_descendants(child)]
    return found


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "gone"


def _postgres_role(pid: int) -> str:
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "gone"
    title = title.removeprefix("postgres: ").strip()
    return "backend" if "127.0.0.1" in title or "[local]" in title else title.split("  ")[0] or "postmaster"


def processes(stack: Stack, postmaster: int | None) -> dict[str, tuple[int, str]]:
    """label → (pid, /proc/…/status field to read). Python processes: VmRSS; PostgreSQL's:
    RssAnon (their private memory: VmRSS also counts the shared buffers a backend has touched)."""
    found: dict[str, tuple[int, str]] = {}
    for name, proc in stack.procs.items():
        found[f"{name} (main)"] = (proc.pid, "VmRSS")
        for child in _descendants(proc.pid):  # uvicorn's workers, Celery's pool, the Functions sandboxes
            if _status_kib(child, "VmRSS"):
                found[f"{name} › {_comm(child)} (pid {child})"] = (child, "VmRSS")
    if postmaster:
        found["postgres postmaster"] = (postmaster, "RssAnon")
        for child in _children(postmaster):
            role = _postgres_role(child)
            found[f"postgres {role} (pid {child})"] = (child, "RssAnon")
    return found


def sample_rss(
    stack: Stack,
    postmaster: int | None,
    every: float,
    stop: threading.Event,
    out: dict[str, list[tuple[float, int]]],
) -> None:
    start = time.monotonic()
    while True:
        now = time.monotonic() - start
        backends = 0
        for label, (pid, field) in processes(stack, postmaster).items():
            kib = _status_kib(pid, field)
            if kib is None:
                continue
            if label.startswith("postgres backend"):
                backends += kib
            out[label].append((now, kib))
        out["postgres backends (all, summed)"].append((now, backends))
        if stop.wait(every):
            return


def postmaster_pid(pg: PrivatePostgres) -> int | None:
    try:
        return int((pg.data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
