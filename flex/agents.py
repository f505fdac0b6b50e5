"""Console users as TaskRouter workers: a worker whose attributes carry
``"contact_uri": "client:<username>"`` (Flex's convention) is that user's, within the accounts
the user belongs to."""

from __future__ import annotations

import json
from typing import Any

from flex.models import Worker


def contact_uri(user: Any) -> str:
    return f"client:{user.get_username()}"


def workers_of(user: Any, account_ids: list[int]) -> list[Worker]:
    uri = contact_uri(user)
    found = Worker.objects.select_related("workspace__account", "activity").filter(
        workspace__account_id__in=account_ids, attributes__contains=json.dumps(uri)
    )
    mine = []
    for worker in found:
        try:
            if worker.attrs().get("contact_uri") == uri:
                mine.append(worker)
        except ValueError:
            continue
    return mine
