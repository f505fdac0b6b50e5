"""The Functions runtime: runs Twilio Functions (Node) and Python functions in warm bubblewrap sandboxes.

The app (serverless/) imports only the names below; see /work/notes/serverless-runtime-interface.md and README.md.
"""

from __future__ import annotations

from .bundle import check_bundle, prepare_bundle
from .deps import install_dependencies
from .pool import invoke, shutdown_pool
from .types import (
    AssetFile,
    Bundle,
    DependencyError,
    FunctionFile,
    InvokeRequest,
    InvokeResult,
    LogLine,
    SandboxUnavailable,
)

__all__ = [
    "AssetFile",
    "Bundle",
    "DependencyError",
    "FunctionFile",
    "InvokeRequest",
    "InvokeResult",
    "LogLine",
    "SandboxUnavailable",
    "check_bundle",
    "install_dependencies",
    "invoke",
    "prepare_bundle",
    "shutdown_pool",
]
