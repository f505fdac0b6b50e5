"""The Conversations service layer: what the REST API, the engine's plug, Flex and the web chat call.

Every function runs inside the caller's transaction; effects (the live push, Studio and webhook
deliveries, SMS to SMS participants) happen after commit. Lookups are scoped to an account:
another account's SID raises the same 404 (Twilio error 20404) as an unknown one.

Interface (all importable from ``conversations.services``):

- ``default_service(account) -> ConversationService`` — the account's default service (made once).
- ``create_service(account, friendly_name, *, is_default=False) -> ConversationService`` — with
  Twilio's four default roles and the Configuration naming them.
- ``create_conversation(account, *, service=None, friendly_name="", unique_name=None,
  attributes="{}", messaging_service_sid="", state="active", timers_inactive=None,
  timers_closed=None) -> Conversation`` — timers in seconds.
- ``service_for(account, sid) -> ConversationService`` — raises ``TwilioAPIError`` 404.
- ``get_conversation(account, sid, service=None) -> Conversation`` — by SID or unique name, due
  timers applied; raises ``TwilioAPIError`` 404 (20404) for an unknown or foreign one.
- ``update_conversation(conversation, **fields)`` — friendly_name, unique_name, attributes,
  messaging_service_sid, state, timers_inactive, timers_closed (``None`` = unchanged).
- ``add_participant(conversation, *, identity=None, address="", proxy_address="",
  attributes="{}", role_sid=None) -> Participant`` — a chat participant by ``identity`` (its
  service's User made when missing) or an SMS one by ``address`` (+ ``proxy_address``, the
  number it writes to); 409 (50433) on a duplicate; the role is the service's default
  conversation role unless ``role_sid`` names another.
- ``remove_participant(participant)``; ``participant_for(account, conversation, sid_or_identity)
  -> Participant`` (404 otherwise); ``open_conversation_for_pair(account, address, proxy) ->
  Conversation | None`` (the open conversation of an SMS pair).
- ``add_message(conversation, *, author="system", body="", media=None, attributes="{}",
  participant=None, source="API", client_id="") -> ConversationMessage`` — the next gapless
  ``index``; the author's participant is found by identity/address when not given; a second
  message with the same author and non-empty ``client_id`` raises ``IntegrityError`` (the
  caller's transaction rolls back, index included); 400 (50300) when the conversation is
  closed, 400 (20001) for a body over 1,600 characters, 400 (50500) with neither body nor media.
  ``source`` goes to webhooks as ``Source`` (API, SMS, SDK …). Author ``system`` (the flow's
  own messages) never triggers a flow. Each ``media`` item: ``{"sid", "content_type", "url"}``.
- ``close_conversation(conversation) -> Conversation`` (idempotent), ``set_state(conversation,
  state)``.
- ``messages_since(conversation, index=-1, limit=100) -> list[ConversationMessage]`` — messages
  with an index greater than ``index``, oldest first (a reconnecting client passes its last one).
- ``last_messages(conversation, count) -> list[ConversationMessage]`` — the last ``count``, oldest
  first.
- ``participants_of(conversation) -> tuple[Participant, ...]`` — cached per process and per
  roster change (``conversations.roster``); read-only instances.
- ``message_payload(message) -> dict`` — the JSON pushed live (``serializers.message_json``).
- ``on_message_added(listener)`` — register ``listener(message)``, called after commit for
  every message added (in the committing process).
- ``typing(conversation_sid, identity)`` — the conversation's live group hears it;
  ``on_typing(listener)`` / ``relay_typing(conversation_sid, identity)`` — a visitor's typing,
  told to the registered listeners (Flex: the agents' consoles).
- ``group_name(conversation_sid) -> str`` — ``"conversation_{CH}"``: after commit each new message
  is sent to this Channels group as ``{"type": "conversation.message", "message": payload}``
  and each state change as ``{"type": "conversation.state", "conversation": sid, "state": s}``.
- ``sweep_timers(now=None) -> int`` — apply due inactive/closed timers (beat and reads call it).
- ``check_attributes(text, name="Attributes") -> str`` — a JSON document ≤ 16 KiB, or 400.
- Constants: ``MAX_BODY`` (1600), ``SYSTEM`` (``"system"``, the flow's author).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.errors import TwilioAPIError, not_found
from accounts.input_guards import parse_json
from accounts.models import Account
from conversations import defaults, effects, hooks
from conversations.models import (
    Conversation,
    ConversationMessage,
    ConversationRole,
    ConversationService,
    Participant,
)
from conversations.roster import roster_of
from conversations.serializers import message_json

MAX_BODY = 1600  # characters, as the Conversations API caps a message body
MAX_ATTRIBUTES = 16 * 1024
MAX_NAME = 256
SYSTEM = "system"

Listener = Callable[[ConversationMessage], None]


def group_name(conversation_sid: str) -> str:
    return f"conversation_{conversation_sid}"


def on_message_added(listener: Listener) -> None:
    if listener not in effects.listeners:  # apps register in ready(), which may run twice
        effects.listeners.append(listener)


def typing(conversation_sid: str, identity: str) -> None:
    """``identity`` is typing: the conversation's live group hears it now (nothing is stored)."""
    effects.typing(conversation_sid, identity)


TypingListener = Callable[[str, str], None]
typing_listeners: list[TypingListener] = []


def on_typing(listener: TypingListener) -> None:
    """Register ``listener(conversation_sid, identity)``, told when a visitor types (Flex relays
    it to the agents in the conversation, whose console is not in the conversation's group)."""
    if listener not in typing_listeners:
        typing_listeners.append(listener)


def relay_typing(conversation_sid: str, identity: str) -> None:
    """A visitor is typing: the registered listeners hear it (best effort, nothing stored)."""
    for listener in list(typing_listeners):
        listener(conversation_sid, identity)


def message_payload(message: ConversationMessage) -> dict[str, Any]:
    return message_json(message)


# -- services and conversations -----------------------------------------------------------


def default_service(account: Account) -> ConversationService:
    service = ConversationService.objects.filter(account=account, is_default=True).first()
    if service is None:
        service = create_service(account, "Default Conversations Service", is_default=True)
    return service


def create_service(account: Account, friendly_name: str, *, is_default: bool = False) -> ConversationService:
    """A conversation service with Twilio's default roles (``conversations.defaults``)."""
    with transaction.atomic():
        service = ConversationService.objects.create(
            account=account, friendly_name=friendly_name, is_default=is_default
        )
        defaults.ensure_roles(service)
    return service


def service_for(account: Account, sid: str) -> ConversationService:
    service = ConversationService.objects.select_related("account").filter(account=account, sid=sid).first()
    if service is None:
        raise not_found(f"The requested resource /Services/{sid} was not found")
    return service


def _check_text(name: str, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise TwilioAPIError(400, 20001, f"Invalid parameter {name}: at most {limit} characters")


def check_attributes(value: str, name: str = "Attributes") -> str:
    """Attributes are a JSON document kept as text (as Twilio keeps them)."""
    _check_text(name, value, MAX_ATTRIBUTES)
    try:
        parse_json(value)
    except ValueError:
        raise TwilioAPIError(400, 50003, f"Invalid parameter {name}: not a valid JSON document") from None
    return value


def _arm(conversation: Conversation, now: datetime) -> None:
    """Re-arm the timers from ``now`` (creation and every message), as Twilio's do."""
    if conversation.state == Conversation.State.CLOSED:
        conversation.date_inactive = conversation.date_closed = None
        return
    if conversation.timers_inactive and conversation.state == Conversation.State.ACTIVE:
        conversation.date_inactive = now + timedelta(seconds=conversation.timers_inactive)
    if conversation.timers_closed:
        conversation.date_closed = now + timedelta(seconds=conversation.timers_closed)


def create_conversation(
    account: Account,
    *,
    service: ConversationService | None = None,
    friendly_name: str = "",
    unique_name: str | None = None,
    attributes: str = "{}",
    messaging_service_sid: str = "",
    state: str = "active",
    timers_inactive: int | None = None,
    timers_closed: int | None = None,
    webhooks: bool = True,
) -> Conversation:
    """``webhooks``: ``onConversationAdded`` goes to the post-action hook (the REST view passes
    False and tells it itself, as its header asks)."""
    _check_text("FriendlyName", friendly_name, MAX_NAME)
    _check_text("UniqueName", unique_name, MAX_NAME)
    check_attributes(attributes)
    if state not in Conversation.State.values:
        raise TwilioAPIError(400, 20001, "Invalid parameter State: active, inactive or closed")
    if unique_name and unique_name.startswith("CH"):
        raise TwilioAPIError(400, 50353, "Invalid parameter UniqueName: it must not look like a SID")
    conversation = Conversation(
        account=account,
        service=service or default_service(account),
        friendly_name=friendly_name,
        unique_name=unique_name or None,
        attributes=attributes,
        messaging_service_sid=messaging_service_sid,
        state=state,
        timers_inactive=timers_inactive,
        timers_closed=timers_closed,
    )
    _arm(conversation, timezone.now())
    try:
        with transaction.atomic():
            conversation.save(force_insert=True)
    except IntegrityError:
        raise TwilioAPIError(
            409, 50353, f"Conversation with unique name {unique_name} already exists"
        ) from None
    if webhooks:
        hooks.conversation_added(conversation)
    return conversation


def get_conversation(
    account: Account, sid: str, service: ConversationService | None = None, *, lock: bool = False
) -> Conversation:
    """By SID (``CH…``) or unique name, in the account (and the service when given)."""
    qs = Conversation.objects.select_related("account", "service").filter(account=account)
    if service is not None:
        qs = qs.filter(service=service)
    if lock:
        qs = qs.select_for_update()
    conversation = qs.filter(Q(sid=sid) | Q(unique_name=sid)).first() if sid else None
    if conversation is None:
        raise not_found(f"The requested resource /Conversations/{sid} was not found")
    _apply_due(conversation, timezone.now())
    return conversation


def update_conversation(conversation: Conversation, **fields: Any) -> Conversation:
    """Change any of friendly_name, unique_name, attributes, messaging_service_sid, state,
    timers_inactive, timers_closed (``None`` values are left alone)."""
    given = {k: v for k, v in fields.items() if v is not None}
    if "friendly_name" in given:
        _check_text("FriendlyName", given["friendly_name"], MAX_NAME)
    if "attributes" in given:
        check_attributes(given["attributes"])
    state = given.pop("state", None)
    for key, value in given.items():
        setattr(conversation, key, value)
    if state is not None:
        set_state(conversation, state, save=False)
    _arm(conversation, timezone.now())
    try:
        with transaction.atomic():
            conversation.save()
    except IntegrityError:
        raise TwilioAPIError(409, 50353, "A conversation with this unique name already exists") from None
    return conversation


def set_state(conversation: Conversation, state: str, *, save: bool = True, reason: str = "") -> Conversation:
    """``reason`` (``TIMER``, ``EVENT``): the change is told to the post-action hook as
    ``onConversationStateUpdated`` (a REST update tells it itself, when its header asks)."""
    if state not in Conversation.State.values:
        raise TwilioAPIError(400, 20001, "Invalid parameter State: active, inactive or closed")
    if conversation.state == Conversation.State.CLOSED and state != Conversation.State.CLOSED:
        raise TwilioAPIError(400, 50300, "A closed conversation cannot be reopened")
    if state == conversation.state:
        return conversation
    before, conversation.state = conversation.state, state
    if state == Conversation.State.CLOSED:
        conversation.date_inactive = conversation.date_closed = None
    elif state == Conversation.State.INACTIVE:
        conversation.date_inactive = None
    if save:
        conversation.save(update_fields=["state", "date_inactive", "date_closed", "date_updated"])
    effects.state_changed(conversation.sid, state)
    if reason:
        hooks.state_updated(conversation, before, state, reason)
    return conversation


def close_conversation(conversation: Conversation) -> Conversation:
    return set_state(conversation, Conversation.State.CLOSED, reason="EVENT")


def _apply_due(conversation: Conversation, now: datetime) -> None:
    if conversation.date_closed and conversation.date_closed <= now:
        set_state(conversation, Conversation.State.CLOSED, reason="TIMER")
    elif conversation.date_inactive and conversation.date_inactive <= now:
        set_state(conversation, Conversation.State.INACTIVE, reason="TIMER")


def sweep_timers(now: datetime | None = None) -> int:
    """Move conversations whose timers are due to inactive/closed; returns how many changed."""
    now = now or timezone.now()
    due = Conversation.objects.filter(Q(date_closed__lte=now) | Q(date_inactive__lte=now)).exclude(
        state=Conversation.State.CLOSED
    )
    changed = 0
    for pk in list(due.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            conversation = Conversation.objects.select_for_update().get(pk=pk)
            before = conversation.state
            _apply_due(conversation, now)
            changed += conversation.state != before
    return changed


# -- participants ---------------------------------------------------------------------------


def add_participant(
    conversation: Conversation,
    *,
    identity: str | None = None,
    address: str = "",
    proxy_address: str = "",
    attributes: str = "{}",
    role_sid: str | None = None,
    webhooks: bool = True,
) -> Participant:
    """``webhooks``: ``onParticipantAdded`` goes to the post-action hook (as for conversations)."""
    if not identity and not address:
        raise TwilioAPIError(400, 50101, "A participant needs an Identity or a MessagingBinding.Address")
    if identity and address:
        raise TwilioAPIError(400, 50101, "A participant has an Identity or a MessagingBinding, not both")
    if address and not proxy_address:
        raise TwilioAPIError(400, 50101, "MessagingBinding.ProxyAddress is required for an SMS participant")
    _check_text("Identity", identity, MAX_NAME)
    _check_text("MessagingBinding.Address", address, 64)
    _check_text("MessagingBinding.ProxyAddress", proxy_address, 64)
    check_attributes(attributes)
    if conversation.state == Conversation.State.CLOSED:
        raise TwilioAPIError(400, 50300, "The conversation is closed")
    participants = Participant.objects.filter(conversation=conversation)
    if address and participants.filter(address=address).exists():
        raise TwilioAPIError(
            409, 50416, f"A participant with address {address} is already in the conversation"
        )
    if address and _open_pair_elsewhere(conversation, address, proxy_address):
        raise TwilioAPIError(
            409, 50416, "A participant with this address and proxy address is in another open conversation"
        )
    participant = Participant(
        account=conversation.account,
        conversation=conversation,
        identity=identity or None,
        address=address,
        proxy_address=proxy_address,
        attributes=attributes,
        role_sid=conversation_role(conversation.service, role_sid),
    )
    if identity:  # Twilio makes the chat participant's User when its identity has none
        defaults.user_for(conversation.service, identity)
    try:
        with transaction.atomic():
            participant.save(force_insert=True)
    except IntegrityError:
        raise TwilioAPIError(
            409, 50433, f"Participant {identity} already exists in the conversation"
        ) from None
    if webhooks:
        hooks.participant_added(participant)
    return participant


def conversation_role(service: ConversationService, sid: str | None) -> str:
    """A participant's role: ``sid`` (a conversation role of the service) or the service's default."""
    if sid is None:
        return defaults.role_sid(service, "default_conversation_role_sid") or ""
    role = ConversationRole.objects.filter(service=service, sid=sid).first()
    if role is None:
        raise TwilioAPIError(400, 20001, f"Invalid parameter RoleSid: no role {sid} in the service")
    if role.type != ConversationRole.Type.CONVERSATION:
        raise TwilioAPIError(400, 50057, "Invalid parameter RoleSid: a participant takes a conversation role")
    return role.sid


def _open_pair_elsewhere(conversation: Conversation, address: str, proxy: str) -> bool:
    """Twilio allows one open conversation per (address, proxy address) pair."""
    return (
        Participant.objects.filter(account=conversation.account, address=address, proxy_address=proxy)
        .exclude(conversation=conversation)
        .exclude(conversation__state=Conversation.State.CLOSED)
        .exists()
    )


def remove_participant(participant: Participant) -> None:
    participant.delete()


def participant_for(account: Account, conversation: Conversation, sid: str) -> Participant:
    p = (
        Participant.objects.select_related("conversation__account", "conversation__service")
        .filter(account=account, conversation=conversation)
        .filter(Q(sid=sid) | Q(identity=sid))
        .first()
    )
    if p is None:
        raise not_found(
            f"The requested resource /Conversations/{conversation.sid}/Participants/{sid} was not found"
        )
    return p


def open_conversation_for_pair(account: Account, address: str, proxy: str) -> Conversation | None:
    p = (
        Participant.objects.select_related("conversation")
        .filter(account=account, address=address, proxy_address=proxy)
        .exclude(conversation__state=Conversation.State.CLOSED)
        .order_by("-id")
        .first()
    )
    return p.conversation if p is not None else None


# -- messages -------------------------------------------------------------------------------


def add_message(
    conversation: Conversation,
    *,
    author: str = SYSTEM,
    body: str = "",
    media: list[dict[str, Any]] | None = None,
    attributes: str = "{}",
    participant: Participant | None = None,
    source: str = "API",
    client_id: str = "",
    webhooks: bool = True,
    dates: tuple[datetime | None, datetime | None] = (None, None),
) -> ConversationMessage:
    """``webhooks``: the service's pre/post-action hooks fire (``conversations.hooks``; the
    pre-action one before the transaction, and it may change Body, Author, Attributes);
    ``dates``: a DateCreated and DateUpdated to keep (an imported history)."""
    _check_message(author, body, media, attributes)
    # A flow's own message (source Studio) is not put to the pre-action hook: the engine posts
    # it inside its step's transaction, which must not wait on a peer; it is told afterwards.
    if webhooks and source != "Studio":
        changed = hooks.before_message_add(conversation, author, body, attributes, media, source)
        if changed:
            body = changed.get("Body", body)
            author = changed.get("Author", author)
            attributes = changed.get("Attributes", attributes)
            _check_message(author, body, media, attributes)
    with transaction.atomic():
        message = _add_message(
            conversation, author, body, media, attributes, participant, source, client_id, dates
        )
        if webhooks:
            hooks.message_added(message, source)
        return message


def _check_message(author: str, body: str, media: list[dict[str, Any]] | None, attributes: str) -> None:
    _check_text("Body", body, MAX_BODY)
    _check_text("Author", author, MAX_NAME)
    check_attributes(attributes)
    if not body and not media:
        raise TwilioAPIError(400, 50500, "A message needs a Body or Media")


def redate(row: Any, created: datetime | None, updated: datetime | None) -> None:
    """A row's DateCreated/DateUpdated as given (Twilio accepts them, to import a history): one
    UPDATE, as ``auto_now`` fields ignore assigned values on save. DateUpdated defaults to
    DateCreated."""
    row.date_created = created or row.date_created
    row.date_updated = updated or created or row.date_updated
    type(row).objects.filter(pk=row.pk).update(date_created=row.date_created, date_updated=row.date_updated)


def _add_message(
    conversation: Conversation,
    author: str,
    body: str,
    media: list[dict[str, Any]] | None,
    attributes: str,
    participant: Participant | None,
    source: str,
    client_id: str,
    dates: tuple[datetime | None, datetime | None] = (None, None),
) -> ConversationMessage:
    now = timezone.now()
    locked = _take_index(conversation, now) or _take_index_slowly(conversation, now)
    # The row came back from the database: the caller's related objects (its account and
    # service, already read) go with it.
    for relation in ("account", "service"):
        descriptor = getattr(Conversation, relation)
        if descriptor.is_cached(conversation):
            setattr(locked, relation, getattr(conversation, relation))
    conversation.state, conversation.next_index = locked.state, locked.next_index
    conversation.date_inactive, conversation.date_closed = locked.date_inactive, locked.date_closed
    conversation.roster_version = locked.roster_version
    roster = roster_of(locked)
    if participant is None and author and author != SYSTEM:
        participant = roster.participant(author)
    # A resend (same author and client id) breaks the unique constraint: the caller's
    # transaction rolls back, the index with it, and the caller finds the first message.
    message = ConversationMessage.objects.create(
        account_id=locked.account_id,
        conversation=locked,
        index=locked.next_index - 1,
        author=author or SYSTEM,
        body=body,
        media=list(media or []),
        attributes=attributes,
        participant_sid=participant.sid if participant else "",
        client_id=client_id,
    )
    if dates[0] or dates[1]:
        redate(message, *dates)
    effects.message_added(message, participant, source, roster)
    return message


def _take_index(conversation: Conversation, now: datetime) -> Conversation | None:
    """The common case in one statement: an active conversation with no timer due and the
    caller's timers current takes the next index, re-arms its timers and is locked until
    commit; the row comes back. None otherwise (the careful path below handles the rest)."""
    if conversation.pk is None or not connection.features.can_return_columns_from_insert:
        return None  # (no UPDATE … RETURNING on this database)
    ops = connection.ops
    table = ops.quote_name(Conversation._meta.db_table)
    stamp = ops.adapt_datetimefield_value(now)
    sets = ["next_index = next_index + 1", "date_updated = %s"]
    params: list[Any] = [stamp]
    # _arm() for an active conversation, with the timers the WHERE below checks are current.
    if conversation.timers_inactive:
        sets.append("date_inactive = %s")
        params.append(ops.adapt_datetimefield_value(now + timedelta(seconds=conversation.timers_inactive)))
    if conversation.timers_closed:
        sets.append("date_closed = %s")
        params.append(ops.adapt_datetimefield_value(now + timedelta(seconds=conversation.timers_closed)))
    sql = (
        f"UPDATE {table} SET {', '.join(sets)} WHERE id = %s AND state = %s"
        " AND COALESCE(timers_inactive, 0) = %s AND COALESCE(timers_closed, 0) = %s"
        " AND (date_inactive IS NULL OR date_inactive > %s) AND (date_closed IS NULL OR date_closed > %s)"
        " RETURNING *"
    )
    params += [
        conversation.pk,
        Conversation.State.ACTIVE,
        conversation.timers_inactive or 0,
        conversation.timers_closed or 0,
        stamp,
        stamp,
    ]
    rows = list(Conversation.objects.raw(sql, params))
    return rows[0] if rows else None


def _take_index_slowly(conversation: Conversation, now: datetime) -> Conversation:
    """Any other case: the row locked, due timers applied, an inactive conversation woken."""
    locked = Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
    if locked is None:
        raise not_found(f"The requested resource /Conversations/{conversation.sid} was not found")
    _apply_due(locked, now)
    if locked.state == Conversation.State.CLOSED:
        raise TwilioAPIError(400, 50300, "The conversation is closed: no message can be added")
    if locked.state == Conversation.State.INACTIVE:
        set_state(locked, Conversation.State.ACTIVE, save=False)  # a message wakes it
    locked.next_index += 1
    _arm(locked, now)
    locked.save(update_fields=["next_index", "state", "date_inactive", "date_closed", "date_updated"])
    return locked


def participants_of(conversation: Conversation) -> tuple[Participant, ...]:
    """The conversation's participants, from the per-process roster cache (``roster.py``);
    read-only instances."""
    return roster_of(conversation).participants


def last_messages(conversation: Conversation, count: int) -> list[ConversationMessage]:
    """The conversation's last ``count`` messages, oldest first."""
    qs = ConversationMessage.objects.filter(conversation=conversation).order_by("-index")[: max(1, count)]
    return list(reversed(qs))


def messages_since(
    conversation: Conversation, index: int = -1, limit: int = 100
) -> list[ConversationMessage]:
    qs = ConversationMessage.objects.select_related("conversation__account", "conversation__service")
    return list(qs.filter(conversation=conversation, index__gt=index).order_by("index")[: max(1, limit)])
