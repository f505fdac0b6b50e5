"""``manage.py flex_seed [--account AC…] [--user NAME]``: Flex's defaults for accounts that lack
them, the user (if given) as an agent of each, and the default flows' webhook URLs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Account, Membership


class Command(BaseCommand):
    help = "Seed Flex's workspace and default flows (Voice IVR, Messaging Flow, WebChat Flow)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", help="one account SID (default: every account)")
        parser.add_argument("--user", help="a console user to make an agent (its accounts only)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from executions.voice.calls import flow_webhook_url
        from flex.flex_defaults import seed_account
        from studio.models import Flow

        user = None
        accounts = Account.objects.all()
        if opts.get("user"):
            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"no console user {opts['user']}")
            accounts = accounts.filter(pk__in=Membership.objects.filter(user=user).values("account_id"))
        if opts.get("account"):
            accounts = accounts.filter(sid=opts["account"])
        for account in accounts:
            workspace = seed_account(account, user)
            self.stdout.write(f"Flex for {account.sid}: workspace {workspace.sid}")
            for flow in Flow.objects.filter(
                account=account, friendly_name__in=("Voice IVR", "Messaging Flow", "WebChat Flow")
            ):
                self.stdout.write(f"  {flow.friendly_name:15} {flow_webhook_url(account.sid, flow.sid)}")
            if user is not None:
                self.stdout.write(f"  agent console: /flex/agent (signed in as {user.get_username()})")
