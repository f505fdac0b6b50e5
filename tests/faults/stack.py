"""Private instances for the fault suite: a PostgreSQL cluster (port 5441, ``FAULTS_PG_PORT``), a
redis-server (port 6391, ``FAULTS_REDIS_PORT``) and the production topology on them (`serve` with 2 web processes, a Celery worker, beat),
each of which a test may kill, stop or restart. Never the shared PostgreSQL or Redis.

Also used by ``bench/load_mixed.py`` and ``manage.py reliability_report``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from tests.topology.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_BIN = Path(os.environ.get("FAULTS_PG_BIN", "/usr/lib/postgresql/15/bin"))
# The fault suite's own ports: not the load bench's (bench/load_mixed.py: 5440, 6390), so both can
# run on one machine. A port already taken fails the start rather than use someone else's server.
PG_PORT = int(os.environ.get("FAULTS_PG_PORT", "5441"))
REDIS_PORT = int(os.environ.get("FAULTS_REDIS_PORT", "6391"))


def available() -> str | None:
    """Why the suite cannot run here (None: it can)."""
    if not (PG_BIN / "initdb").exists():
        return f"no PostgreSQL binaries in {PG_BIN}"
    if shutil.which("redis-server") is None:
        return "no redis-server"
    return None


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class PrivatePostgres:
    """initdb into a temporary directory; started, stopped, restarted with pg_ctl."""

    def __init__(self, port: int = PG_PORT) -> None:
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.data = self.dir / "data"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self._run(
            [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        )
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.dir}'\n"
            )
            conf.write("max_connections = 200\nshared_buffers = 64MB\n")

    def _run(self, args: list[str]) -> None:
        subprocess.run(_as_postgres(args), check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        log = str(self.dir / "postgres.log")
        self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", log, "-w", "-t", "60", "start"])

    def stop(self, mode: str = "fast") -> None:
        self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def createdb(self, name: str) -> str:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """A redis-server without persistence (a restart loses what it held, as a crash would)."""

    def __init__(self, port: int = REDIS_PORT) -> None:
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:  # the port is taken: never use someone else's server
                raise RuntimeError(f"redis-server could not start on port {self.port}")
            out = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True)
            if out.stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()


@dataclass
class Account:
    sid: str
    token: str
    flows: dict[str, str] = field(default_factory=dict)  # name → flow sid


@dataclass
class Stack:
    """The production topology's processes on the private instances."""

    database_url: str
    redis_url: str
    logs: Path
    web_workers: int = 2
    celery_concurrency: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "PUBLIC_BASE_URL": self.base_url,
            "DJANGO_DEBUG": "false",
            "DJANGO_HTTPS": "false",
            "SECRET_KEY": "fault-suite-" + "0123456789abcdef" * 4,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }

    def manage(self, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if out.returncode != 0:
            raise RuntimeError(out.stdout + out.stderr)
        return out.stdout

    def account(self, name: str, flows: dict[str, dict[str, Any]]) -> Account:
        created = json.loads(self.manage("createaccount", "--name", name, "--json"))
        account = Account(created["account_sid"], created["auth_token"])
        for flow_name, definition in flows.items():
            path = self.logs / f"{name}-{flow_name}.json"
            path.write_text(json.dumps(definition))
            imported = self.manage(
                "flows", "import", str(path), "--account", account.sid, "--publish", "--json"
            )
            account.flows[flow_name] = json.loads(imported)["sid"]
        return account

    def commands(self) -> dict[str, list[str]]:
        python, celery = str(BIN / "python"), str(BIN / "celery")
        return {
            "web": [python, "manage.py", "serve", "--port", str(self.port), "--workers", str(self.web_workers)],
            "worker": [
                celery, "-A", "config", "worker", "--loglevel=info", f"--concurrency={self.celery_concurrency}",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ],
            "beat": [celery, "-A", "config", "beat", "--loglevel=info", "--schedule", str(self.logs / "beat-schedule")],
        }  # fmt: skip

    def start(self, *names: str) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        ready_before = self.log("worker").count("ready.")
        for name in names or ("web", "worker", "beat"):
            log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - the process owns it
            self.procs[name] = subprocess.Popen(
                self.commands()[name], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        if "web" in (names or ("web",)):
            self.wait_healthy()
        if "worker" in (names or ("worker",)):
            self.wait_worker(ready_before + 1)

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("web did not become healthy:\n" + self.log("web")[-3000:])

    def wait_worker(self, ready: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log("worker").count("ready.") >= ready:
                return
            time.sleep(0.2)
        raise RuntimeError("worker not ready:\n" + self.log("worker")[-3000:])

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal the process and all it started (Celery's pool children, uvicorn's workers)."""
        proc = self.procs.pop(name)
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
        proc.wait(timeout=30)

    def web_children(self) -> list[int]:
        """uvicorn's worker processes (not multiprocessing's resource tracker)."""
        return [pid for pid in _children(self.procs["web"].pid) if b"resource_tracker" not in _cmdline(pid)]

    def stop(self) -> None:
        for name in list(self.procs):
            self.kill(name, signal.SIGTERM)

    def pids(self) -> dict[str, list[int]]:
        """Every process of the stack (for memory sampling)."""
        out: dict[str, list[int]] = {}
        for name, proc in self.procs.items():
            pids = [proc.pid]
            pids += [int(p) for p in _descendants(proc.pid)]
            out[name] = pids
        return out


def _children(pid: int) -> list[int]:
    """The direct children of ``pid``, whichever of its threads started them: Linux lists a child
    under the thread that forked it (``/proc/PID/task/TID/children``), so a request thread's
    ``node`` or ``bwrap`` is not under the main thread's."""
    found: list[int] = []
    try:
        threads = sorted(Path(f"/proc/{pid}/task").iterdir(), key=lambda t: t.name)
    except OSError:
        return found
    for thread in threads:
        try:
            found.extend(int(p) for p in (thread / "children").read_text().split())
        except OSError:  # the thread ended meanwhile (its children moved to another thread)
            continue
    return list(dict.fromkeys(found))


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    for child in _children(pid):
        found.append(child)
        found.extend(_descendants(child))
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None
