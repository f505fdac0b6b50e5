"""``manage.py flows``: studio's import, export and validate, plus ``flows test FILE|FOLDER…``.

``scenarios`` is listed before ``studio`` in INSTALLED_APPS, so this command is the one Django
runs; it extends studio's table rather than copying it (studio must not import this app).

``flows test --saved [FLOW_SID…]`` also replays the tests saved in the console ("Save as test"),
each against its flow's latest revision, for CI against a database holding them.

``flows test`` replays scenarios against the configured database (a temporary account, removed
afterwards): one line per scenario, ``PASS name`` or ``FAIL name: first difference`` (every
difference with ``--verbose``), then ``N passed, M failed``; exit status 1 when any failed.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from executions.models import Execution
from scenarios import spec
from scenarios.checks import Report
from scenarios.driver import run_file, run_scenario
from scenarios.models import FlowTest
from studio.management.commands import flows


def _test_arguments(parser: CommandParser) -> None:
    parser.add_argument("files", nargs="*", help="scenario files (NAME.test.json) or folders holding them")
    parser.add_argument(
        "--saved",
        nargs="*",
        metavar="FLOW_SID",
        help="also the tests saved in the console (all flows, or these), against each flow's latest revision",
    )
    parser.add_argument(
        "--verbose", action="store_true", dest="details", help="print every difference, not only the first"
    )


def _quiet() -> ExitStack:
    """Silence per-task INFO logging (eager Celery) while scenarios run."""
    stack = ExitStack()
    for name in ("celery", "kombu", "httpx", "executions", "django.request"):
        logger = logging.getLogger(name)
        stack.callback(logger.setLevel, logger.level)
        logger.setLevel(logging.CRITICAL)
    return stack


def _test(cmd: BaseCommand, opts: dict[str, Any]) -> None:
    # Scenarios run against this database: say so once rather than failing every scenario.
    if Execution._meta.db_table not in connection.introspection.table_names():
        raise CommandError(
            "the database is not migrated: run `python manage.py migrate` (or `make run`) first"
        )
    try:
        files = spec.scenario_files(opts["files"])
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    runs: list[tuple[str, Callable[[], Report]]] = [
        (spec.name_of(path), functools.partial(run_file, path)) for path in files
    ]
    if opts.get("saved") is not None:
        runs.extend(_saved(opts["saved"]))
    elif not files:
        raise CommandError("give scenario files or folders, or --saved")
    verbose = bool(opts.get("details")) or int(opts.get("verbosity") or 1) >= 2
    failed = 0
    with _quiet():
        for name, run in runs:
            try:
                report = run()
            except (OSError, ValueError) as exc:
                report = Report(name=name, failures=[f"cannot load: {exc}"])
            except Exception as exc:  # noqa: BLE001 - one broken scenario must not stop the run
                report = Report(name=name, failures=[f"error: {exc!r}"])
            if report.ok:
                cmd.stdout.write(f"PASS {report.name}")
            else:
                more = len(report.failures) - 1
                extra = f" (+{more} more)" if more and not verbose else ""
                cmd.stdout.write(f"FAIL {report.name}: {report.failures[0]}{extra}")
                if verbose:
                    for failure in report.failures[1:]:
                        cmd.stdout.write(f"  {failure}")
            failed += not report.ok
    cmd.stdout.write(f"{len(runs) - failed} passed, {failed} failed")
    if failed:
        raise CommandError(f"{failed} of {len(runs)} scenarios failed", returncode=1)


def _saved(flow_sids: list[str]) -> list[tuple[str, Callable[[], Report]]]:
    """The console's saved tests (``scenarios.models.FlowTest``), each against its flow's draft."""
    tests = FlowTest.objects.select_related("flow").order_by("flow__sid", "name")
    if flow_sids:
        tests = tests.filter(flow__sid__in=flow_sids)

    def runner(test: FlowTest) -> Callable[[], Report]:
        def run() -> Report:
            revision = test.flow.latest_revision()
            definition = revision.definition if revision is not None else {}
            return run_scenario(
                spec.Scenario(name=f"{test.flow.sid}/{test.name}", spec=test.spec, definition=definition)
            )

        return run

    return [(f"{t.flow.sid}/{t.name}", runner(t)) for t in tests]


SUBCOMMANDS: dict[str, flows.Subcommand] = {
    **flows.SUBCOMMANDS,
    "test": (
        "replay golden scenarios (NAME.test.json; see docs/golden-scenarios.md); exit 1 when one fails",
        _test_arguments,
        _test,
    ),
}


class Command(flows.Command):
    help = "Flow definitions: " + ", ".join(SUBCOMMANDS)
    subcommands = SUBCOMMANDS
