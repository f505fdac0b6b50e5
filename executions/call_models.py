"""Calls placed or received through the simulator (and tracked for the ``twilio`` provider).

The Twilio-compatible ``/2010-04-01/Accounts/{AC}/Calls`` resource reads and creates these
rows; ``make-outgoing-call-v2`` places them; simulated calls keep their transcript here.
"""

from __future__ import annotations

from django.db import models

from accounts.models import Account
from accounts.sids import new_sid


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
