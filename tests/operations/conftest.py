from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def serverless_root(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Function contents go to a directory of the test's own (an import must bring them back)."""
    root = tmp_path / "serverless"
    settings.SERVERLESS = {**settings.SERVERLESS, "ROOT": root, "FUNCTIONS_DOMAIN": ""}
    yield root
