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

from executions.engine import store
from executions.engine.context import trigger_payload
from executions.models import Execution
from studio import widgets
from studio.models import Flow
from studio.widgets.runtime import Inbound

EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
ENDED_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


def handle_call(flow: Flow, params: dict[str, Any]) -> str:
    """An incoming (or status-updated) call for ``flow``; returns a TwiML document."""
    if str(params.get("CallStatus") or "") in ENDED_STATUSES:
        call_ended(flow, params)
        return EMPTY
    contact, channel = call_pair(params)
    call_sid = str(params.get("CallSid") or "")
    revision = flow.revision_for(contact)
    if revision is None:
        return EMPTY
    flags = (revision.definition or {}).get("flags") or {}
    concurrent = bool(flags.get("allow_concurrent_calls", True))
    with transaction.atomic():
        same_call = Execution.objects.filter(flow=flow, status=Execution.Status.ACTIVE, session_key=call_sid)
        if call_sid and same_call.exists():
            return _collide(same_call.first(), params)  # the same call asking again
        try:
            execution = store.create_execution(
                flow,
                revision,
                contact=contact,
                channel=channel,
                trigger_event="incomingCall",
                trigger=trigger_payload(params),
                initiated_by=call_sid,
                session_key=call_sid if concurrent else "",
            )
        except IntegrityError:
            active = Execution.objects.filter(
                flow=flow,
                status=Execution.Status.ACTIVE,
                contact_channel_address=contact,
                channel_address=channel,
                session_key="",
            ).first()
            return _collide(active, params)
        result = store.run_start(store.lock(execution.pk))
    return twiml_document(result.twiml)


def _collide(active: Execution | None, params: dict[str, Any]) -> str:
    """A call reaching an execution that is already active: 81002, the call gets nothing."""
    if active is not None:
        store.deliver(store.lock(active.pk), Inbound(kind="call", payload=dict(params)))
    return EMPTY


def call_pair(params: dict[str, Any]) -> tuple[str, str]:
    """(contact, flow channel) of a call: the caller for inbound calls, the callee for outbound."""
    frm, to = str(params.get("From") or ""), str(params.get("To") or "")
    if str(params.get("Direction") or "inbound").startswith("outbound"):
        return to, frm
    return frm, to


def active_for_call(flow: Flow, params: dict[str, Any]) -> Execution | None:
    """The active execution a call belongs to: its own session, else its address pair."""
    qs = Execution.objects.filter(flow=flow, status=Execution.Status.ACTIVE)
    call_sid = str(params.get("CallSid") or "")
    if call_sid:
        own = qs.filter(session_key=call_sid).first()
        if own is not None:
            return own
    frm, to = str(params.get("From") or ""), str(params.get("To") or "")
    pairs = Q(contact_channel_address=frm, channel_address=to) | Q(
        contact_channel_address=to, channel_address=frm
    )
    return qs.filter(pairs, session_key="").first()


def call_ended(flow: Flow, params: dict[str, Any]) -> None:
    """A status callback: the call is over (or never got answered)."""
    with transaction.atomic():
        found = active_for_call(flow, params)
        if found is None:
            return
        execution = store.lock(found.pk)
        if not execution.is_active:
            return
        key = f"{params.get('CallSid', '')}:{params.get('CallStatus', '')}"
        result = store.deliver(execution, Inbound(kind="call_status", payload=dict(params), key=key))
        execution.refresh_from_db()
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
