"""What the admin's "retry" action does: hand stuck work back to the drain and the sweeper.

- Inbound events failed (an exception while processed alone) or left pending go back to
  ``pending`` and the drain is kicked (``executions.inbound.drain``): each is processed once more
  in arrival order, as if it had just arrived. A duplicate webhook is still refused by the
  (flow, key) constraint, so a retry never records an event twice.
- A stuck execution (active, idle longer than ``STUCK_AFTER_MINUTES``, with no timer still to
  come) gets the same for its contact pair's events, then the sweeper fires its overdue timers.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from executions.engine import timers
from executions.inbound import drain, intake
from executions.models import Execution, InboundEvent, Wait
from studio.conf import studio_settings


def stuck(executions: QuerySet[Execution], now: dt.datetime | None = None) -> QuerySet[Execution]:
    """Active executions idle for ``STUCK_AFTER_MINUTES`` with no timer due later."""
    now = now or timezone.now()
    idle_since = now - dt.timedelta(minutes=float(studio_settings.STUCK_AFTER_MINUTES))
    timer_ahead = Wait.objects.filter(execution=OuterRef("pk"), fire_at__gt=now)
    return executions.filter(status=Execution.Status.ACTIVE, date_updated__lt=idle_since).exclude(
        Exists(timer_ahead)
    )


def retry_events(events: QuerySet[InboundEvent]) -> int:
    """Failed and pending events back to pending, and a drainer on the way; returns how many."""
    count = events.exclude(status=InboundEvent.Status.PROCESSED).update(status=InboundEvent.Status.PENDING)
    if count:
        drain.kick()
    return count


def retry_executions(executions: QuerySet[Execution]) -> tuple[int, int]:
    """(events re-queued, timers fired) for these executions' contact pairs."""
    pairs = Q(pk__in=[])
    for flow_id, contact, channel in executions.values_list(
        "flow_id", "contact_channel_address", "channel_address"
    ):
        if intake.in_conversation(channel):  # any participant's events: the conversation's
            pairs |= Q(flow_id=flow_id, channel_address=channel)
        else:
            pairs |= Q(flow_id=flow_id, contact_channel_address=contact, channel_address=channel)
    events = retry_events(InboundEvent.objects.filter(pairs))
    fired = timers.sweep()
    return events, fired
