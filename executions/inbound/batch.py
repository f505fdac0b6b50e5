"""Processing inbound events in batches: the hot path from webhook to reply.

One transaction per batch:

1. **claim** up to ``INBOUND_BATCH`` pending events, each the *oldest pending event of its
   contact pair* (``FOR UPDATE SKIP LOCKED``): racing drainers never take two events of one
   contact, and a contact's next event becomes claimable only once the previous one is
   processed, so every contact's messages run one at a time in arrival order;
2. **read** what the events need in a few queries: their flows, the published revisions
   (revisions never change: cached per process, ``executions.engine.revisions``), the active executions of their pairs, locked
   (``FOR UPDATE OF`` the execution rows only);
3. **run** each event through the engine in memory (``intake.handle``), gathering rows in one
   ``Writes``;
4. **write** with a handful of bulk statements, and mark the events processed.

If the batch fails (a REST call created an execution for one of the pairs meanwhile, or a
widget raised), it is rolled back and its events are processed one at a time, each in its own
savepoint; an event that still fails is marked ``failed`` with the error logged, so one bad
message can never hold up the others.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from accounts.sids import is_sid, new_sid
from executions.engine import revisions
from executions.engine.writes import Writes, insert_rows, update_rows
from executions.inbound import intake
from executions.messaging.providers import provider_name
from executions.models import Execution, InboundEvent, Message
from studio.conf import studio_settings
from studio.models import Flow, FlowRevision

log = logging.getLogger(__name__)

# A batch stops taking events after this long (they run one after another).
BATCH_SECONDS = 2.0
# How far past ``limit`` a claim looks for pairs' oldest events (a contact with many queued
# messages fills the window with one pair).
CLAIM_WINDOW = 3


def batch_size() -> int:
    return max(1, int(studio_settings.INBOUND_BATCH))


def claim(limit: int) -> list[InboundEvent]:
    """The oldest pending event of each contact pair, locked; at most ``limit`` of them.

    The window is a prefix of the pending queue in arrival order, so every pending event older
    than one in it is in it too: an event is its pair's oldest pending one exactly when it is the
    first of its pair in the window. Those are then locked, skipping the ones another drainer
    holds (and, re-checked under the lock, ones it has just processed); a pair's next event
    stays out of this batch either way. One index range and one lookup by id, however long the
    queue (an anti-join against every pending event cost more with each event queued).
    """
    window = (
        InboundEvent.objects.filter(status=InboundEvent.Status.PENDING)
        .order_by("id")
        .values_list("id", "flow_id", "contact_channel_address", "channel_address")[: limit * CLAIM_WINDOW]
    )
    seen: set[tuple[int, str, str]] = set()
    heads: list[int] = []
    for pk, flow_id, contact, channel in window:
        key = (flow_id, *intake.pair_key(contact, channel))
        if key not in seen:
            seen.add(key)
            heads.append(pk)
            if len(heads) == limit:
                break
    if not heads:
        return []
    qs = InboundEvent.objects.filter(pk__in=heads, status=InboundEvent.Status.PENDING)
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True)
    return list(qs.order_by("id"))


def process_batch(limit: int | None = None) -> tuple[int, bool]:
    """Claim and process one batch: (events processed, whether more are waiting).

    Events run one after another, so a batch stops taking its next event after
    ``BATCH_SECONDS`` (flows calling slow HTTP services); the events it did not reach stay
    pending for the next claim, and "more are waiting" brings a helper drainer."""
    limit = limit or batch_size()
    with transaction.atomic():
        events = claim(limit)
        if not events:
            return 0, False
        try:
            with transaction.atomic():
                done = _run_batch(events)
        except Exception:  # noqa: BLE001 - retried one by one below, where a failure is isolated
            log.warning(
                "inbound batch of %d failed; processing its events one by one", len(events), exc_info=True
            )
            done = events
            for event in events:
                _run_one(event)
    return len(done), len(events) >= limit or len(done) < len(events)


def _run_batch(events: list[InboundEvent]) -> list[InboundEvent]:
    started = time.monotonic()
    lookup = BatchLookup(events)
    writes = Writes()
    done: list[InboundEvent] = []
    for event in events:
        if done and time.monotonic() - started > BATCH_SECONDS:
            break
        intake.handle(event, lookup=lookup, writes=writes)
        event.status = InboundEvent.Status.PROCESSED
        done.append(event)
    store_inbound_messages(done, lookup)
    writes.flush()
    update_rows(done, ("status", "execution_sid"))
    return done


def _run_one(event: InboundEvent) -> None:
    event.execution_sid = ""
    try:
        with transaction.atomic():
            if event.kind == "message":
                store_inbound_messages([event], intake.Lookup())
            intake.handle(event)
            event.status = InboundEvent.Status.PROCESSED
            event.save(update_fields=["status", "execution_sid"])
    except Exception:  # noqa: BLE001 - recorded as failed, never retried forever
        log.exception("inbound event %s (%s) failed", event.pk, event.key)
        InboundEvent.objects.filter(pk=event.pk).update(status=InboundEvent.Status.FAILED)


class BatchLookup(intake.Lookup):
    """``intake.Lookup`` answered from a few queries made for the whole batch."""

    def __init__(self, events: list[InboundEvent]) -> None:
        flow_ids = {e.flow_id for e in events}
        self.flows: dict[int, Flow] = Flow.objects.select_related("account").in_bulk(flow_ids)
        self._active: dict[tuple[int, str, str], Execution] = {}
        pairs = {(e.flow_id, *intake.pair_key(e.contact_channel_address, e.channel_address)) for e in events}
        contacts = {p[1] for p in pairs if p[1]}
        conversations = {p[2] for p in pairs if not p[1]}
        match = Q(contact_channel_address__in=contacts)
        if conversations:
            match |= Q(channel_address__in=conversations, channel_address__startswith="CH")
        candidates = (
            Execution.objects.select_for_update(of=("self",))
            .select_related("account", "flow")
            .filter(match, flow_id__in=flow_ids, session_key="", status=Execution.Status.ACTIVE)
        )
        for execution in candidates:
            key = (
                execution.flow_id,
                *intake.pair_key(execution.contact_channel_address, execution.channel_address),
            )
            if key in pairs:
                execution.revision = revisions.by_id(execution.revision_id)
                self._active[key] = execution

    def flow(self, flow_id: int) -> Flow:
        return self.flows[flow_id]

    def active(self, flow_id: int, contact: str, channel: str) -> Execution | None:
        return self._active.get((flow_id, *intake.pair_key(contact, channel)))

    def revision_for(self, flow: Flow, contact: str) -> FlowRevision | None:
        # Revisions never change: kept per process with the voice path's (engine.revisions).
        return revisions.for_contact(flow, contact)


def store_inbound_messages(events: list[InboundEvent], lookup: intake.Lookup) -> None:
    """Keep inbound messages as Twilio's Messages list shows them (direction ``inbound``).

    Stored by the worker, not the webhook, to keep the webhook's answer fast; before the flows
    run, so the list orders them before the replies. A MessageSid already stored (another flow
    got the same message) is kept once.
    """
    rows: list[Message] = []
    provider = provider_name()
    for event in events:
        if event.kind != "message":
            continue
        params: dict[str, Any] = event.params
        sid = str(params.get("MessageSid") or params.get("SmsSid") or "")
        if not is_sid(sid, "SM") and not is_sid(sid, "MM"):
            sid = new_sid("SM")
        try:
            media_count = int(params.get("NumMedia") or 0)
        except (TypeError, ValueError):
            media_count = 0
        rows.append(
            Message(
                sid=sid,
                account_id=lookup.flow(event.flow_id).account_id,
                from_address=str(params.get("From") or params.get("Author") or ""),
                to_address=str(params.get("To") or ""),
                body=str(params.get("Body") or ""),
                media_urls=[
                    str(params.get(f"MediaUrl{i}")) for i in range(media_count) if params.get(f"MediaUrl{i}")
                ],
                messaging_service_sid=str(params.get("MessagingServiceSid") or ""),
                status=Message.Status.RECEIVED,
                direction="inbound",
                provider=provider,
                date_sent=event.date_created,
            )
        )
    if rows:
        insert_rows(rows, ignore_conflicts=True)
