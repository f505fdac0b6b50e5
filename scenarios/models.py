"""Saved flow tests: golden scenarios kept with their flow ("Save as test" in the simulator)."""

from __future__ import annotations

from django.db import models

from accounts.models import Account
from studio.models import Flow


class FlowTest(models.Model):
    """One ``NAME.test.json`` scenario of a flow (``spec`` without its ``flow`` key: the flow is
    the row's). Runs against the flow's latest revision (the draft) from the flow page, and in CI
    with ``manage.py flows test --saved``."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="tests")
    name = models.CharField(max_length=100)
    spec = models.JSONField(default=dict)
    execution_sid = models.CharField(max_length=34, blank=True, default="")
    # The last run from the console: "passed" / "failed" and its differences.
    last_result = models.CharField(max_length=16, blank=True, default="")
    last_failures = models.JSONField(default=list, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["flow", "name"], name="one_test_name_per_flow")]

    def __str__(self) -> str:
        return f"{self.flow_id}:{self.name}"
