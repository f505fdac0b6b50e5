"""Inbound webhooks → executions: record (idempotent), then process per contact in arrival order."""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction

from executions.engine import store
from executions.engine.context import trigger_payload
from executions.models import Execution, InboundEvent
from studio.models import Flow
from studio.widgets.base import Inbound

log = logging.getLogger(__name__)


def pair_of(params: dict[str, Any]) -> tuple[str, str]:
    """(contact address, flow channel address) of a messaging webhook."""
    contact = str(params.get("From") or params.get("Author") or "")
    channel = str(params.get("MessagingServiceSid") or params.get("To") or "")
    # Messaging Service quirk (spec §5.1): the MG… sid is Studio's side of the pair.
    if not str(params.get("MessagingServiceSid") or "").startswith("MG"):
        channel = str(params.get("To") or "")
    return contact, channel


def record(flow: Flow, params: dict[str, Any], *, kind: str = "message") -> InboundEvent | None:
    """Store an inbound event; None when its key was already recorded (a redelivery)."""
    key = str(params.get("MessageSid") or params.get("SmsSid") or params.get("CallSid") or "")
    contact, channel = pair_of(params)
    event = InboundEvent(
        flow=flow,
        key=key or f"anon:{InboundEvent.objects.count()}",
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


def process_pending(flow_id: int, contact: str, channel: str) -> int:
    """Process every pending event of one contact pair, oldest first, one at a time."""
    with transaction.atomic():
        events = list(
            InboundEvent.objects.select_for_update()
            .filter(
                flow_id=flow_id,
                contact_channel_address=contact,
                channel_address=channel,
                status=InboundEvent.Status.PENDING,
            )
            .order_by("id")
        )
        for event in events:
            handle(event)
            event.status = InboundEvent.Status.PROCESSED
            event.save(update_fields=["status", "execution_sid"])
    return len(events)


def _active(flow_id: int, contact: str, channel: str) -> Execution | None:
    pk = (
        Execution.objects.filter(
            flow_id=flow_id,
            contact_channel_address=contact,
            channel_address=channel,
            session_key="",
            status=Execution.Status.ACTIVE,
        )
        .values_list("pk", flat=True)
        .first()
    )
    return store.lock(pk) if pk is not None else None


def handle(event: InboundEvent) -> Execution | None:
    params = dict(event.params)
    contact, channel = event.contact_channel_address, event.channel_address
    execution = _active(event.flow_id, contact, channel)
    if execution is not None:
        result = store.deliver(execution, Inbound(kind="message", payload=params, key=event.key))
        if execution.is_active or not result.ignored or execution.current_widget:
            event.execution_sid = execution.sid
            return execution
        # The execution had outlived its lifetime and just ended: this message starts anew.
    flow = Flow.objects.select_related("account").get(pk=event.flow_id)
    revision = flow.revision_for(contact)
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
    )
    store.run_start(execution)
    event.execution_sid = execution.sid
    return execution
