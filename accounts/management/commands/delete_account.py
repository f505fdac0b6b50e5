"""``manage.py delete_account AC… [--yes]``: delete an account and everything of it."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.deletion import delete_account, owned_counts
from accounts.models import Account


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = "Delete an account and every row of it (flows, executions, Functions, Flex, keys, members)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("account_sid", help="the account sid (AC…)")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **opts: Any) -> None:
        account = Account.objects.filter(sid=opts["account_sid"]).first()
        if account is None:
            raise CommandError(f"no account {opts['account_sid']}")
        if not opts["yes"]:
            for label, n in owned_counts(account).items():
                self.stdout.write(f"  {label}: {n}")
            self.stdout.write(
                f"Delete {account.sid} ({account.friendly_name}) and all of the above? Type its sid: "
            )
            answer = (opts.get("stdin") or sys.stdin).readline()
            if answer.strip() != account.sid:
                raise CommandError("not deleted (confirm by typing the sid, or pass --yes)")
        result = delete_account(account)
        self.stdout.write(f"deleted account {account.sid}: {result['total']} rows")
        for label, n in result["deleted"].items():
            self.stdout.write(f"  {label}: {n}")
