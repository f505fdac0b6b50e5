"""Laying out a build's files on disk, and checking that every function loads."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from . import sandbox
from .types import AssetFile, Bundle, FunctionFile, SandboxUnavailable
from .worker import Worker, WorkerDied

CHECK_TIMEOUT = 30.0
CHECK_SLOT = 900  # check workers get uids of their own, apart from the pool's


def _safe(relative: str) -> PurePosixPath:
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"unsafe file name in bundle: {relative!r}")
    return path


def prepare_bundle(
    build_sid: str,
    root: Path,
    files: dict[str, bytes],
    functions: Iterable[FunctionFile],
    assets: Iterable[AssetFile],
    node_modules: Path | None,
) -> Bundle:
    """Writes `files` under root (world-readable: workers run as uids of their own) and returns the Bundle."""
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o755)
    for relative, content in files.items():
        target = root / _safe(relative)
        for parent in reversed(target.relative_to(root).parents):
            directory = root / parent
            directory.mkdir(exist_ok=True)
            os.chmod(directory, 0o755)
        target.write_bytes(content)
        os.chmod(target, 0o644)
    return Bundle(build_sid, root, tuple(functions), tuple(assets), node_modules)


def check_bundle(bundle: Bundle) -> list[str]:
    """Loads every function in the sandbox (its module code runs, never its handler); error messages, or []."""
    errors: list[str] = []
    for fn in bundle.functions:
        if not (bundle.root / fn.filename).is_file():
            errors.append(f"{fn.filename}: file missing from the build")
    for language in ("node", "python"):
        files = [f.filename for f in bundle.functions if f.language == language]
        if not files:
            continue
        deadline = time.monotonic() + CHECK_TIMEOUT
        worker = Worker(bundle, language, CHECK_SLOT + (language == "python"))
        try:
            sandbox.probe()
            worker.start()
            errors += worker.check(files, max(1.0, deadline - time.monotonic()))
        except TimeoutError:
            errors.append(f"loading the {language} functions took longer than {CHECK_TIMEOUT:g}s")
        except (WorkerDied, SandboxUnavailable) as exc:
            errors.append(str(exc))
        finally:
            worker.close()
    return errors
