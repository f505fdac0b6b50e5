"""The bubblewrap command line a worker runs under, and its resource limits.

Each worker sees only: /usr (and the /lib, /bin links) read-only, its interpreter, the runtime's own code and
packages under /rt, the build's bundle at /bundle, its dependencies at /deps, a private tmpfs /tmp, a fresh /proc of
its own pid namespace, a minimal /dev and the directory of its network proxy socket (/net). It has no network
interface but loopback (its own), no environment but what we set, no capabilities, and runs as a uid of its own
(per worker slot, so RLIMIT_NPROC counts exactly that worker's processes) when the server runs as root.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .types import SandboxUnavailable

RUNTIME_DIR = Path(__file__).resolve().parent
NODE_DIR = RUNTIME_DIR / "node"
PYWORKER_DIR = RUNTIME_DIR / "pyworker"
BWRAP = "/usr/bin/bwrap"
SETPRIV = "/usr/bin/setpriv"
PRLIMIT = "/usr/bin/prlimit"
UID_BASE = 40000  # sandbox uids are UID_BASE + slot: no account on this machine owns them


@dataclass(frozen=True)
class Limits:
    # RLIMIT_DATA (not RLIMIT_AS): it counts memory actually made writable, so V8's and WebAssembly's large
    # address-space reservations (fetch() instantiates one) still work while Buffers and heaps stay capped.
    data_bytes: int = 1 << 30
    node_heap_mb: int = 256
    nproc: int = 64  # threads count too: node itself needs ~12
    file_size: int = 16 << 20
    open_files: int = 256
    cpu_seconds: int = 600  # per worker lifetime (warm workers are recycled when they reach it)
    tmp_bytes: int = 64 << 20


LIMITS = Limits()


def node_binary() -> str:
    found = shutil.which("node")
    if not found:
        raise SandboxUnavailable("node is not installed: Node.js functions cannot run")
    return os.path.realpath(found)


def _root_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("lib", "lib64", "bin", "sbin", "lib32"):
        path = f"/{name}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    if os.path.isdir("/etc/ssl"):
        args += [
            *_parents("/etc/ssl"),
            "--ro-bind",
            "/etc/ssl",
            "/etc/ssl",
        ]  # CA bundles for outbound TLS; no secrets live there
    return args


def _parents(destination: str) -> list[str]:
    """bwrap makes missing parents of a mount point 0700 when run as root: make them 0755 first."""
    args: list[str] = []
    for parent in reversed(Path(destination).parents):
        if str(parent) != "/":
            args += ["--perms", "0755", "--dir", str(parent)]
    return args


def _prefix_bind(executable: str) -> list[str]:
    """Interpreters installed outside /usr (pyenv, nvm) are bound at their own path."""
    if executable.startswith("/usr/"):
        return []
    prefix = str(Path(executable).parent.parent)
    return [*_parents(prefix), "--ro-bind", prefix, prefix]


@functools.lru_cache(maxsize=1)
def python_site_binds() -> tuple[tuple[str, str], ...]:
    """(source, name) for every top-level module of the `twilio` package and its dependency closure: the only
    third-party code a Python function sees (never the project's own packages nor Django)."""
    seen: set[str] = set()
    binds: dict[str, str] = {}
    todo = ["twilio"]
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        for requirement in dist.requires or []:
            if "extra ==" in requirement:
                continue
            todo.append(re.split(r"[\s;<>=!~\[(]", requirement, maxsplit=1)[0])
        for file in dist.files or []:
            top = file.parts[0]
            if top.endswith((".dist-info", ".egg-info")) or top == ".." or top.startswith("__"):
                continue
            source = Path(str(dist.locate_file(top)))
            if source.exists():
                binds[top] = str(source)
    return tuple((source, name) for name, source in sorted(binds.items()))


def python_executable() -> str:
    return os.path.realpath(sys.executable)


def command(
    language: str,
    slot: int,
    bundle_root: Path,
    node_modules: Path | None,
    net_dir: Path,
    limits: Limits = LIMITS,
) -> list[str]:
    """The argv that starts one worker (run it with a new session, so a kill reaches every process it made)."""
    if not os.access(BWRAP, os.X_OK):
        raise SandboxUnavailable(
            f"{BWRAP} is missing (Debian package bubblewrap): functions never run unsandboxed"
        )
    as_root = os.geteuid() == 0
    rlimits = [
        f"--data={limits.data_bytes}",
        f"--nproc={limits.nproc}",
        f"--fsize={limits.file_size}",
        f"--nofile={limits.open_files}",
        f"--cpu={limits.cpu_seconds}",
        "--core=0",
    ]
    argv = [PRLIMIT, *rlimits, BWRAP]
    argv += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    if not as_root:
        argv += ["--unshare-user"]
    argv += ["--die-with-parent", "--new-session", "--clearenv", "--hostname", "functions"]
    argv += _root_binds()
    argv += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--perms",
        "1777",
        "--size",
        str(limits.tmp_bytes),
        "--tmpfs",
        "/tmp",
    ]
    argv += ["--ro-bind", str(bundle_root), "/bundle", "--ro-bind", str(net_dir), "/net"]
    argv += ["--perms", "0755", "--dir", "/rt", "--perms", "0755", "--dir", "/deps"]
    env = {"HOME": "/tmp", "TMPDIR": "/tmp", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "UTC"}
    env["STUDIO_NET_SOCKET"] = "/net/proxy.sock"
    if language == "node":
        node = node_binary()
        argv += _prefix_bind(node) + ["--ro-bind", str(NODE_DIR), "/rt/node"]
        paths = ["/rt/node/node_modules"]
        if node_modules is not None:
            argv += ["--ro-bind", str(node_modules), "/deps/node_modules"]
            paths.insert(0, "/deps/node_modules")  # a function's own packages win over the runtime's copies
        env["NODE_PATH"] = ":".join(paths)
        env["NODE_ENV"] = "production"
        inner = [node, f"--max-old-space-size={limits.node_heap_mb}", "/rt/node/worker.js"]
    else:
        python = python_executable()
        argv += _prefix_bind(python) + [
            "--ro-bind",
            str(PYWORKER_DIR),
            "/rt/py",
            "--perms",
            "0755",
            "--dir",
            "/rt/pysite",
        ]
        for source, name in python_site_binds():
            argv += ["--ro-bind", source, f"/rt/pysite/{name}"]
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        inner = [python, "-E", "-s", "-B", "/rt/py/worker.py"]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    argv += ["--chdir", "/bundle"]
    if as_root:
        # bwrap (as root, so it can mount without a user namespace) keeps only the right to change uid, and
        # setpriv drops to the slot's own uid with no capabilities left before the interpreter starts.
        uid = str(UID_BASE + slot)
        argv += [
            "--cap-add",
            "CAP_SETUID",
            "--cap-add",
            "CAP_SETGID",
            SETPRIV,
            f"--reuid={uid}",
            f"--regid={uid}",
        ]
        argv += ["--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    return argv + inner


@functools.lru_cache(maxsize=1)
def probe() -> None:
    """Fails closed (SandboxUnavailable) when bubblewrap cannot build its sandbox on this machine."""
    if not os.access(BWRAP, os.X_OK):
        raise SandboxUnavailable(
            f"{BWRAP} is missing (Debian package bubblewrap): functions never run unsandboxed"
        )
    argv = [BWRAP, "--unshare-pid", "--unshare-net", *_root_binds(), "--proc", "/proc", "--dev", "/dev"]
    if os.geteuid() != 0:
        argv.insert(1, "--unshare-user")
    result = subprocess.run([*argv, "/usr/bin/true"], capture_output=True, text=True, timeout=20)
    if result.returncode != 0:
        raise SandboxUnavailable(f"bubblewrap cannot create a sandbox here: {result.stderr.strip()}")
