"""Flow revisions kept in memory: a revision is never updated after it is created.

A voice turn needs the execution's revision (its definition: every widget of the flow) and an
incoming call the flow's published one. Read and JSON-decoded on every turn, a large flow's
definition costs more than the rest of the turn; kept here per process, it costs a dict lookup.
Callers must treat the cached ``definition`` as read only (the engine never changes it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from studio.models import Flow, FlowRevision

CACHE_SIZE = 256

_by_id: OrderedDict[int, FlowRevision] = OrderedDict()
# (flow id, published revision number) → revision id: the flow row says which one is published.
_published: dict[tuple[int, int], int] = {}
_lock = threading.Lock()  # web processes run requests on several threads


def _keep(revision: FlowRevision) -> FlowRevision:
    with _lock:
        _by_id[revision.pk] = revision
        _by_id.move_to_end(revision.pk)
        while len(_by_id) > CACHE_SIZE:
            old_pk, old = _by_id.popitem(last=False)
            _published.pop((old.flow_id, old.revision), None)
    return revision


def by_id(pk: int) -> FlowRevision:
    found = _by_id.get(pk)
    return found if found is not None else _keep(FlowRevision.objects.get(pk=pk))


def published(flow: Flow) -> FlowRevision | None:
    """``flow.latest_published()``, read once per revision and process."""
    if flow.published_revision is None:
        return None
    pk = _published.get((flow.pk, flow.published_revision))
    cached = _by_id.get(pk) if pk is not None else None
    if cached is not None:
        return cached
    found = flow.latest_published()
    if found is not None:
        _keep(found)
        with _lock:
            _published[(flow.pk, flow.published_revision)] = found.pk
    return found


def for_contact(flow: Flow, contact: str | None) -> FlowRevision | None:
    """``flow.revision_for(contact)``: test users run the latest draft (read each time: rare)."""
    if contact and contact in (flow.test_users or []):
        return flow.latest_revision()
    return published(flow)


def clear() -> None:
    """Forget every revision (tests: a rolled-back test's ids are given again)."""
    with _lock:
        _by_id.clear()
        _published.clear()
