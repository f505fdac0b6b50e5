"""The flow a call's webhook names, with its account, kept a moment per process (hot calls).

Every request of a call names its account and flow and is signed with the account's auth token,
so every turn read both (one statement). With hot calls on (``executions.voice.hot``: the
production topology) the answer is kept ``TTL_SECONDS`` per process: a suspended account, a
new auth token or a newly published revision reaches a call's turns at most that late on other
processes (a save in this process forgets them at once). Without hot calls every turn reads them.
"""

from __future__ import annotations

import threading
from time import monotonic
from typing import Any

from django.db.models.signals import post_delete, post_save

from accounts.models import Account
from executions.inbound import webhook
from studio.models import Flow

TTL_SECONDS = 1.0
MAX_KEPT = 4096

_kept: dict[tuple[str, str], tuple[float, Flow | None]] = {}
_lock = threading.Lock()


def flow(account_sid: str, flow_sid: str, *, cached: bool) -> Flow | None:
    """``webhook._FLOW``'s flow (its account joined), or None; ``cached``: kept a moment."""
    if not cached:
        found = webhook._FLOW.run(account=account_sid, sid=flow_sid)
        return found[0] if found else None
    key = (account_sid, flow_sid)
    now = monotonic()
    hit = _kept.get(key)
    if hit is not None and now - hit[0] < TTL_SECONDS:
        return hit[1]
    found = webhook._FLOW.run(account=account_sid, sid=flow_sid)
    value = found[0] if found else None
    with _lock:
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        _kept[key] = (now, value)
    return value


def forget(*_: Any, **__: Any) -> None:
    with _lock:
        _kept.clear()


for _model in (Flow, Account):
    post_save.connect(forget, sender=_model, dispatch_uid=f"owners-forget-{_model.__name__}")
    post_delete.connect(forget, sender=_model, dispatch_uid=f"owners-forget-del-{_model.__name__}")
