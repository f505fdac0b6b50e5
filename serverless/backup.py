"""An account's Functions & Assets in its export (accounts.backup): services, environments and
their variables, functions and assets with every version and its content.

Builds and deployments are not exported: after an import, deploy again (a build installs the
dependencies on the new server). Service domains are unique across a server: an import gives
each service a new one (the environments' domains follow), unless it keeps the sids.
"""

from __future__ import annotations

import base64
from typing import Any

from accounts.backup import BackupError, Table
from accounts.models import Account
from serverless import storage
from serverless.models import (
    Asset,
    AssetVersion,
    Environment,
    Function,
    FunctionVersion,
    Service,
    Variable,
    random_digits,
)

NAME = "functions"
TABLES = [
    Table(Service, "account"),
    Table(Environment, "account", exclude=("build", "deployment")),
    Table(Function, "account"),
    Table(Asset, "account"),
    Table(FunctionVersion, "account"),
    Table(AssetVersion, "account"),
    Table(Variable, "account"),
]


def export_extra(account: Account) -> dict[str, Any]:
    hashes = set(FunctionVersion.objects.filter(account=account).values_list("content_hash", flat=True))
    hashes |= set(AssetVersion.objects.filter(account=account).values_list("content_hash", flat=True))
    return {"contents": {h: base64.b64encode(storage.get(h)).decode() for h in sorted(hashes)}}


def import_extra(account: Account, extra: dict[str, Any]) -> None:
    for digest, encoded in (extra.get("contents") or {}).items():
        if storage.put(base64.b64decode(encoded)) != digest:
            raise BackupError(f"the content of {digest} does not match its hash")


def renamed(tables: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """A new domain base for each service (unique across the server)."""
    names: dict[str, str] = {}
    for row in tables.get(Service._meta.label, []):
        for _ in range(20):
            base = f"{str(row['unique_name']).lower()}-{random_digits()}"
            if base not in names.values() and not Service.objects.filter(domain_base=base).exists():
                break
        names[str(row["domain_base"])] = base
    return names
