"""An account's web chat key in its export (accounts.backup), with its allowed origins.

The key is unique across a server: an import gives it a new value (rewritten wherever the old one
was named), unless it keeps the sids (a move: the pages embedding the chat keep working once the
domain points to the new server). An account has one key, so an import into an account that has
one already is refused.
"""

from __future__ import annotations

from typing import Any

from accounts.backup import BackupError, Table
from accounts.models import Account
from webchat.models import WebChatKey

NAME = "webchat"
TABLES = [Table(WebChatKey, "account", sid_field="key")]


def check_import(account: Account, tables: dict[str, list[dict[str, Any]]]) -> None:
    if tables.get(WebChatKey._meta.label) and WebChatKey.objects.filter(account=account).exists():
        raise BackupError("the account already has a web chat key: import into a fresh account")
