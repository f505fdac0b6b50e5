"""Import/export of flow definitions and the ``manage.py flows`` command."""

from __future__ import annotations

import json
import os
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from studio import importexport
from studio.models import Flow
from tests.studio.flowdefs import broken_flow, make_flow, message_flow
from tests.support import CORPUS_DIR

pytestmark = pytest.mark.django_db

CORPUS = Path(os.environ.get("STUDIO_CORPUS_DIR", CORPUS_DIR))
FLOWS = sorted(CORPUS.glob("*.json"))


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("flows", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, definition: Any, name: str = "flow.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(definition))
    return path


def test_it_has_all_31_corpus_flows() -> None:
    assert len(FLOWS) == 31


@pytest.mark.parametrize("path", FLOWS, ids=lambda p: p.name)
def test_it_imports_each_corpus_flow_valid_and_exports_it_json_equal(alice: Any, path: Path) -> None:
    out, _ = run("import", str(path), "--account", alice.sid, "--publish", "--json")
    imported = json.loads(out)
    assert imported["valid"] is True and imported["status"] == "published" and imported["revision"] == 1
    exported, _ = run("export", imported["sid"])
    assert json.loads(exported) == json.loads(path.read_text())


def test_it_names_an_import_after_the_option_then_the_description(alice: Any, tmp_path: Path) -> None:
    path = write(tmp_path, message_flow(), "reply.json")
    run("import", str(path), "--account", alice.sid, "--name", "Named")
    run("import", str(path), "--account", alice.sid)
    assert list(Flow.objects.values_list("friendly_name", "status")) == [
        ("Named", "draft"),
        ("Reply once", "draft"),
    ]


def test_it_refuses_to_import_an_invalid_definition(alice: Any, tmp_path: Path) -> None:
    path = write(tmp_path, broken_flow())
    with pytest.raises(CommandError, match="invalid"):
        run("import", str(path), "--account", alice.sid)
    assert Flow.objects.count() == 0


def test_it_imports_an_invalid_definition_as_a_draft_when_allowed(alice: Any, tmp_path: Path) -> None:
    path = write(tmp_path, broken_flow())
    out, err = run("import", str(path), "--account", alice.sid, "--allow-invalid", "--json")
    assert json.loads(out)["valid"] is False and json.loads(out)["status"] == "draft"
    assert "error" in err
    with pytest.raises(CommandError):
        run("import", str(path), "--account", alice.sid, "--allow-invalid", "--publish")


def test_it_refuses_an_unknown_account(tmp_path: Path, db: None) -> None:
    with pytest.raises(CommandError, match="no account"):
        run("import", str(write(tmp_path, message_flow())), "--account", "AC" + "0" * 32)


def test_it_refuses_a_file_that_is_not_json(alice: Any, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{nope")
    with pytest.raises(CommandError, match="not valid JSON"):
        run("import", str(path), "--account", alice.sid)


def test_it_unwraps_a_flow_resource_body_on_import(alice: Any, tmp_path: Path) -> None:
    path = write(tmp_path, {"sid": "FW1", "friendly_name": "x", "definition": message_flow()})
    out, _ = run("import", str(path), "--account", alice.sid, "--json")
    assert importexport.export_definition(Flow.objects.get(sid=json.loads(out)["sid"])) == message_flow()


def test_it_exports_a_chosen_revision(alice: Any) -> None:
    from studio import revisions

    flow = make_flow(alice, definition=message_flow("v1"))
    revisions.save_revision(flow, definition=message_flow("v2"), status="draft")
    assert json.loads(run("export", flow.sid)[0]) == message_flow("v2")
    assert json.loads(run("export", flow.sid, "--revision", "LatestPublished")[0]) == message_flow("v1")
    assert json.loads(run("export", flow.sid, "--revision", "1")[0]) == message_flow("v1")
    with pytest.raises(CommandError):
        run("export", flow.sid, "--revision", "7")


def test_it_refuses_to_export_an_unknown_flow(db: None) -> None:
    with pytest.raises(CommandError, match="no flow"):
        run("export", "FW" + "0" * 32)


def test_it_validates_files_and_prints_warnings(tmp_path: Path, db: None) -> None:
    out, _ = run("validate", str(CORPUS / "05-volunteer-communication-center.json"))
    assert ": valid (0 errors" in out and "warning #/states/1/type" in out


def test_it_exits_1_and_prints_errors_for_an_invalid_file(tmp_path: Path, db: None) -> None:
    path = write(tmp_path, broken_flow())
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("flows", "validate", str(path), stdout=out)
    assert raised.value.returncode == 1
    assert "INVALID" in out.getvalue() and "error   #/states/0/transitions/0/event" in out.getvalue()


def test_it_registers_subcommands_in_one_table() -> None:
    from studio.management.commands.flows import SUBCOMMANDS

    assert {"import", "export", "validate"} <= set(SUBCOMMANDS)
