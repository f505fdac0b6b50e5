"""Inbound webhooks → executions: record (idempotent), then process per contact in arrival order."""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.sids import is_sid, new_sid
from executions.engine import store
from executions.engine.context import trigger_payload
from executions.models import Execution, InboundEvent, Message
from executions.providers import provider_name
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
            if event.kind == "message":
                store_inbound_message(event)
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


def store_inbound_message(event: InboundEvent) -> None:
    """Keep the inbound message as Twilio's Messages list shows it (direction ``inbound``).

    Stored by the worker, not the webhook, to keep the webhook's answer fast; before the flow
    runs, so the list orders it before the replies. A MessageSid already stored (another flow
    got the same message) is kept once.
    """
    params = event.params
    sid = str(params.get("MessageSid") or params.get("SmsSid") or "")
    if not is_sid(sid, "SM") and not is_sid(sid, "MM"):
        sid = new_sid("SM")
    try:
        media_count = int(params.get("NumMedia") or 0)
    except (TypeError, ValueError):
        media_count = 0
    account_id = Flow.objects.filter(pk=event.flow_id).values_list("account_id", flat=True).get()
    try:
        with transaction.atomic():
            Message.objects.create(
                sid=sid,
                account_id=account_id,
                from_address=str(params.get("From") or params.get("Author") or ""),
                to_address=str(params.get("To") or ""),
                body=str(params.get("Body") or ""),
                media_urls=[
                    str(params.get(f"MediaUrl{i}")) for i in range(media_count) if params.get(f"MediaUrl{i}")
                ],
                messaging_service_sid=str(params.get("MessagingServiceSid") or ""),
                status=Message.Status.RECEIVED,
                direction="inbound",
                provider=provider_name(),
                date_sent=timezone.now(),
            )
    except IntegrityError:
        pass


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
