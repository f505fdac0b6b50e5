"""An account's saved flow tests in its export (accounts.backup): each with its flow, its scenario
and its last result from the console. Loaded after the flows they test."""

from __future__ import annotations

from accounts.backup import Table
from scenarios.models import FlowTest

NAME = "tests"
AFTER = ("flows",)
TABLES = [Table(FlowTest, "account")]
