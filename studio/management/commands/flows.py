"""``manage.py flows <subcommand>``: import, export and validate flow definitions.

Subcommands are registered in ``SUBCOMMANDS`` (name → (help, add_arguments, handler)). Another
app extends the command by subclassing ``Command`` with a larger ``subcommands`` table: the
``scenarios`` app adds ``flows test`` that way (studio never imports executions or scenarios).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from accounts import backup
from accounts.errors import TwilioAPIError
from accounts.models import Account
from studio import importexport, revisions
from studio.models import Flow

Handler = Callable[[BaseCommand, dict[str, Any]], None]


def _import_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "file",
        help="a flow definition JSON file (a Twilio Studio export), or an account export (`export --all`)",
    )
    parser.add_argument("--account", required=True, help="the account sid (AC…) that will own the flow")
    parser.add_argument("--name", help="friendly name (default: the description or the file name)")
    parser.add_argument("--publish", action="store_true", help="publish the imported revision")
    parser.add_argument("--allow-invalid", action="store_true", help="save an invalid definition as a draft")
    parser.add_argument("--json", action="store_true", help="print {sid, revision, status, valid} as JSON")
    parser.add_argument(
        "--keep-sids",
        action="store_true",
        help="an account export: keep every sid (a move to another server; refused where a sid is taken)",
    )


def _import(cmd: BaseCommand, opts: dict[str, Any]) -> None:
    account = Account.objects.filter(sid=opts["account"]).first()
    if account is None:
        raise CommandError(f"no account {opts['account']}")
    document = _account_export(opts["file"])
    if document is not None:
        _import_account(cmd, account, document, keep_sids=opts["keep_sids"])
        return
    definition = _load(opts["file"])
    name = opts.get("name") or importexport.default_name(opts["file"], definition)
    result = importexport.import_definition(
        account, definition, friendly_name=name, publish=opts["publish"], allow_invalid=opts["allow_invalid"]
    )
    for line in importexport.format_problems(result.checked):
        cmd.stderr.write(line)
    if result.flow is None or result.revision is None:
        raise CommandError(f"{opts['file']}: the definition is invalid; nothing was imported")
    flow = result.flow
    if opts["json"]:
        body = {"sid": flow.sid, "revision": flow.revision, "status": flow.status, "valid": flow.valid}
        cmd.stdout.write(json.dumps(body))
    else:
        cmd.stdout.write(f"{flow.sid} {flow.friendly_name!r} revision {flow.revision} ({flow.status})")


def _account_export(path: str) -> dict[str, Any] | None:
    """The file's document when it is an account export (``flows export --all``), else None."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError):
        return None  # _load explains what is wrong with it
    return document if isinstance(document, dict) and document.get("format") == backup.FORMAT else None


def _import_account(cmd: BaseCommand, account: Account, document: dict[str, Any], *, keep_sids: bool) -> None:
    try:
        result = backup.import_account(account, document, keep_sids=keep_sids)
    except backup.BackupError as exc:
        raise CommandError(str(exc)) from None
    except IntegrityError as exc:
        hint = " (a sid is taken on this server: import without --keep-sids)" if keep_sids else ""
        raise CommandError(f"nothing imported: {exc}{hint}") from None
    for label, count in result.rows.items():
        cmd.stdout.write(f"{label}: {count}")


def _export_arguments(parser: CommandParser) -> None:
    parser.add_argument("flow_sid", nargs="?", help="the flow sid (FW…)")
    parser.add_argument(
        "--all",
        action="store_true",
        dest="whole_account",
        help="the whole account given by --account: flows with every revision, Functions, Flex",
    )
    parser.add_argument(
        "--revision", default="LatestRevision", help="a number, LatestPublished or LatestRevision (default)"
    )
    parser.add_argument("--account", help="only look in this account (AC…)")


def _export(cmd: BaseCommand, opts: dict[str, Any]) -> None:
    if opts.get("whole_account"):
        account = Account.objects.filter(sid=opts.get("account") or "").first()
        if account is None:
            raise CommandError("--all exports the account given by --account AC…: no such account")
        cmd.stdout.write(backup.dumps(backup.export_account(account)), ending="")
        return
    if not opts.get("flow_sid"):
        raise CommandError("name a flow sid, or --all --account AC… for a whole account")
    flows = Flow.objects.filter(sid=opts["flow_sid"])
    if opts.get("account"):
        flows = flows.filter(account__sid=opts["account"])
    flow = flows.first()
    if flow is None:
        raise CommandError(f"no flow {opts['flow_sid']}")
    try:
        definition = importexport.export_definition(flow, opts["revision"])
    except (importexport.ImportExportError, TwilioAPIError) as exc:
        raise CommandError(str(exc)) from None
    cmd.stdout.write(importexport.dumps(definition), ending="")


def _validate_arguments(parser: CommandParser) -> None:
    parser.add_argument("files", nargs="+", help="flow definition JSON files")


def _validate(cmd: BaseCommand, opts: dict[str, Any]) -> None:
    invalid = 0
    for path in opts["files"]:
        checked = revisions.validate(_load(path))
        verdict = "valid" if checked.valid else "INVALID"
        cmd.stdout.write(
            f"{path}: {verdict} ({len(checked.errors)} errors, {len(checked.warnings)} warnings)"
        )
        for line in importexport.format_problems(checked):
            cmd.stdout.write(f"  {line}")
        invalid += not checked.valid
    if invalid:
        raise CommandError(f"{invalid} of {len(opts['files'])} definitions are invalid", returncode=1)


def _load(path: str) -> dict[str, Any]:
    try:
        return importexport.load_definition(path)
    except importexport.ImportExportError as exc:
        raise CommandError(str(exc)) from None


Subcommand = tuple[str, Callable[[CommandParser], None], Handler]

SUBCOMMANDS: dict[str, Subcommand] = {
    "import": ("import a definition file as a new flow", _import_arguments, _import),
    "export": ("print a flow's definition as JSON", _export_arguments, _export),
    "validate": ("validate definition files (exit 1 when one is invalid)", _validate_arguments, _validate),
}


class Command(BaseCommand):
    help = "Flow definitions: " + ", ".join(SUBCOMMANDS)
    subcommands: dict[str, Subcommand] = SUBCOMMANDS

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=CommandParser)
        for name, (help_text, add_arguments, _handler) in self.subcommands.items():
            add_arguments(
                sub.add_parser(
                    name,
                    help=help_text,
                    called_from_command_line=getattr(self, "_called_from_command_line", None),
                )
            )

    def handle(self, *args: Any, **opts: Any) -> None:
        _help, _add, handler = self.subcommands[opts["subcommand"]]
        handler(self, opts)
