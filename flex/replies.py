"""The agent's reply, once: over the console's live socket (``AgentReplies``, one per socket) or
its ``POST …/reservations/WR/messages`` (``post_reply``).

The rules are the same on both paths: the reservation is one of the agent's own workers' (another
worker's, another account's or an unknown one is a 404), accepted or wrapping (else 20001), its
task has a conversation (or a pair of SMS addresses); the body is a string of 1 to 1,600
characters, stored as text. A ``client_id`` (up to 64 letters, digits, ``-`` or ``_``) makes the
reply idempotent: a resend after a reconnect (or after a socket that closed before its
acknowledgement, sent again by ``POST``) finds the first message instead of posting twice — a
conversation's by its unique (conversation, author, client id), an SMS task's by a cache entry.

What a socket resolves once: its user's workers (the account each belongs to, the agent's chat
identity), and each conversation it writes to (its row, account and service, as the web chat's
visitors do). Per reply: one statement that checks the reservation is still held, then the
message's two (``conversations.services.add_message``: the next index, the insert).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction

from accounts import limits
from accounts.errors import TwilioAPIError, invalid_parameter, not_found
from accounts.models import Account
from accounts.sids import is_sid
from conversations import services
from conversations.known import KnownConversation
from conversations.models import Conversation, ConversationMessage
from executions.models import Message
from flex.api.common import iso
from flex.conversation import agent_identity, conversation_sid, message_item, reply
from flex.models import Reservation, Task, Worker

HELD = (Reservation.Status.ACCEPTED, Reservation.Status.WRAPPING)
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SMS_REPLY_SECONDS = 24 * 3600  # how long an SMS task's reply remembers its client id


def client_id_of(value: Any) -> str:
    """A reply's ``client_id``: empty when not given, else 1–64 letters, digits, ``-`` or ``_``."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not CLIENT_ID.match(value):
        raise invalid_parameter("client_id", "up to 64 letters, digits, '-' or '_'")
    return value


def body_of(value: Any) -> str:
    """A reply's body, checked before any query: a string, not blank, at most 1,600 characters."""
    if not isinstance(value, str):
        raise TwilioAPIError(400, 21602, "Message body is required (a string).")
    if not value.strip():
        raise TwilioAPIError(400, 21602, "Message body is required.")
    if len(value) > services.MAX_BODY:
        raise TwilioAPIError(400, 20001, f"Invalid parameter Body: at most {services.MAX_BODY} characters")
    return value


def sms_item(sent: Message) -> dict[str, Any]:
    """An SMS task's reply as the console shows it (no index: the history is re-read)."""
    return {
        "sid": sent.sid,
        "index": None,
        "direction": "outbound",
        "from": sent.from_address,
        "body": sent.body,
        "media": [],
        "status": sent.status,
        "date_created": iso(sent.date_created),
    }


def _earlier(conversation_sid_: str, author: str, cid: str) -> ConversationMessage | None:
    found = ConversationMessage.objects.select_related("conversation")  # (its timers are compared)
    return found.filter(conversation__sid=conversation_sid_, author=author, client_id=cid).first()


def _sms_key(worker_sid: str, cid: str) -> str:
    return f"flex:reply:{worker_sid}:{cid}"


def _sms_reply(task: Task, body: str, worker: Worker, cid: str) -> dict[str, Any]:
    """An SMS task's reply (no conversation): sent once per client id."""
    if cid:
        sid = cache.get(_sms_key(worker.sid, cid))
        earlier = (
            Message.objects.filter(sid=sid, account_id=task.workspace.account_id).first() if sid else None
        )
        if earlier is not None:
            return sms_item(earlier)
    with transaction.atomic():
        sent = reply(task, body, worker)
    if cid:
        cache.set(_sms_key(worker.sid, cid), sent.sid, SMS_REPLY_SECONDS)
    return sms_item(sent)


def _add(conversation: Conversation, author: str, body: str, cid: str) -> ConversationMessage:
    """The agent's message in the conversation; a resend (same author and client id) gets the
    first one back (its own transaction rolled back, the index with it)."""
    try:
        return services.add_message(conversation, author=author, body=body, client_id=cid)
    except IntegrityError:
        earlier = _earlier(conversation.sid, author, cid) if cid else None
        if earlier is None:
            raise
        return earlier


def post_reply(reservation: Reservation, worker: Worker, body: Any, client_id: Any) -> dict[str, Any]:
    """The ``POST``'s reply (the reservation already checked as the worker's and held)."""
    text, cid = body_of(body), client_id_of(client_id)
    task = reservation.task
    sid = conversation_sid(task)
    if not sid:
        return _sms_reply(task, text, worker, cid)
    try:
        conversation = services.get_conversation(task.workspace.account, sid)
    except TwilioAPIError:
        conversation = None  # deleted since: as ``reply`` answers
    if conversation is None:
        return _sms_reply(task, text, worker, cid)
    author = agent_identity(worker)
    try:
        sent = _add(conversation, author, text, cid)
    except TwilioAPIError:
        earlier = _earlier(sid, author, cid) if cid else None  # a late resend to a closed one
        if earlier is None:
            raise
        sent = earlier
    return message_item(sent, {author})


@dataclass(frozen=True)
class SocketWorker:
    """One of the socket user's workers, as resolved when the socket opened."""

    pk: int
    sid: str
    account: Account
    identity: str


KNOWN_MAX = 256  # conversations one socket remembers (an agent holds a few at a time)


class AgentReplies:
    """The replies sent over one console socket, for the workers its user had when it opened."""

    def __init__(self, workers: list[Worker]) -> None:
        self.workers = {
            w.pk: SocketWorker(w.pk, w.sid, w.workspace.account, agent_identity(w)) for w in workers
        }
        for w in self.workers.values():
            w.account.snapshot = True  # type: ignore[attr-defined]  # conversations.effects re-reads it
        self.known: dict[str, KnownConversation] = {}

    def held(self, reservation: Any) -> tuple[SocketWorker, str]:
        """The socket's worker holding ``reservation`` (accepted or wrapping) and its task's
        conversation SID ("" for an SMS task): one query."""
        if not isinstance(reservation, str) or not is_sid(reservation, "WR"):
            raise invalid_parameter("reservation", "a reservation SID (WR…)")
        row = (
            Reservation.objects.filter(sid=reservation, worker_id__in=list(self.workers))
            .values_list("worker_id", "reservation_status", "task__attributes", "workspace__account__status")
            .first()
        )
        if row is None:
            raise not_found(f"No reservation {reservation} for your workers")
        if row[3] != Account.Status.ACTIVE:  # as the POST's authentication answers a suspended account
            raise TwilioAPIError(401, 20005, "Account not active")
        if row[1] not in HELD:
            raise TwilioAPIError(400, 20001, "Accept the reservation before writing to the contact")
        return self.workers[row[0]], conversation_sid(Task(attributes=row[2]))

    def typing(self, reservation: Any) -> None:
        """The agent is typing in ``reservation``'s conversation: its visitor sees it (nothing is
        stored; an SMS task has no one to tell)."""
        worker, sid = self.held(reservation)
        if sid:
            services.typing(sid, worker.identity)

    def reply(self, reservation: Any, body: Any, client_id: Any) -> dict[str, Any]:
        """Post ``body`` to the contact of ``reservation``; answered with the message as the
        console shows it (``flex.conversation.message_item``)."""
        if not isinstance(reservation, str) or not is_sid(reservation, "WR"):
            raise invalid_parameter("reservation", "a reservation SID (WR…)")
        text, cid = body_of(body), client_id_of(client_id)
        worker, sid = self.held(reservation)
        wait = limits.count("api", worker.account.sid, limits.rate("API_RATE_LIMIT"))  # as the POST's
        if wait is not None:
            message = "Too many requests: wait a moment and try again"
            raise TwilioAPIError(429, 20429, message, retry_after=limits.retry_after(wait))
        conversation = self._conversation(worker, sid) if sid else None
        if conversation is None:  # an SMS task (or its conversation deleted): the careful path
            held = Reservation.objects.select_related("task__workspace__account", "worker").get(
                sid=reservation, worker_id=worker.pk
            )
            return _sms_reply(held.task, text, held.worker, cid)
        try:
            sent = _add(conversation, worker.identity, text, cid)
        except TwilioAPIError:
            self.known.pop(sid, None)  # closed or deleted: read afresh next time
            earlier = _earlier(sid, worker.identity, cid) if cid else None
            if earlier is None:
                raise
            sent = earlier
        stored = sent.conversation
        if (stored.timers_inactive, stored.timers_closed) != (
            conversation.timers_inactive,
            conversation.timers_closed,
        ):
            self.known.pop(sid, None)  # its timers changed: read them afresh
        return message_item(sent, {worker.identity})

    def _conversation(self, worker: SocketWorker, sid: str) -> Conversation | None:
        known = self.known.get(sid)
        if known is None or known.account.pk != worker.account.pk:
            try:
                found = services.get_conversation(worker.account, sid)
            except TwilioAPIError:
                return None
            known = KnownConversation.of(found, worker.account)
            if len(self.known) >= KNOWN_MAX:
                self.known.clear()
            self.known[sid] = known
        return known.conversation()
