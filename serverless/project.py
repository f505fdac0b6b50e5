"""A Serverless Toolkit project folder read as the Toolkit reads it (spec §1.4, serverless-api
src/utils/fs.ts): ``functions/`` (or ``src/``) and ``assets/`` (or ``static/``), the visibility
infix in file names, ``.env`` variables and ``package.json`` dependencies."""

from __future__ import annotations

import json
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

FUNCTION_EXTENSIONS = (".js", ".py")  # .py: this server's Python runtime
VISIBILITY_INFIXES = ("protected", "private")
# The Toolkit never uploads the account's credentials from .env (env.ts filterEnvVariablesForDeploy).
NEVER_UPLOADED = {"ACCOUNT_SID", "AUTH_TOKEN"}
ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$")


class ProjectError(Exception):
    """The folder is not a deployable project (the message says why)."""


@dataclass(frozen=True)
class ProjectFile:
    path: str  # URL path: "/admin/login" for a function, "/logo.png" for an asset
    visibility: str
    filename: str  # file name as uploaded (extension kept)
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Project:
    name: str
    functions: tuple[ProjectFile, ...]
    assets: tuple[ProjectFile, ...]
    variables: dict[str, str]
    dependencies: dict[str, str]


def _split_visibility(name: str) -> tuple[str, str]:
    """ "login.protected.js" → ("login.js", "protected"); "data.private.json" → ("data.json", "private")."""
    parts = name.split(".")
    for infix in VISIBILITY_INFIXES:
        if len(parts) >= 3 and parts[-2] == infix:
            return ".".join(parts[:-2] + parts[-1:]), infix
    return name, "public"


def _url_path(relative: Path, name: str) -> str:
    segments = [*relative.parent.parts, name] if str(relative.parent) != "." else [name]
    return "/" + "/".join(re.sub(r"\s+", "-", s) for s in segments)


def _first_dir(root: Path, names: tuple[str, ...]) -> Path | None:
    for name in names:
        if (root / name).is_dir():
            return root / name
    return None


def _files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") or part == "node_modules" for part in p.relative_to(directory).parts)
    )


def read_functions(root: Path) -> list[ProjectFile]:
    directory = _first_dir(root, ("functions", "src"))
    if directory is None:
        return []
    out = []
    for file in _files(directory):
        if file.suffix not in FUNCTION_EXTENSIONS:
            continue
        relative = file.relative_to(directory)
        plain, visibility = _split_visibility(file.name)
        path = _url_path(relative, plain[: -len(file.suffix)])
        ctype = "text/x-python" if file.suffix == ".py" else "application/javascript"
        out.append(ProjectFile(path, visibility, file.name, file.read_bytes(), ctype))
    return out


def read_assets(root: Path) -> list[ProjectFile]:
    directory = _first_dir(root, ("assets", "static"))
    if directory is None:
        return []
    out = []
    for file in _files(directory):
        relative = file.relative_to(directory)
        plain, visibility = _split_visibility(file.name)
        path = _url_path(relative, plain)
        ctype = mimetypes.guess_type(plain)[0] or "application/octet-stream"
        out.append(ProjectFile(path, visibility, file.name, file.read_bytes(), ctype))
    return out


def parse_env(text: str) -> dict[str, str]:
    """dotenv: KEY=value lines, # comments, optional quotes; empty values are not deployed."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = ENV_LINE.match(line)
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if value[:1] in ('"', "'") and value[-1:] == value[:1] and len(value) >= 2:
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        if value and key not in NEVER_UPLOADED:
            out[key] = value
    return out


def read_project(root: Path, env_file: Path | None = None) -> Project:
    if not root.is_dir():
        raise ProjectError(f"{root} is not a folder")
    functions, assets = read_functions(root), read_assets(root)
    if not functions and not assets:
        raise ProjectError(f"{root} has no functions/ (or src/) and no assets/ (or static/) to deploy")
    paths = [f.path for f in functions] + [a.path for a in assets]
    duplicates = sorted({p for p in paths if paths.count(p) > 1})
    if duplicates:
        raise ProjectError(f"duplicate path {duplicates[0]} in the project")
    name = root.resolve().name
    dependencies: dict[str, str] = {}
    package = root / "package.json"
    if package.is_file():
        try:
            data = json.loads(package.read_text())
        except json.JSONDecodeError as exc:
            raise ProjectError(f"package.json: {exc}") from None
        name = str(data.get("name") or name)
        dependencies = {str(k): str(v or "*") for k, v in (data.get("dependencies") or {}).items()}
    env_path = env_file or root / ".env"
    variables = parse_env(env_path.read_text()) if env_path.is_file() else {}
    return Project(name, tuple(functions), tuple(assets), variables, dependencies)
