"""Flows and their immutable, numbered revisions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from accounts.models import Account
from accounts.sids import new_sid


def _flow_sid() -> str:
    return new_sid("FW")


class Flow(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        PUBLISHED = "published"

    sid = models.CharField(max_length=34, unique=True, default=_flow_sid, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="flows")
    friendly_name = models.CharField(max_length=255)
    # Status and revision of the latest revision (what Twilio's Flow resource reports).
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveIntegerField(default=0)
    # The revision live traffic runs (None until the flow is first published).
    published_revision = models.PositiveIntegerField(null=True, blank=True)
    # Contact addresses (phone numbers, identities) that run the latest revision instead.
    test_users = models.JSONField(default=list, blank=True)
    # Copied from the latest revision on every save so that lists need no per-row join.
    commit_message = models.TextField(blank=True, null=True)
    author_sid = models.CharField(max_length=34, blank=True, null=True)
    valid = models.BooleanField(default=True)
    widget_count = models.PositiveIntegerField(default=0)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date_created", "id"]
        indexes = [models.Index(fields=["account", "date_created"])]

    def __str__(self) -> str:
        return f"{self.friendly_name} ({self.sid})"

    def latest_revision(self) -> FlowRevision | None:
        return self.revisions.order_by("-revision").first()

    def latest_published(self) -> FlowRevision | None:
        if self.published_revision is None:
            return None
        return self.revisions.filter(revision=self.published_revision).first()

    def revision_for(self, contact_address: str | None) -> FlowRevision | None:
        """The revision an execution for this contact runs: test users get the latest draft."""
        if contact_address and contact_address in (self.test_users or []):
            return self.latest_revision()
        return self.latest_published()


class FlowRevision(models.Model):
    """One save of a flow. Never updated after creation."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField()
    definition = models.JSONField()
    status = models.CharField(max_length=16, choices=Flow.Status.choices)
    friendly_name = models.CharField(max_length=255)
    commit_message = models.TextField(blank=True, null=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    author_sid = models.CharField(max_length=34, blank=True, null=True)
    valid = models.BooleanField(default=True)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["flow", "revision"]
        constraints = [models.UniqueConstraint(fields=["flow", "revision"], name="unique_flow_revision")]

    def __str__(self) -> str:
        return f"{self.flow.sid} r{self.revision} ({self.status})"

    @property
    def account(self) -> Account:
        return self.flow.account

    def state(self, name: str) -> dict[str, Any] | None:
        for state in self.definition.get("states", []):
            if state.get("name") == name:
                return state
        return None
