"""Functions tests keep their files in a per-session directory; the npm cache is shared by runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def serverless_root(settings: Any, tmp_path_factory: Any) -> Iterator[Path]:
    root = tmp_path_factory.getbasetemp() / "serverless"
    settings.SERVERLESS = {**settings.SERVERLESS, "ROOT": root, "FUNCTIONS_DOMAIN": ""}
    yield root
