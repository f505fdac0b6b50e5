"""The runtime's plain data: what the app hands in (bundles, requests) and what comes back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class DependencyError(Exception):
    """npm could not install a build's dependency set (the message holds npm's own words)."""


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create its namespaces here: functions never run unsandboxed."""


@dataclass(frozen=True)
class FunctionFile:
    path: str  # URL path, "/hello" (no suffix)
    visibility: str  # "public" | "protected" | "private"
    sid: str
    filename: str  # relative to the bundle root, "functions/hello.protected.js"
    language: str  # "node" | "python"


@dataclass(frozen=True)
class AssetFile:
    path: str
    visibility: str
    sid: str
    filename: str  # relative to the bundle root, "assets/..."


@dataclass(frozen=True)
class Bundle:
    build_sid: str
    root: Path
    functions: tuple[FunctionFile, ...]
    assets: tuple[AssetFile, ...]
    node_modules: Path | None = None

    def function(self, path: str) -> FunctionFile | None:
        return next((f for f in self.functions if f.path == path), None)


@dataclass(frozen=True)
class InvokeRequest:
    bundle: Bundle
    path: str
    context: dict[str, str]
    event: dict[str, Any]
    api_base_url: str
    asset_urls: dict[str, str] = field(default_factory=dict)
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class LogLine:
    level: str  # "info" | "warn" | "error"
    message: str


@dataclass(frozen=True)
class InvokeResult:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    logs: list[LogLine]
    error: str | None
    duration_ms: float
