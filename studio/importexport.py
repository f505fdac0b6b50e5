"""Import and export of flow definitions (the JSON a Twilio Studio export produces).

Export writes the stored definition unchanged, so a Twilio export imported here and exported
again is JSON-equal to the original file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accounts.models import Account
from studio import revisions
from studio.models import Flow, FlowRevision


class ImportExportError(Exception):
    """A file that cannot be read as a definition, or a flow/revision that does not exist."""


@dataclass
class ImportResult:
    flow: Flow | None
    revision: FlowRevision | None
    checked: revisions.Checked

    @property
    def imported(self) -> bool:
        return self.flow is not None


def load_definition(path: str | Path) -> dict[str, Any]:
    """Read a definition file. A ``{"definition": {...}}`` wrapper (an API Flow body) is unwrapped."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ImportExportError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ImportExportError(f"{path} is not valid JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("definition"), dict) and "states" not in data:
        data = data["definition"]
    if not isinstance(data, dict):
        raise ImportExportError(f"{path} does not hold a flow definition (a JSON object)")
    return data


def default_name(path: str | Path, definition: dict[str, Any]) -> str:
    description = definition.get("description")
    if isinstance(description, str) and description.strip() and description.strip() != "A New Flow":
        return description.strip()[:255]
    return Path(path).stem[:255]


def import_definition(
    account: Account,
    definition: dict[str, Any],
    *,
    friendly_name: str,
    publish: bool = False,
    allow_invalid: bool = False,
    commit_message: str | None = "Imported",
) -> ImportResult:
    """Create a flow from ``definition``; nothing is saved when it is invalid (unless allowed).

    ``allow_invalid`` saves an invalid definition as a draft (never as published), the way the
    canvas keeps work in progress.
    """
    checked = revisions.validate(definition)
    if not checked.valid and (publish or not allow_invalid):
        return ImportResult(None, None, checked)
    flow, revision = revisions.create_flow(
        account,
        friendly_name=friendly_name,
        definition=definition,
        status=Flow.Status.PUBLISHED if publish else Flow.Status.DRAFT,
        commit_message=commit_message,
        allow_invalid_draft=allow_invalid,
    )
    return ImportResult(flow, revision, checked)


def export_definition(flow: Flow, revision: str = "LatestRevision") -> dict[str, Any]:
    found = revisions.find_revision(flow, revision)
    if found is None:
        raise ImportExportError(f"flow {flow.sid} has no revision {revision}")
    definition: dict[str, Any] = found.definition
    return definition


def dumps(definition: dict[str, Any]) -> str:
    return json.dumps(definition, indent=2, ensure_ascii=False) + "\n"


def format_problems(checked: revisions.Checked) -> list[str]:
    lines = [f"error   {p['property_path']}: {p['message']}" for p in checked.errors]
    lines += [f"warning {p['property_path']}: {p['message']}" for p in checked.warnings]
    return lines
