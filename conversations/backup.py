"""An account's Conversations in its export (accounts.backup): services, conversations with their
participants, messages and scoped webhooks, and address configurations.

They are the account's data as the Conversations API shows it (a conversation and its messages
stay readable after the flow that answered it ended), unlike executions. Flow sids named by
webhooks and address configurations are rewritten with the flows'. Media uploaded to the
service (MCS) travel with their content (base64); media named only by URL are not fetched.
"""

from __future__ import annotations

from typing import Any

from accounts.backup import BackupError, Table
from accounts.models import Account
from conversations.models import (
    AddressConfiguration,
    Conversation,
    ConversationMedia,
    ConversationMessage,
    ConversationRole,
    ConversationsConfiguration,
    ConversationService,
    ConversationUser,
    ConversationWebhook,
    Participant,
    PushCredential,
)

NAME = "conversations"
TABLES = [
    Table(ConversationService, "account"),
    Table(Conversation, "account", exclude=("roster_version",)),  # a per-process cache key, not data
    Table(Participant, "account"),
    Table(ConversationMessage, "account"),
    Table(ConversationWebhook, "account"),
    Table(AddressConfiguration, "account"),
    Table(ConversationRole, "account"),
    Table(ConversationUser, "account"),
    Table(ConversationMedia, "account"),
    Table(ConversationsConfiguration, "account"),
    Table(PushCredential, "account"),
]


def check_import(account: Account, tables: dict[str, list[dict[str, Any]]]) -> None:
    """An account has one default service: an import bringing one into an account that already
    has one is refused (importing into a fresh account is the case this is for)."""
    brings_default = any(row.get("is_default") for row in tables.get(ConversationService._meta.label, []))
    if brings_default and ConversationService.objects.filter(account=account, is_default=True).exists():
        raise BackupError(
            "the account already has a default Conversations service: import into a fresh account"
        )
