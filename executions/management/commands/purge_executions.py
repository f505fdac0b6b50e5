"""``manage.py purge_executions``: delete executions past the retention now (beat does it hourly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from executions.engine import retention
from studio.conf import studio_settings


class Command(BaseCommand):
    help = "Delete ended executions (with their steps and timers) and finished inbound events older than the retention."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=float,
            default=None,
            help=f"keep this many days (default: STUDIO EXECUTION_RETENTION_DAYS, now {studio_settings.EXECUTION_RETENTION_DAYS})",
        )
        parser.add_argument("--batch", type=int, default=None, help="executions per transaction")

    def handle(self, *args: Any, **opts: Any) -> None:
        purged = retention.purge(days=opts["days"], batch=opts["batch"])
        self.stdout.write(
            f"purged {purged.executions} executions, {purged.steps} steps, "
            f"{purged.inbound_events} inbound events"
        )
