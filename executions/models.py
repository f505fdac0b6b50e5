"""Executions, their steps, armed waits, inbound events (idempotency + ordering), messages."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import models
from django.db.models import Q

from accounts.models import Account
from accounts.sids import new_sid
from studio.models import Flow, FlowRevision


def _execution_sid() -> str:
    return new_sid("FN")


def _step_sid() -> str:
    return new_sid("FT")


def _message_sid() -> str:
    return new_sid("SM")


def new_token() -> str:
    return secrets.token_hex(8)


class Execution(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active"
        ENDED = "ended"

    sid = models.CharField(max_length=34, unique=True, default=_execution_sid, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="executions")
    # No index of its own: (flow, contact, channel, status) below serves lookups by contact pair,
    # (flow, id) the lists of a flow's executions newest first.
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="executions", db_index=False)
    revision = models.ForeignKey(FlowRevision, on_delete=models.CASCADE, related_name="executions")
    flow_version = models.PositiveIntegerField()
    # The end user's address (message/call From; REST To) and the Twilio side (To; REST From).
    contact_channel_address = models.CharField(max_length=300)
    channel_address = models.CharField(max_length=300)
    # Distinguishes concurrent executions of one pair (voice with allow_concurrent_calls: the
    # CallSid); empty for messaging and REST, so one active execution per pair is enforced.
    session_key = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    context = models.JSONField(default=dict)
    initiated_by = models.CharField(max_length=64, blank=True, default="")
    trigger_event = models.CharField(max_length=64, blank=True, default="")
    # Where the execution rests: the widget waiting for an event (empty when ended / running).
    current_widget = models.CharField(max_length=255, blank=True, default="")
    # What the waiting widget stored for its resume: {"token", "events", "data"}.
    wait_state = models.JSONField(default=dict, blank=True)
    step_count = models.PositiveIntegerField(default=0)
    last_widget = models.CharField(max_length=255, blank=True, default="")
    repeat_count = models.PositiveIntegerField(default=0)
    # Warnings and errors (81002 unexpected events, 81018 Liquid, ...), newest last, capped.
    log = models.JSONField(default=list, blank=True)
    date_created = models.DateTimeField(auto_now_add=True, db_index=True)
    date_updated = models.DateTimeField(auto_now=True)
    date_ended = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_created", "-id"]
        indexes = [
            models.Index(fields=["flow", "contact_channel_address", "channel_address", "status"]),
            models.Index(fields=["status", "date_created"]),
            # A conversation's active execution, found by its conversation alone (intake.Lookup):
            # only conversation executions are indexed, so texts and calls pay nothing for it.
            models.Index(
                fields=["channel_address", "status"],
                condition=Q(channel_address__startswith="CH"),
                name="execution_conversation",
            ),
            # A flow's executions newest first (the explorer's and the flow list's keyset on the
            # id): without it a flow whose executions are all old is found by scanning every newer
            # execution of the table. Part of a contact: a trigram index on PostgreSQL
            # (migration 0007, not a model index: SQLite has none).
            models.Index(fields=["flow", "id"], name="execution_flow_newest"),
        ]
        constraints = [
            # One active execution per contact pair per flow, even under racing requests.
            models.UniqueConstraint(
                fields=["flow", "contact_channel_address", "channel_address", "session_key"],
                condition=Q(status="active"),
                name="one_active_execution_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sid} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Step(models.Model):
    """One run of a widget: ``name`` is the event it emitted, which led into ``transitioned_to``."""

    sid = models.CharField(max_length=34, unique=True, default=_step_sid, editable=False)
    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="steps")
    parent_step = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True)
    name = models.CharField(max_length=64)
    transitioned_from = models.CharField(max_length=255)
    transitioned_to = models.CharField(max_length=255)
    type = models.CharField(max_length=64)
    context = models.JSONField(default=dict)
    # Steps are read per execution (its index), never across executions by date.
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_created", "id"]

    def __str__(self) -> str:
        return f"{self.sid} {self.transitioned_from} -{self.name}-> {self.transitioned_to}"


class PathCount(models.Model):
    """How many steps took one transition of a flow within an hour: the aggregate the canvas
    analytics read (``executions.engine.path_counts``), upserted with every batch of steps.

    ``shard`` spreads concurrent writers of one hot transition over several rows (a batch picks
    one at random), so they do not queue on one row lock; readers sum the shards."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="+", db_index=False)
    revision = models.PositiveIntegerField()
    hour = models.DateTimeField()
    from_widget = models.CharField(max_length=255)
    event = models.CharField(max_length=64)
    to_widget = models.CharField(max_length=255)
    shard = models.PositiveSmallIntegerField(default=0)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["flow", "hour", "revision", "from_widget", "event", "to_widget", "shard"],
                name="one_path_count_per_bucket",
            )
        ]

    def __str__(self) -> str:
        return f"{self.flow_id} {self.hour:%Y-%m-%dT%H} {self.from_widget} -{self.event}-> {self.to_widget}: {self.count}"


class Wait(models.Model):
    """An armed timer of a waiting widget. Stale when ``token`` no longer matches the execution."""

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="waits")
    widget = models.CharField(max_length=255)
    kind = models.CharField(max_length=32, default="timeout")
    token = models.CharField(max_length=32)
    fire_at = models.DateTimeField(db_index=True)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["fire_at", "id"]

    def __str__(self) -> str:
        return f"{self.execution_id}:{self.widget} {self.kind} @ {self.fire_at:%Y-%m-%dT%H:%M:%S}"


class InboundEvent(models.Model):
    """An inbound webhook, recorded before it is processed.

    ``key`` (MessageSid, CallSid+event, ...) is unique per flow: a webhook delivered twice is
    recorded once and never advances an execution twice. Pending events of one contact pair are
    processed in ``id`` (arrival) order under a row lock.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        PROCESSED = "processed"
        FAILED = "failed"  # raised while processed alone (logged); never retried

    # Indexed by the unique (flow, key) constraint.
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="inbound_events", db_index=False)
    key = models.CharField(max_length=128)
    kind = models.CharField(max_length=32, default="message")
    contact_channel_address = models.CharField(max_length=300)
    channel_address = models.CharField(max_length=300)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    execution_sid = models.CharField(max_length=34, blank=True, default="")
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["flow", "key"], name="unique_inbound_key_per_flow")]
        indexes = [
            models.Index(fields=["flow", "contact_channel_address", "channel_address", "status"]),
            # The drainers' claim scans only pending events, however many were processed.
            models.Index(fields=["id"], condition=Q(status="pending"), name="inbound_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.status})"


class Message(models.Model):
    """A message sent (or received) through a provider; the simulator's store of record."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted"
        QUEUED = "queued"
        SENDING = "sending"
        SENT = "sent"
        DELIVERED = "delivered"
        UNDELIVERED = "undelivered"
        FAILED = "failed"
        RECEIVED = "received"

    sid = models.CharField(max_length=34, unique=True, default=_message_sid, editable=False)
    # Indexed by (account, to_address) below.
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="messages", db_index=False)
    from_address = models.CharField(max_length=300)
    to_address = models.CharField(max_length=300)
    body = models.TextField(blank=True, default="")
    media_urls = models.JSONField(default=list, blank=True)
    messaging_service_sid = models.CharField(max_length=34, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    error_code = models.IntegerField(null=True, blank=True)
    error_message = models.CharField(max_length=255, blank=True, default="")
    direction = models.CharField(max_length=16, default="outbound-api")
    provider = models.CharField(max_length=32, default="simulator")
    provider_sid = models.CharField(max_length=64, blank=True, default="")
    execution = models.ForeignKey(
        Execution, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    widget = models.CharField(max_length=255, blank=True, default="")
    date_created = models.DateTimeField(auto_now_add=True, db_index=True)
    date_updated = models.DateTimeField(auto_now=True)
    date_sent = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_created", "-id"]
        indexes = [
            models.Index(fields=["account", "to_address"]),
            models.Index(fields=["account", "from_address"]),
        ]

    def __str__(self) -> str:
        return f"{self.sid} {self.from_address}->{self.to_address} ({self.status})"

    @property
    def num_segments(self) -> int:
        length = len(self.body or "")
        return 1 if length <= 160 else (length + 152) // 153

    def resource_fields(self) -> dict[str, Any]:
        """The Message resource as Studio exposes it in ``widgets.NAME.outbound``."""
        return {
            "AccountSid": self.account.sid,
            "Body": self.body,
            "From": self.from_address,
            "To": self.to_address,
            "Sid": self.sid,
            "Status": self.status,
            "Direction": self.direction,
            "NumMedia": str(len(self.media_urls or [])),
            "NumSegments": str(self.num_segments),
            "Price": None,
            "PriceUnit": "USD",
            "ErrorCode": self.error_code,
            "ErrorMessage": self.error_message or None,
            "MessagingServiceSid": self.messaging_service_sid or None,
        }


# -- calls: placed or received through the simulator (and tracked for the ``twilio`` provider);
# the Calls API reads and creates them, make-outgoing-call-v2 places them, simulated calls keep
# their transcript here.
def _call_sid() -> str:
    return new_sid("CA")


class Call(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RINGING = "ringing"
        IN_PROGRESS = "in-progress"
        COMPLETED = "completed"
        BUSY = "busy"
        NO_ANSWER = "no-answer"
        FAILED = "failed"
        CANCELED = "canceled"

    sid = models.CharField(max_length=34, unique=True, default=_call_sid, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="calls")
    from_address = models.CharField(max_length=300)
    to_address = models.CharField(max_length=300)
    direction = models.CharField(max_length=16, default="outbound-api")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    # What the call plays once answered: a URL (fetched like Twilio does) or inline TwiML.
    url = models.CharField(max_length=2000, blank=True, default="")
    method = models.CharField(max_length=8, default="POST")
    twiml = models.TextField(blank=True, default="")
    status_callback = models.CharField(max_length=2000, blank=True, default="")
    status_callback_method = models.CharField(max_length=8, default="POST")
    timeout = models.PositiveIntegerField(default=60)
    # Machine detection, recording, send digits … as given to the Calls API.
    options = models.JSONField(default=dict, blank=True)
    answered_by = models.CharField(max_length=32, blank=True, default="")
    duration = models.PositiveIntegerField(null=True, blank=True)
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    # The simulated call as the caller met it (twiml.Transcript.to_dict()).
    transcript = models.JSONField(default=dict, blank=True)
    provider = models.CharField(max_length=32, default="simulator")
    provider_sid = models.CharField(max_length=64, blank=True, default="")
    execution_sid = models.CharField(max_length=34, blank=True, default="")
    widget = models.CharField(max_length=255, blank=True, default="")
    date_created = models.DateTimeField(auto_now_add=True, db_index=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date_created", "-id"]
        indexes = [models.Index(fields=["account", "to_address"]), models.Index(fields=["account", "status"])]

    def __str__(self) -> str:
        return f"{self.sid} {self.from_address}->{self.to_address} ({self.status})"
