"""What a socket that writes to a conversation keeps of it between messages (the web chat
visitor's socket, the agent's console socket): the fields its messages need and that never
change (its row, account and service) plus its timers, checked by the statement that takes the
next index, so a stale value only sends that message down the careful path."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Account
from conversations.models import Conversation, ConversationService


@dataclass(frozen=True)
class KnownConversation:
    pk: int
    sid: str
    account: Account
    service: ConversationService
    timers_inactive: int | None
    timers_closed: int | None

    @classmethod
    def of(cls, found: Conversation, account: Account) -> KnownConversation:
        return cls(found.pk, found.sid, account, found.service, found.timers_inactive, found.timers_closed)

    def conversation(self) -> Conversation:
        """An unsaved-looking instance standing for the row (no query)."""
        return Conversation(
            id=self.pk,
            sid=self.sid,
            account=self.account,
            service=self.service,
            timers_inactive=self.timers_inactive,
            timers_closed=self.timers_closed,
        )
