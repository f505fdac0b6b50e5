from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from accounts.models import Account, account_json


class Command(BaseCommand):
    help = "Create an account (AC…) and print its sid and auth token."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--name", required=True, help="friendly name")
        parser.add_argument("--json", action="store_true", help="print {account_sid, auth_token} as JSON")

    def handle(self, *args: Any, **opts: Any) -> None:
        account = Account.objects.create(friendly_name=opts["name"])
        if opts["json"]:
            self.stdout.write(json.dumps(account_json(account)))
        else:
            self.stdout.write(f"Account SID: {account.sid}\nAuth token:  {account.auth_token}")
