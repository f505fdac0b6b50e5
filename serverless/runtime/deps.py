"""npm dependencies of builds: one install per distinct dependency set, shared by every build asking for it."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from .types import DependencyError

INSTALL_TIMEOUT = 300
# The runtime provides these itself (serverless/runtime/node); a build may still pin its own twilio version.
RUNTIME_PACKAGES = {"@twilio/runtime-handler"}


def _key(dependencies: dict[str, str]) -> str:
    canonical = json.dumps(sorted(dependencies.items()), separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def install_dependencies(dependencies: dict[str, str], cache_root: Path) -> tuple[Path | None, str]:
    """npm installs the set into cache_root/<hash>/node_modules (reused, concurrency-safe through a file lock).
    Returns (node_modules or None for an empty set, npm's log); DependencyError when npm fails."""
    wanted = {name: version for name, version in dependencies.items() if name not in RUNTIME_PACKAGES}
    if not wanted:
        return None, ""
    npm = shutil.which("npm")
    if npm is None:
        raise DependencyError("npm is not installed on this server")
    cache_root.mkdir(parents=True, exist_ok=True)
    target = cache_root / _key(wanted)
    done = target / ".installed"
    with open(cache_root / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second build asking for the same set waits, then reuses
        if done.exists():
            return target / "node_modules", "dependencies reused from the cache"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        package = {
            "name": "function-dependencies",
            "version": "1.0.0",
            "private": True,
            "dependencies": wanted,
        }
        (target / "package.json").write_text(json.dumps(package, indent=2))
        env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "npm_config_cache"}}
        env.setdefault("HOME", str(cache_root))
        try:
            result = subprocess.run(
                [npm, "install", "--omit=dev", "--no-audit", "--no-fund", "--ignore-scripts", "--no-save"],
                cwd=target,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT,
                env=env,
            )
        except subprocess.TimeoutExpired:
            raise DependencyError(f"npm install took longer than {INSTALL_TIMEOUT}s") from None
        log = (result.stdout + result.stderr).strip()
        if result.returncode != 0:
            shutil.rmtree(target, ignore_errors=True)
            raise DependencyError(f"npm install failed: {log[-4000:]}")
        for directory, _, _ in os.walk(target):
            os.chmod(directory, 0o755)  # sandboxed workers run as uids of their own
        done.write_text(log)
        return target / "node_modules", log
