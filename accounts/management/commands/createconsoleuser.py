from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Account, Membership


class Command(BaseCommand):
    help = "Create (or update) a console user with a role on an account."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--account", required=True, help="AC… sid")
        parser.add_argument("--role", default="owner", choices=[r.value for r in Membership.Role])
        parser.add_argument("--superuser", action="store_true", help="also allow /admin/")

    def handle(self, *args: Any, **opts: Any) -> None:
        account = Account.objects.filter(sid=opts["account"]).first()
        if account is None:
            raise CommandError(f"No account {opts['account']}")
        User = get_user_model()
        user, _ = User.objects.get_or_create(username=opts["username"])
        user.set_password(opts["password"])
        if opts["superuser"]:
            user.is_staff = user.is_superuser = True
        user.save()
        Membership.objects.update_or_create(user=user, account=account, defaults={"role": opts["role"]})
        self.stdout.write(f"Console user {user.username} is {opts['role']} of {account.sid}")
