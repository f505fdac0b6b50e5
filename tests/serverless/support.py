"""Helpers for the Functions tests (import from here, never from conftest)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from serverless import services
from serverless.models import Asset, Build, Environment, Service

# The Functions corpus (twilio-labs/function-templates, SOURCES.md), kept in the repository so a
# fresh clone tests it; STUDIO_FUNCTIONS_CORPUS_DIR points elsewhere.
CORPUS = Path(
    os.environ.get("STUDIO_FUNCTIONS_CORPUS_DIR")
    or Path(__file__).resolve().parents[1] / "corpus" / "functions"
)


def live_assets(account: Any, files: list[tuple[str, str, bytes, str]], name: str = "static") -> Environment:
    """An environment whose live build holds only assets (path, visibility, content, type): no
    function, so nothing to load in a sandbox and the build can be marked completed as it is."""
    service: Service = services.create_service(account, name, name)
    env = services.create_environment(service, "production", None)
    versions = []
    for path, visibility, content, ctype in files:
        asset = Asset.objects.create(account=account, service=service, friendly_name=path)
        versions.append(services.create_asset_version(asset, path, visibility, content, path[1:], ctype))
    build = Build.objects.create(account=account, service=service, status=Build.Status.COMPLETED)
    build.asset_versions.set(versions)
    services.deploy(env, build)
    return env
