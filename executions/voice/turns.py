"""The voice hook: a call reaching a flow's webhook (``executions.inbound.webhook`` routes requests
with ``CallSid`` and no ``MessageSid`` here) and the call's status callbacks.

A new call creates an execution (``incomingCall``; with ``flags.allow_concurrent_calls`` each
call is its own session, otherwise a second call of the same pair collides with the active
execution: 81002) and runs it inside the request until a voice widget waits; the answer is that
widget's TwiML, whose action/redirect URLs lead to ``webhooks.execution_callback``. A status
callback that says the call is over (completed, busy, no-answer, failed, canceled) is delivered
to the waiting widget: its ``hangup`` (or busy/noAnswer …) transition when it has one; otherwise
81002 is logged and, when the widget was on the call, the execution ends.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from redis.exceptions import RedisError

from executions.engine import network, oneshot, revisions, store
from executions.engine.context import trigger_payload
from executions.engine.writes import Conflict, Writes, expect_unchanged
from executions.models import Execution
from executions.voice import behind, hot, hot_turn
from executions.voice.queries import Prepared
from studio import widgets
from studio.models import Flow, FlowRevision
from studio.widgets.runtime import Inbound

EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
ENDED_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


def handle_call(flow: Flow, params: dict[str, Any]) -> str:
    """An incoming (or status-updated) call for ``flow``; returns a TwiML document.

    Statements of a new call: the execution's INSERT, with the state its first run left it in
    (the run happens in memory first, as in an inbound batch), and its steps' INSERT. The unique
    index on active executions says whether the same call is asking again: a retried request
    then writes nothing (the run is rolled back with the insert). The row is new, so nobody
    else can hold it: no lock to take.
    """
    if str(params.get("CallStatus") or "") in ENDED_STATUSES:
        call_ended(flow, params)
        return EMPTY
    contact, channel = call_pair(params)
    call_sid = str(params.get("CallSid") or "")
    revision = revisions.for_contact(flow, contact)
    if revision is None:
        return EMPTY
    flags = (revision.definition or {}).get("flags") or {}
    concurrent = bool(flags.get("allow_concurrent_calls", True))
    if concurrent and call_sid and hot.enabled():
        answered = _hot_incoming(flow, revision, params, call_sid)
        if answered is not None:
            return answered
    writes = Writes()
    execution = _new_call(
        flow, revision, params, call_sid, session_key=call_sid if concurrent else "", writes=writes
    )
    try:
        # A widget parked on the network continues after commit; its TwiML answers this call.
        with network.collect() as later, transaction.atomic(), oneshot.allowed():
            result = store.run_start(execution, writes)
            writes.flush()  # the last statement: committed alone when it is the only one
    except IntegrityError:
        if execution.pk is not None and not execution._state.adding:
            raise  # not the execution's INSERT: a real error
        # The same call again (Twilio retried), or another call of a pair that runs one
        # execution at a time: the active execution hears of it (81002), the call gets nothing.
        with transaction.atomic():
            return _collide(_active_for(flow, contact, channel, call_sid), params)
    if execution.is_active and call_sid and hot.enabled():
        hot.start(execution, call_sid)  # its later turns read it from Redis (executions.voice.hot)
    return twiml_document(result.twiml + later)


def _new_call(
    flow: Flow,
    revision: FlowRevision,
    params: dict[str, Any],
    call_sid: str,
    *,
    session_key: str,
    writes: Writes,
) -> Execution:
    """A new call's execution, in memory: its INSERT goes with ``writes``."""
    contact, channel = call_pair(params)
    return store.create_execution(
        flow,
        revision,
        contact=contact,
        channel=channel,
        trigger_event="incomingCall",
        trigger=trigger_payload(params),
        initiated_by=call_sid,
        session_key=session_key,
        writes=writes,
    )


def _hot_incoming(flow: Flow, revision: FlowRevision, params: dict[str, Any], call_sid: str) -> str | None:
    """A new call's first turn, its execution written behind the answer (``hot.begin``): its
    TwiML, or None for the synchronous path (``turns.handle_call``), nothing written. Only for a
    call that is a session of its own (``allow_concurrent_calls``): its CallSid, not the unique
    index of active pairs, tells a repeated request from a new call."""
    pk = behind.next_id()
    writes = Writes()
    execution = _new_call(flow, revision, params, call_sid, session_key=call_sid, writes=writes)
    try:
        with network.collect() as later, transaction.atomic(), hot_turn.reading_only():
            result = store.run_start(execution, writes)
            if writes.inserts != [execution] or not hot_turn.own_rows(writes, execution, new=True):
                raise hot_turn.NotHot("the first run wrote more than its own rows")
            now = timezone.now()
            execution.pk, execution.date_created, execution.date_updated = pk, now, now
            execution._state.adding = False
            already = hot.begin(execution, call_sid, writes.steps)
            if already is not None:
                raise Repeated(already)
            writes.hand_over()
    except (hot_turn.NotHot, RedisError):
        return None  # nothing written: the synchronous path runs the call
    except Repeated as repeated:
        # The CallSid has an execution already (Twilio asked again, or a CallSid used twice):
        # its row written, the synchronous path answers as it always did (the collision of an
        # active execution, 81002; or a new execution when that one has ended).
        behind.cool(repeated.pk)
        return None
    return twiml_document(result.twiml + later)


class Repeated(Exception):
    def __init__(self, pk: int) -> None:
        super().__init__(pk)
        self.pk = pk


def _active_for(flow: Flow, contact: str, channel: str, call_sid: str) -> Execution | None:
    active = Execution.objects.filter(flow=flow, status=Execution.Status.ACTIVE)
    own = active.filter(session_key=call_sid).first() if call_sid else None
    if own is not None:
        return own
    return active.filter(contact_channel_address=contact, channel_address=channel, session_key="").first()


_LOCK_BY_ID: Prepared[Execution] = Prepared(
    lambda pk: (
        Execution.objects.select_for_update(of=("self",))
        .select_related("account", "flow")
        .filter(pk=pk)
        .order_by()
    ),
    "pk:int",
)
_READ_BY_SIDS: Prepared[Execution] = Prepared(
    lambda account, flow, sid: (
        Execution.objects.select_related("account", "flow")
        .filter(account__sid=account, flow__sid=flow, sid=sid)
        .order_by()[:1]
    ),
    "account",
    "flow",
    "sid",
)
# The call's own session or its address pair (either direction), the own one preferred; one
# active execution per pair and session, so never more than three rows.
_ACTIVE_FOR_CALL: Prepared[Execution] = Prepared(
    lambda flow, call, a, b: (
        Execution.objects.filter(
            Q(session_key=call)
            | Q(session_key="")
            & (
                Q(contact_channel_address=a, channel_address=b)
                | Q(contact_channel_address=b, channel_address=a)
            ),
            flow_id=flow,
            status=Execution.Status.ACTIVE,
        )
        .only("pk", "session_key")
        .order_by("pk")[:3]
    ),
    "flow:int",
    "call",
    "a",
    "b",
)


def _locked(pk: int) -> Execution:
    """``store.lock`` with the revision from memory instead of a join (it never changes)."""
    behind.cool(pk)
    found = _LOCK_BY_ID.run(pk=pk)
    if not found:
        raise Execution.DoesNotExist(pk)
    found[0].revision = revisions.by_id(found[0].revision_id)
    return found[0]


def read_for_callback(
    account_sid: str, flow_sid: str, execution_sid: str, *, cooled: bool = False
) -> Execution | None:
    """The execution an action/redirect URL names, with its account and flow, in one statement
    and without a lock (``play_callback`` saves it only if it is still as read). A hot call's
    is cooled first (``executions.voice.hot``), unless the caller knows it is not hot."""
    if not cooled:
        behind.cool_sid(execution_sid)
    found = _READ_BY_SIDS.run(account=account_sid, flow=flow_sid, sid=execution_sid)
    if not found:
        return None
    found[0].revision = revisions.by_id(found[0].revision_id)
    return found[0]


def play_callback(
    execution: Execution, inbound: Inbound, *, widget: str | None, seq: int | None
) -> list[str]:
    """A later turn of a call (``read_for_callback``'s execution): its TwiML verbs.

    Run against the row as read, and saved in one statement only if nobody saved the
    execution meanwhile (its step count and ``date_updated``): no lock, no BEGIN or COMMIT
    (``oneshot``) for the common turn. When it changed (the same request retried while the
    first was running, a timer, the API), nothing was written: the turn runs again under the
    row lock, as it always did, and sees what the other one did (a stale ``Seq`` is ignored).
    """
    expect_unchanged(execution)
    with network.collect() as later:
        try:
            with transaction.atomic(), oneshot.allowed():
                result = store.deliver(execution, inbound, widget=widget, seq=seq)
        except Conflict:
            with transaction.atomic():
                result = store.deliver(_locked(execution.pk), inbound, widget=widget, seq=seq)
    return [*result.twiml, *later]


def _collide(active: Execution | None, params: dict[str, Any]) -> str:
    """A call reaching an execution that is already active: 81002, the call gets nothing."""
    if active is not None:
        store.deliver(_locked(active.pk), Inbound(kind="call", payload=dict(params)))
    return EMPTY


def call_pair(params: dict[str, Any]) -> tuple[str, str]:
    """(contact, flow channel) of a call: the caller for inbound calls, the callee for outbound."""
    frm, to = str(params.get("From") or ""), str(params.get("To") or "")
    if str(params.get("Direction") or "inbound").startswith("outbound"):
        return to, frm
    return frm, to


def active_for_call(flow: Flow, params: dict[str, Any]) -> int | None:
    """The id of the active execution a call belongs to: its own session, else its address pair."""
    call_sid = str(params.get("CallSid") or "")
    frm, to = str(params.get("From") or ""), str(params.get("To") or "")
    # Without a CallSid, "no session" stands in for it: the pair's rows are the candidates.
    candidates = _ACTIVE_FOR_CALL.run(flow=flow.pk, call=call_sid, a=frm, b=to)
    own = [e for e in candidates if call_sid and e.session_key == call_sid]
    chosen = own[0] if own else next((e for e in candidates if not e.session_key), None)
    return None if chosen is None else int(chosen.pk)


def call_ended(flow: Flow, params: dict[str, Any]) -> None:
    """A status callback: the call is over (or never got answered). Usually the execution has
    ended with the call already: one read, no transaction."""
    if hot.enabled():
        # A hot call's execution usually ended with its last turn: no read of PostgreSQL.
        kept, queued = hot.load_for_call(str(params.get("CallSid") or ""))
        if kept is not None and kept.flow_sid == flow.sid and not kept.active:
            return
        if kept is not None:
            behind.cool(kept.pk)  # its row (perhaps not inserted yet) current before the look-up
        elif queued:
            behind.settle()
    found = active_for_call(flow, params)
    if found is None:
        return
    with transaction.atomic():
        execution = _locked(found)
        if not execution.is_active:
            return
        key = f"{params.get('CallSid', '')}:{params.get('CallStatus', '')}"
        result = store.deliver(execution, Inbound(kind="call_status", payload=dict(params), key=key))
        # ``deliver`` left the row's state on ``execution`` (a run saves it; an ignored event
        # changes nothing): no need to read it back.
        if result.ignored and execution.is_active and _on_the_call(execution):
            store.end_execution(execution, f"Call {params.get('CallStatus')}: the caller is gone")


def _on_the_call(execution: Execution) -> bool:
    """Was the execution waiting in a voice widget (one the ended call was talking to)?"""
    name = execution.current_widget
    if not name:
        return False
    for st in (execution.revision.definition or {}).get("states", []):
        if st.get("name") == name:
            cls = widgets.get(str(st.get("type", "")))
            return cls is not None and cls.channel in ("voice", "any")
    return False


def twiml_document(verbs: list[str]) -> str:
    if not verbs:
        return EMPTY
    return '<?xml version="1.0" encoding="UTF-8"?><Response>' + "".join(verbs) + "</Response>"
