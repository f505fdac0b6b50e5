"""Version contents on disk, content-addressed: the same file uploaded twice is stored once."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from serverless.conf import npm_cache_dir, storage_root


def blob_path(content_hash: str) -> Path:
    return storage_root() / "blobs" / content_hash[:2] / content_hash


def put(content: bytes) -> str:
    """Store ``content``; return its SHA-256 (hex)."""
    digest = hashlib.sha256(content).hexdigest()
    target = blob_path(digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written aside then renamed: a concurrent reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, target)
    return digest


def get(content_hash: str) -> bytes:
    return blob_path(content_hash).read_bytes()


def builds_root() -> Path:
    return storage_root() / "builds"


def npm_cache_root() -> Path:
    """Shared by every build asking for the same dependency set (``SERVERLESS["NPM_CACHE"]``)."""
    path = npm_cache_dir() or storage_root() / "npm"
    path.mkdir(parents=True, exist_ok=True)
    return path
