"""Running a Build (building → completed | failed) and the bundle a completed build serves from.

A build freezes its versions: their files are laid out once under ``<root>/builds/<ZB>`` and never
change; its npm dependencies come from a cache shared by every build asking for the same set.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import threading
from pathlib import Path

from serverless import storage
from serverless.models import AssetVersion, Build, FunctionVersion, Visibility
from serverless.runtime import (
    AssetFile,
    Bundle,
    DependencyError,
    FunctionFile,
    check_bundle,
    install_dependencies,
    prepare_bundle,
)

logger = logging.getLogger(__name__)

DONE_MARKER = ".laid-out"
_bundles: dict[str, Bundle] = {}
_lock = threading.Lock()


def language_of(filename: str) -> str:
    return "python" if filename.lower().endswith(".py") else "node"


def function_filename(version: FunctionVersion) -> str:
    """functions/<path>[.protected|.private].<js|py>, the Toolkit's own layout."""
    ext = ".py" if language_of(version.filename) == "python" else ".js"
    suffix = "" if version.visibility == Visibility.PUBLIC else f".{version.visibility}"
    return f"functions{version.path}{suffix}{ext}"


def asset_filename(version: AssetVersion) -> str:
    return f"assets{version.path}"


# The runtime ships its own copies of these (contract: serverless-runtime-interface.md).
RUNTIME_PACKAGES = {"twilio", "@twilio/runtime-handler"}


def dependency_map(build: Build) -> dict[str, str]:
    return {
        d["name"]: d.get("version") or "*" for d in build.dependencies if d["name"] not in RUNTIME_PACKAGES
    }


def _describe(build: Build) -> tuple[dict[str, str], tuple[FunctionFile, ...], tuple[AssetFile, ...]]:
    """(filename -> content hash, FunctionFiles, AssetFiles) of a build."""
    hashes: dict[str, str] = {}
    function_files = []
    for fv in build.function_versions.select_related("function").order_by("path"):
        name = function_filename(fv)
        hashes[name] = fv.content_hash
        function_files.append(
            FunctionFile(
                path=fv.path,
                visibility=fv.visibility,
                sid=fv.function.sid,
                filename=name,
                language=language_of(fv.filename),
            )
        )
    asset_files = []
    for av in build.asset_versions.select_related("asset").order_by("path"):
        name = asset_filename(av)
        hashes[name] = av.content_hash
        asset_files.append(AssetFile(path=av.path, visibility=av.visibility, sid=av.asset.sid, filename=name))
    return hashes, tuple(function_files), tuple(asset_files)


def _layout(build: Build, node_modules: Path | None) -> Bundle:
    """Write the build's files under its directory (once) and return the runtime's Bundle."""
    hashes, function_files, asset_files = _describe(build)
    root = storage.builds_root() / build.sid
    if (root / DONE_MARKER).exists():  # laid out by another process: frozen, reuse as is
        return Bundle(
            build_sid=build.sid,
            root=root,
            functions=function_files,
            assets=asset_files,
            node_modules=node_modules,
        )
    if root.exists():
        shutil.rmtree(root)  # a half-written layout from a crashed build
    root.parent.mkdir(parents=True, exist_ok=True)
    files = {name: storage.get(digest) for name, digest in hashes.items()}
    bundle = prepare_bundle(build.sid, root, files, function_files, asset_files, node_modules)
    (root / DONE_MARKER).write_text(build.sid)
    return bundle


def run(build_sid: str) -> str:
    """The build task's body; returns the final status."""
    build = Build.objects.filter(sid=build_sid).first()
    if build is None or build.status != Build.Status.BUILDING:
        return build.status if build else "missing"
    log: list[str] = []
    errors: list[str] = []
    node_modules: Path | None = None
    deps = dependency_map(build)
    try:
        node_modules, install_log = install_dependencies(deps, storage.npm_cache_root())
        if install_log:
            log.append(install_log)
        bundle = _layout(build, node_modules)
        # Private functions are libraries other functions require(): they need no handler export,
        # so only the routable ones are loaded and checked.
        routable = tuple(f for f in bundle.functions if f.visibility != Visibility.PRIVATE)
        errors = list(check_bundle(dataclasses.replace(bundle, functions=routable)))
    except DependencyError as exc:
        errors = [f"Dependencies could not be installed: {exc}"]
    except Exception as exc:  # a broken build must end failed, never stuck in building
        logger.exception("build %s crashed", build_sid)
        errors = [f"Build failed: {exc}"]
    log.extend(errors)
    build.errors = errors
    build.build_log = "\n".join(log)
    build.node_modules = str(node_modules) if node_modules else ""
    build.status = Build.Status.FAILED if errors else Build.Status.COMPLETED
    build.save(update_fields=["errors", "build_log", "node_modules", "status", "date_updated"])
    if not errors:
        with _lock:
            _bundles[build.sid] = bundle
    return build.status


def bundle_for(build: Build) -> Bundle:
    """The runtime Bundle of a completed build, laid out again if this machine lacks it."""
    with _lock:
        cached = _bundles.get(build.sid)
    if cached is not None:
        return cached
    node_modules = Path(build.node_modules) if build.node_modules else None
    if node_modules is not None and not node_modules.exists():
        node_modules, _ = install_dependencies(dependency_map(build), storage.npm_cache_root())
    bundle = _layout(build, node_modules)
    with _lock:
        _bundles[build.sid] = bundle
    return bundle
