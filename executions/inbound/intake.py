"""Inbound webhooks → executions: record (idempotent); ``handle`` runs one recorded event.

Recorded events are processed in batches by ``executions.inbound.batch`` (kicked by
``executions.inbound.drain``), each contact's events one at a time in arrival order.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.db import IntegrityError, transaction

from executions.engine import store
from executions.engine.context import trigger_payload
from executions.engine.writes import Writes
from executions.inbound.requests import event_key, message_pair
from executions.models import Execution, InboundEvent
from studio.models import Flow, FlowRevision
from studio.widgets.runtime import Inbound

log = logging.getLogger(__name__)


def record(flow: Flow, params: dict[str, Any], *, kind: str = "message") -> InboundEvent | None:
    """Store an inbound event; None when its key was already recorded (a redelivery)."""
    key = event_key(params)
    contact, channel = message_pair(params)
    event = InboundEvent(
        flow=flow,
        # No sid to deduplicate on: a key of its own (a row count would repeat after a purge
        # and collide between concurrent requests, dropping one event as a "redelivery").
        key=key or f"anon:{uuid.uuid4().hex}",
        kind=kind,
        contact_channel_address=contact,
        channel_address=channel,
        params=params,
    )
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():  # a savepoint: a duplicate leaves the caller's transaction usable
                event.save(force_insert=True)
        else:
            event.save(force_insert=True)  # autocommit: one statement, no BEGIN/COMMIT round trips
    except IntegrityError:
        return None
    return event


def in_conversation(channel: str) -> bool:
    """A conversation's execution (its channel address is the ``CH…``) is the conversation's:
    a message from any of its participants goes to it, whoever started it (the flow's Studio
    webhook belongs to the conversation, not to a participant). Inferred, not documented: the
    execution keeps the first author as ``contact.channel.address``."""
    return channel.startswith("CH")


def pair_key(contact: str, channel: str) -> tuple[str, str]:
    """The (contact, channel) an event is serialised and matched by: a conversation's events
    share one key, so they run one at a time in arrival order whoever wrote them."""
    return ("", channel) if in_conversation(channel) else (contact, channel)


class Lookup:
    """Where ``handle`` finds flows, revisions and active executions: one query each.

    ``executions.inbound.batch.BatchLookup`` answers the same questions for a whole batch at once."""

    def flow(self, flow_id: int) -> Flow:
        return Flow.objects.select_related("account").get(pk=flow_id)

    def revision_for(self, flow: Flow, contact: str) -> FlowRevision | None:
        return flow.revision_for(contact)

    def active(self, flow_id: int, contact: str, channel: str) -> Execution | None:
        qs = Execution.objects.filter(
            flow_id=flow_id, channel_address=channel, session_key="", status=Execution.Status.ACTIVE
        )
        if in_conversation(channel):
            qs = qs.filter(channel_address__startswith="CH")  # the partial index's predicate
        else:
            qs = qs.filter(contact_channel_address=contact)
        pk = qs.values_list("pk", flat=True).first()
        return store.lock(pk) if pk is not None else None


def handle(
    event: InboundEvent, *, lookup: Lookup | None = None, writes: Writes | None = None
) -> Execution | None:
    """Deliver the event to its pair's active execution, or start one (``writes``: a batch's)."""
    lookup = lookup or Lookup()
    params = dict(event.params)
    contact, channel = event.contact_channel_address, event.channel_address
    execution = lookup.active(event.flow_id, contact, channel)
    if execution is not None:
        result = store.deliver(
            execution, Inbound(kind="message", payload=params, key=event.key), writes=writes
        )
        if execution.is_active or not result.ignored or execution.current_widget:
            event.execution_sid = execution.sid
            return execution
        # The execution had outlived its lifetime and just ended: this message starts anew.
    flow = lookup.flow(event.flow_id)
    revision = lookup.revision_for(flow, contact)
    if revision is None:
        log.warning("flow %s has no published revision; message %s dropped", flow.sid, event.key)
        return None
    trigger_event = "incomingConversationMessage" if params.get("ConversationSid") else "incomingMessage"
    execution = store.create_execution(
        flow,
        revision,
        contact=contact,
        channel=channel,
        trigger_event=trigger_event,
        trigger=trigger_payload(params),
        initiated_by=event.key,
        writes=writes,
    )
    store.run_start(execution, writes=writes)
    event.execution_sid = execution.sid
    return execution
