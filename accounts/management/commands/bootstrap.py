"""First-run setup for `make run`: a demo account and a console user, printed once."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.models import Account, Membership

CREDENTIALS_FILE = settings.BASE_DIR / "var" / "demo-credentials.json"


class Command(BaseCommand):
    help = "Create the demo account and console user on first run and print their credentials."

    def handle(self, *args: Any, **opts: Any) -> None:
        User = get_user_model()
        if not User.objects.filter(username="admin").exists():
            account = Account.objects.create(friendly_name="Demo account")
            password = secrets.token_urlsafe(9)
            user = User.objects.create_superuser(username="admin", password=password, email="")
            Membership.objects.create(user=user, account=account, role=Membership.Role.OWNER)
            creds = {
                "console_url": f"{settings.PUBLIC_BASE_URL}/login",
                "username": "admin",
                "password": password,
                "account_sid": account.sid,
                "auth_token": account.auth_token,
            }
            CREDENTIALS_FILE.parent.mkdir(parents=True, exist_ok=True)
            CREDENTIALS_FILE.write_text(json.dumps(creds, indent=2))
            CREDENTIALS_FILE.chmod(0o600)
            self.stdout.write(self.style.SUCCESS("Created the demo account and console user:"))
        elif CREDENTIALS_FILE.exists():
            creds = json.loads(CREDENTIALS_FILE.read_text())
            self.stdout.write("Demo credentials (from var/demo-credentials.json):")
        else:
            self.stdout.write("Console user 'admin' exists; its password is not stored here.")
            return
        for key, value in creds.items():
            self.stdout.write(f"  {key:12} {value}")
