"""Start the production topology as real processes: `serve` + `celery worker` + `celery beat`.

Used by the topology test and by the webhook benchmark. Every process gets the same
environment (DATABASE_URL, REDIS_URL, PUBLIC_BASE_URL), exactly as docker-compose.yml runs them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Topology:
    base_url: str
    env: dict[str, str]
    logs: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def assert_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{self.log(name)[-4000:]}")


def _start(topo: Topology, name: str, args: list[str]) -> None:
    out = open(topo.logs / f"{name}.log", "wb")  # noqa: SIM115 - closed when the process is reaped
    env = topo.env
    if name == "worker":  # its "ready." line (INFO) is how we know it is up, whatever LOG_LEVEL says
        env = {**env, "LOG_LEVEL": "INFO"}
    topo.procs[name] = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def _wait_healthy(topo: Topology, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        topo.assert_alive()
        try:
            if httpx.get(f"{topo.base_url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"serve did not become healthy:\n{topo.log('serve')[-4000:]}")


def _wait_worker_ready(topo: Topology, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        topo.assert_alive()
        if "ready." in topo.log("worker"):
            return
        time.sleep(0.2)
    raise RuntimeError(f"celery worker not ready:\n{topo.log('worker')[-4000:]}")


@contextmanager
def production_topology(
    database_url: str,
    redis_url: str,
    logs: Path,
    *,
    web_workers: int = 1,
    web_threads: int | None = None,
    celery_concurrency: int = 2,
    celery_pool: str = "prefork",
    extra_env: dict[str, str] | None = None,
) -> Iterator[Topology]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PUBLIC_BASE_URL": base_url,
        "DJANGO_DEBUG": "false",  # production mode, over plain HTTP on loopback
        "DJANGO_HTTPS": "false",
        "SECRET_KEY": "topology-tests-" + "0123456789abcdef" * 4,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    logs.mkdir(parents=True, exist_ok=True)
    topo = Topology(base_url=base_url, env=env, logs=logs)
    python = str(BIN / "python")
    celery = str(BIN / "celery")
    try:
        serve = [python, "manage.py", "serve", "--port", str(port), "--workers", str(web_workers)]
        if web_threads is not None:
            serve += ["--threads", str(web_threads)]
        _start(topo, "serve", serve)
        _start(
            topo,
            "worker",
            [
                celery,
                "-A",
                "config",
                "worker",
                "--loglevel=info",
                f"--concurrency={celery_concurrency}",
                f"--pool={celery_pool}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
        )
        _start(
            topo,
            "beat",
            [
                celery,
                "-A",
                "config",
                "beat",
                "--loglevel=info",
                "--schedule",
                str(logs / "celerybeat-schedule"),
            ],
        )
        _wait_healthy(topo)
        _wait_worker_ready(topo)
        yield topo
    finally:
        for proc in topo.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in topo.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
