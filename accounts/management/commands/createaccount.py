from __future__ import annotations

import json
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Account, account_json
from accounts.sids import SID_RE


class Command(BaseCommand):
    help = "Create an account (AC…) and print its sid and auth token."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--name", required=True, help="friendly name")
        parser.add_argument("--json", action="store_true", help="print {account_sid, auth_token} as JSON")
        # A move from another server (README "Operations"): the same sid keeps webhook URLs
        # (/v1/Accounts/AC…/Flows/FW…) valid, the same token keeps their signatures.
        parser.add_argument("--sid", help="this account sid (AC + 32 hex digits) instead of a new one")
        parser.add_argument("--auth-token", help="this auth token (32 hex digits) instead of a new one")

    def handle(self, *args: Any, **opts: Any) -> None:
        fields: dict[str, Any] = {"friendly_name": opts["name"]}
        sid, token = opts.get("sid"), opts.get("auth_token")
        if sid:
            if not (SID_RE.match(sid) and sid.startswith("AC")):
                raise CommandError(f"--sid: not an account sid: {sid}")
            if Account.objects.filter(sid=sid).exists():
                raise CommandError(f"--sid: {sid} exists on this server")
            fields["sid"] = sid
        if token:
            if not re.fullmatch(r"[0-9a-f]{32}", token):
                raise CommandError("--auth-token: 32 lowercase hex digits")
            fields["auth_token"] = token
        account = Account.objects.create(**fields)
        if opts["json"]:
            self.stdout.write(json.dumps(account_json(account)))
        else:
            self.stdout.write(f"Account SID: {account.sid}\nAuth token:  {account.auth_token}")
