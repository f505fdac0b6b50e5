"""An account's flows in its export (accounts.backup): every flow with every revision."""

from __future__ import annotations

from accounts.backup import Table
from studio.models import Flow, FlowRevision

NAME = "flows"
TABLES = [
    Table(Flow, "account"),
    # The author is a console user of this server; author_sid (kept) still names them.
    Table(FlowRevision, "flow__account", exclude=("author",), account_field=None),
]
