"""npm dependencies: one install per dependency set, shared and concurrency-safe; a function's own packages win."""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path

import pytest

from serverless.runtime import DependencyError, install_dependencies, invoke
from tests.serverless.runtime.support import bundle_of, request


def _local_package(tmp_path: Path, name: str, source: str) -> str:
    """A tarball on disk (tests never reach the registry): `npm install file:...tgz` copies it in."""
    package = tmp_path / "src" / name
    package.mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": name, "version": "0.0.1", "main": "index.js"}))
    (package / "index.js").write_text(source)
    subprocess.run(["npm", "pack", "--silent", "--pack-destination", str(tmp_path)], cwd=package, check=True)
    return f"file:{tmp_path / f'{name}-0.0.1.tgz'}"


def test_it_returns_nothing_for_an_empty_set(tmp_path: Path) -> None:
    assert install_dependencies({}, tmp_path) == (None, "")
    assert install_dependencies({"@twilio/runtime-handler": "2.1.0"}, tmp_path) == (None, "")


def test_it_installs_a_set_once_for_concurrent_builds(tmp_path: Path) -> None:
    spec = _local_package(tmp_path, "left-pad-local", "module.exports = (s) => '  ' + s;")
    results: list[tuple[Path | None, str]] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(install_dependencies({"left-pad-local": spec}, tmp_path / "c"))
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    paths = {path for path, _ in results}
    assert len(paths) == 1 and (next(iter(paths)) or Path()).joinpath("left-pad-local", "index.js").is_file()
    assert sorted(log.startswith("added 1 package") for _, log in results) == [False, True]


def test_it_resolves_a_function_s_own_packages_before_the_runtime_s(tmp_path: Path) -> None:
    spec = _local_package(tmp_path, "twilio", "exports.marker = 'the function own twilio';")
    node_modules, _ = install_dependencies({"twilio": spec}, tmp_path / "cache")
    files = {
        "functions/which.js": b"""exports.handler = (c, e, cb) =>
  cb(null, { own: require('twilio').marker, global: typeof Twilio.twiml.VoiceResponse });""",
    }
    result = invoke(request(bundle_of(tmp_path / "bundle", files, node_modules), "/which"))
    assert json.loads(result.body) == {"own": "the function own twilio", "global": "function"}


def test_it_raises_dependency_error_when_npm_fails(tmp_path: Path) -> None:
    with pytest.raises(DependencyError, match="npm install failed"):
        install_dependencies({"nothing-here": f"file:{tmp_path / 'missing.tgz'}"}, tmp_path / "cache")
