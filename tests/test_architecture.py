"""The layout's rules (docs/DESIGN.md) hold, and the checks that keep them can fail.

The import-linter contracts live in pyproject.toml and run in `make test` (`lint-imports`);
here we also check that no import cycle exists among project modules and that a forbidden
import or a cycle added to a scratch copy of the project is caught.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "config",
    "accounts",
    "studio",
    "executions",
    "scenarios",
    "twiml",
    "flex",
    "serverless",
    "conversations",
    "webchat",
    "ops",
)
MAX_LINES = 600


def import_cycles(root: Path) -> list[list[str]]:
    """Strongly connected components (more than one module) of the project's import graph,
    type-checking-only imports excluded, as they are in the contracts."""
    code = (
        "import grimp, json, sys\n"
        f"g = grimp.build_graph(*{PACKAGES!r}, cache_dir=None, exclude_type_checking_imports=True)\n"
        "print(json.dumps({m: sorted(g.find_modules_directly_imported_by(m)) for m in g.modules}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=_env(root), capture_output=True, text=True, check=True
    )
    graph: dict[str, list[str]] = json.loads(out.stdout)
    return _strongly_connected(graph)


def _strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan; the graph is a few hundred modules deep at most
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, []):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(root)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return env


def _scratch_copy(tmp_path: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"]
    return subprocess.run(command, cwd=root, env=_env(root), capture_output=True, text=True)


def test_it_has_no_import_cycle_among_project_modules() -> None:
    assert import_cycles(ROOT) == []


def test_it_keeps_every_import_contract() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_fails_the_contracts_when_a_widget_imports_the_engine(tmp_path: Path) -> None:
    root = _scratch_copy(tmp_path)
    widget = root / "studio" / "widgets" / "messaging" / "send_message.py"
    widget.write_text(widget.read_text() + "\nfrom executions.engine import store  # noqa\n")
    result = _lint_imports(root)
    assert result.returncode != 0
    assert "studio.widgets.messaging.send_message -> executions.engine.store" in result.stdout


def test_it_finds_a_cycle_added_to_the_engine(tmp_path: Path) -> None:
    root = _scratch_copy(tmp_path)
    state = root / "executions" / "engine" / "state.py"
    state.write_text(state.read_text() + "\nfrom executions.engine import runner  # noqa\n")
    cycles = import_cycles(root)
    assert any({"executions.engine.runner", "executions.engine.state"} <= set(c) for c in cycles)


def test_it_keeps_every_source_file_under_600_lines() -> None:
    sources = [
        path
        for package in (*PACKAGES, "bench", "tests")
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    ]
    long = {
        str(p.relative_to(ROOT)): n for p in sources if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
