"""A conversation's participants and webhooks, read once per change rather than once per message.

Every message needs both (who wrote it, who gets it by SMS, which flow or URL hears of it, which
agents to notify), and they change rarely. Each process keeps them per conversation, tagged with
the conversation's ``roster_version``; saving or deleting a participant or a webhook sets that
column to a fresh random value (never reused, so a rolled-back change cannot leave a cache entry
that a later change would match). A writer reads the version from the conversation row it has
locked (or updated), so a hit is the committed roster at that moment.

The cached model instances are shared between threads: read them, never change them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from conversations.models import Conversation, ConversationWebhook, Participant, new_roster_version

MAX_ENTRIES = 4096  # conversations per process (an entry is a few model instances)


@dataclass(frozen=True)
class Roster:
    participants: tuple[Participant, ...]
    webhooks: tuple[ConversationWebhook, ...]

    def participant(self, author: str) -> Participant | None:
        """The author's participant: a chat identity or an SMS address."""
        for p in self.participants:
            if p.identity == author or (p.address and p.address == author):
                return p
        return None

    def sms_except(self, author: Participant | None) -> list[Participant]:
        return [p for p in self.participants if p.address and (author is None or p.pk != author.pk)]


_lock = threading.Lock()
_entries: OrderedDict[int, tuple[int, Roster]] = OrderedDict()


def roster_of(conversation: Conversation) -> Roster:
    """The roster at ``conversation.roster_version`` (two reads on a miss, none on a hit)."""
    version = conversation.roster_version
    with _lock:
        hit = _entries.get(conversation.pk)
        if hit is not None and hit[0] == version:
            _entries.move_to_end(conversation.pk)
            return hit[1]
    roster = Roster(
        participants=tuple(Participant.objects.filter(conversation_id=conversation.pk)),
        webhooks=tuple(ConversationWebhook.objects.filter(conversation_id=conversation.pk)),
    )
    with _lock:
        _entries[conversation.pk] = (version, roster)
        _entries.move_to_end(conversation.pk)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return roster


def forget_all() -> None:
    with _lock:
        _entries.clear()


def changed(conversation_id: int | None) -> None:
    """A participant or webhook of the conversation was saved or deleted."""
    if conversation_id is not None:
        Conversation.objects.filter(pk=conversation_id).update(roster_version=new_roster_version())


def on_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``post_save``/``post_delete`` receiver for Participant and ConversationWebhook."""
    changed(getattr(instance, "conversation_id", None))
