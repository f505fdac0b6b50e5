"""The SMS/chat conversation behind a task: the contact's messages with the flow's number, and
the agent's replies (sent through the account's provider, the simulator or real Twilio).

A task carries its contact as attributes ``from`` (the contact's address) and ``to`` (the
number the contact wrote to) — Flex's default Messaging and WebChat flows set both.

A task made by Send to Flex in a conversation execution carries ``conversationSid`` instead
(Flex Conversations): its history is the conversation's (the bot's part included), the agent's
replies are the agent's messages in it, the agent joins it as a chat participant on accepting,
and the conversation is closed when the task is wrapped up or completed.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import transaction
from django.db.models import Q

from accounts.errors import TwilioAPIError
from conversations import services as conversations
from executions.engine.ports import ports
from executions.messaging.providers import get_provider
from executions.models import Message
from flex.api.common import iso
from flex.models import Task, Worker

HISTORY = 100
log = logging.getLogger(__name__)


def parties(task: Task) -> tuple[str, str] | None:
    """(contact, number) when the task names both, else None (no conversation)."""
    attrs = task.attrs()
    contact, number = attrs.get("from"), attrs.get("to")
    if isinstance(contact, str) and isinstance(number, str) and contact and number:
        return contact, number
    return None


def conversation_sid(task: Task) -> str:
    sid = task.attrs().get("conversationSid")
    return sid if isinstance(sid, str) and sid.startswith("CH") else ""


def has_conversation(task: Task) -> bool:
    return bool(conversation_sid(task)) or parties(task) is not None


def agent_identity(worker: Worker) -> str:
    """The agent's chat identity: its ``contact_uri`` without ``client:`` (Flex's), else its name."""
    uri = worker.attrs().get("contact_uri")
    if isinstance(uri, str) and uri.startswith("client:") and len(uri) > 7:
        return uri[7:]
    return worker.friendly_name


def _conversation(task: Task) -> Any:
    sid = conversation_sid(task)
    if not sid:
        return None
    try:
        return conversations.get_conversation(task.workspace.account, sid)
    except TwilioAPIError:
        return None  # deleted since: the task keeps no conversation


def conversation_history(task: Task) -> list[dict[str, Any]]:
    conversation = _conversation(task)
    if conversation is None:
        return []
    agents = _agent_identities(conversation)
    return [message_item(m, agents) for m in conversations.last_messages(conversation, HISTORY)]


RANGE = 200  # messages per range read (the console asks again while ``more``)


def conversation_range(task: Task, after: int | None) -> dict[str, Any]:
    """The conversation's messages after index ``after`` (oldest first, at most ``RANGE``; ``more``
    when there are others after them), or its last ``HISTORY`` when ``after`` is None; for a task
    whose contact is a pair of SMS addresses, its history (no index)."""
    conversation = _conversation(task)
    if conversation is None:
        return {"messages": history(task), "more": False, "last_index": None}
    agents = _agent_identities(conversation)
    if after is None:
        rows = conversations.last_messages(conversation, HISTORY)
        more = False
    else:
        rows = conversations.messages_since(conversation, after, limit=RANGE + 1)
        more = len(rows) > RANGE
        rows = rows[:RANGE]
    return {
        "messages": [message_item(m, agents) for m in rows],
        "more": more,
        "last_index": last_index(conversation),
    }


def last_index(conversation: Any) -> int | None:
    """The index of the conversation's last message (None before the first)."""
    return conversation.next_index - 1 if conversation.next_index else None


def last_indexes(account_id: int, sids: list[str]) -> dict[str, int | None]:
    """The last index of each of these conversations of the account (one query for a whole view)."""
    from conversations.models import Conversation

    if not sids:
        return {}
    rows = Conversation.objects.filter(account_id=account_id, sid__in=sids).values_list("sid", "next_index")
    return {sid: (n - 1 if n else None) for sid, n in rows}


def agent_joined(task: Task, worker: Worker) -> None:
    """On accepting a conversation task the agent joins the conversation as a chat participant."""
    conversation = _conversation(task)
    if conversation is None or conversation.state == "closed":
        return
    identity = agent_identity(worker)
    if conversation.participants.filter(identity=identity).exists():
        return
    conversations.add_participant(
        conversation, identity=identity, attributes=json.dumps({"role": "agent", "worker_sid": worker.sid})
    )


def _is_agent(participant: Any) -> bool:
    return '"role": "agent"' in (participant.attributes or "")


def message_item(message: Any, agents: set[str]) -> dict[str, Any]:
    """A conversation message as the agent console shows it (the view's history, the
    ``flex.message`` event, a range read): ``agents`` are the agents' identities (their messages
    and the flow's are outbound)."""
    author = message.author
    return {
        "sid": message.sid,
        "index": message.index,
        "direction": "outbound" if author == conversations.SYSTEM or author in agents else "inbound",
        "from": author,
        "body": message.body,
        "media": [_media_item(m) for m in message.media or [] if isinstance(m, dict)],
        "status": "delivered",
        "date_created": iso(message.date_created),
    }


def _media_item(media: dict[str, Any]) -> dict[str, Any]:
    return {
        "sid": str(media.get("sid") or ""),
        "content_type": str(media.get("content_type") or ""),
        "filename": str(media.get("filename") or ""),
        "size": media.get("size") if isinstance(media.get("size"), int) else None,
    }


def _agent_identities(conversation: Any) -> set[str]:
    return {p.identity for p in conversations.participants_of(conversation) if p.identity and _is_agent(p)}


# Worker SID → its account's id (a worker never changes account): the per-message check that a
# participant's ``worker_sid`` names a worker of the conversation's account, without a query once
# the process has met it. Bounded: cleared when full.
_worker_accounts: dict[str, int | None] = {}
WORKER_CACHE = 10_000


def _worker_account(worker_sid: str) -> int | None:
    if worker_sid not in _worker_accounts:
        from flex.models import Worker

        if len(_worker_accounts) >= WORKER_CACHE:
            _worker_accounts.clear()
        # No such worker is remembered too (None: nothing is sent to it), so a participant naming
        # one costs no query per message; worker SIDs are random, never reused for another.
        _worker_accounts[worker_sid] = (
            Worker.objects.filter(sid=worker_sid).values_list("workspace__account_id", flat=True).first()
        )
    return _worker_accounts[worker_sid]


def notify_agents(message: Any) -> None:
    """After a message lands in a conversation: the agents in it (participants the console
    added, ``role`` agent, naming a worker of the conversation's account) get the message itself
    on their console's live socket, ``{"type": "flex.message", "conversation_sid", "message"}``
    (``message_item``), so the console appends it without re-reading its view; the message's
    ``index`` lets it see a gap (a lost event) and fetch the missing range."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from flex.live import worker_group

    conversation = message.conversation
    # The writer's roster (conversations.roster): no query per message.
    agents = [p for p in conversations.participants_of(conversation) if _is_agent(p)]
    workers = []
    for p in agents:
        sid = p.attrs_dict().get("worker_sid")
        if isinstance(sid, str) and sid and _worker_account(sid) == conversation.account_id:
            workers.append(sid)
    if not workers:
        return
    layer = get_channel_layer()
    if layer is None:
        return
    event = {
        "type": "flex.message",
        "conversation_sid": conversation.sid,
        "message": message_item(message, {p.identity for p in agents if p.identity}),
    }

    async def send() -> None:  # one event loop for all of the conversation's agents
        for sid in dict.fromkeys(workers):
            try:
                await layer.group_send(worker_group(sid), event)
            except Exception:  # noqa: BLE001 - a lost event is a gap the console fills from the index
                log.exception("flex.message to %s failed", sid)

    try:
        async_to_sync(send)()
    except Exception:  # noqa: BLE001
        log.exception("flex.message failed")


def relay_visitor_typing(conversation_sid: str, identity: str) -> None:
    """A visitor types in a conversation: its agents' consoles (their workers' groups, where the
    console's live socket listens) get ``flex.typing`` with the conversation and who types."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from conversations.models import Participant
    from flex.live import worker_group

    layer = get_channel_layer()
    if layer is None:
        return
    agents = (
        Participant.objects.select_related("conversation")
        .filter(conversation__sid=conversation_sid, attributes__contains='"role": "agent"')
        .exclude(identity=identity)
    )
    event = {"type": "flex.typing", "conversation_sid": conversation_sid, "identity": identity}
    for p in agents:
        sid = p.attrs_dict().get("worker_sid")
        # A worker of the conversation's account only (as notify_agents).
        if isinstance(sid, str) and sid and _worker_account(sid) == p.conversation.account_id:
            try:
                async_to_sync(layer.group_send)(worker_group(sid), event)
            except Exception:  # noqa: BLE001 - a typing notice is worth nothing a moment later
                pass


def task_closed(task: Task) -> None:
    """Wrapping up or completing a conversation task closes its conversation (Flex's)."""
    conversation = _conversation(task)
    if conversation is not None and conversation.state != "closed":
        conversations.close_conversation(conversation)


def history(task: Task) -> list[dict[str, Any]]:
    if conversation_sid(task):
        return conversation_history(task)
    pair = parties(task)
    if pair is None:
        return []
    contact, number = pair
    messages = Message.objects.filter(account_id=task.workspace.account_id).filter(
        Q(from_address=contact, to_address=number) | Q(from_address=number, to_address=contact)
    )
    rows = list(messages.order_by("-date_created", "-id")[:HISTORY])
    return [
        {
            "sid": m.sid,
            "direction": "inbound" if m.direction == "inbound" else "outbound",
            "from": m.from_address,
            "body": m.body,
            "status": m.status,
            "date_created": iso(m.date_created),
        }
        for m in reversed(rows)
    ]


def reply(task: Task, body: str, worker: Worker | None = None) -> Any:
    """Send ``body`` to the contact from the number they wrote to; in a conversation task, add
    it to the conversation as the agent's message (the contact gets it live or by SMS)."""
    conversation = _conversation(task)
    if conversation is not None:
        if not body.strip():
            raise TwilioAPIError(400, 21602, "Message body is required.")
        author = agent_identity(worker) if worker is not None else "agent"
        return conversations.add_message(conversation, author=author, body=body)
    pair = parties(task)
    if pair is None:
        raise TwilioAPIError(400, 20001, "This task has no conversation (attributes from/to)")
    if not body.strip():
        raise TwilioAPIError(400, 21602, "Message body is required.")
    contact, number = pair
    account = task.workspace.account
    provider = get_provider(account=account)
    message = Message(
        account=account, to_address=contact, from_address=number, body=body, provider=provider.name
    )
    provider.accept(message)
    if message.status == Message.Status.FAILED:
        raise TwilioAPIError(400, message.error_code or 21211, message.error_message or "Message refused")
    message.save()
    sid = message.sid
    transaction.on_commit(lambda: ports().queue_dispatch([sid]))  # as the Messages API does
    return message


def open_task_for(workspace_id: int, attributes: dict[str, Any]) -> Task | None:
    """The contact's task still open in the workspace (a new text joins it instead of making
    another task, as a Flex conversation stays with its agent). A conversation's task is its
    conversation's own (Flex Conversations: one interaction per conversation), never joined."""
    if attributes.get("conversationSid"):
        return None
    contact, number = attributes.get("from"), attributes.get("to")
    if not (isinstance(contact, str) and isinstance(number, str) and contact and number):
        return None
    open_states = (Task.Status.PENDING, Task.Status.RESERVED, Task.Status.ASSIGNED, Task.Status.WRAPPING)
    found = Task.objects.filter(
        workspace_id=workspace_id, assignment_status__in=open_states, attributes__contains=contact
    ).order_by("-date_created", "-id")
    for task in found[:20]:
        if parties(task) == (contact, number) and not conversation_sid(task):
            return task
    return None


def typing(task: Task, worker: Worker) -> None:
    """Tell a conversation task's conversation that its agent is typing (nothing is stored)."""
    sid = conversation_sid(task)
    if sid:
        conversations.typing(sid, agent_identity(worker))
