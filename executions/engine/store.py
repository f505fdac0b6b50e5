"""The engine's database side: load an execution into an ExecState, save what a run did.

Callers hold ``transaction.atomic`` and a row lock on the execution (``lock()``); effects
(message dispatch, live events) are applied with ``transaction.on_commit`` so nothing leaves
the process for a run that rolls back. Rows go through ``Writes`` (engine/writes.py): a run of
its own flushes them when it saves; an inbound batch passes one ``writes`` to all its runs and
flushes it once (``executions.inbound.batch``).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import logcontext, metrics
from executions.engine import network, runner
from executions.engine.context import execution_payload, initial_context, step_payload
from executions.engine.ports import Provider, ports
from executions.engine.services import DbServices
from executions.engine.state import ExecState, Limits, RunResult
from executions.engine.writes import Writes, encoded_as
from executions.models import Execution, Message, Step, Wait
from studio.conf import studio_settings
from studio.models import Flow, FlowRevision
from studio.widgets.runtime import Inbound

LOG_CAP = 200
log = logging.getLogger(__name__)


def limits() -> Limits:
    return Limits(
        max_steps=int(studio_settings.MAX_STEPS),
        max_same_widget=int(studio_settings.MAX_SAME_WIDGET_REPEATS),
        network_grace_seconds=network.grace_seconds(),
    )


def lifetime() -> dt.timedelta:
    return dt.timedelta(days=float(studio_settings.EXECUTION_LIFETIME_DAYS))


def wait_delay(seconds: float) -> dt.timedelta:
    """How long a wait lasts. A widget's timeout may be rendered from stranger data (1e30,
    inf): no wait outlives its execution, so the delay is capped at the execution lifetime."""
    longest = lifetime()
    if not math.isfinite(seconds) or seconds > longest.total_seconds():
        return longest if seconds > 0 else dt.timedelta(0)
    return dt.timedelta(seconds=max(seconds, 0.0))


def create_execution(
    flow: Flow,
    revision: FlowRevision,
    *,
    contact: str,
    channel: str,
    trigger_event: str,
    trigger: dict[str, Any],
    data: dict[str, Any] | None = None,
    initiated_by: str = "",
    session_key: str = "",
    writes: Writes | None = None,
) -> Execution:
    """A new active execution (raises IntegrityError when the pair already has one).

    With ``writes`` (an inbound batch) the row is inserted when the batch flushes, with the
    state its first run leaves it in; a conflict then fails the batch's flush instead."""
    execution = new_execution(
        flow,
        revision,
        contact=contact,
        channel=channel,
        trigger_event=trigger_event,
        trigger=trigger,
        data=data,
        initiated_by=initiated_by,
        session_key=session_key,
    )
    if writes is not None:
        writes.inserts.append(execution)
        return execution
    with transaction.atomic():  # a savepoint: an IntegrityError leaves the caller's transaction usable
        execution.save()
    return execution


def new_execution(
    flow: Flow,
    revision: FlowRevision,
    *,
    contact: str,
    channel: str,
    trigger_event: str,
    trigger: dict[str, Any],
    data: dict[str, Any] | None = None,
    initiated_by: str = "",
    session_key: str = "",
) -> Execution:
    """An active execution not yet saved, its relations (account, flow, revision) in memory."""
    execution = Execution(
        account=flow.account,
        flow=flow,
        revision=revision,
        flow_version=revision.revision,
        contact_channel_address=contact,
        channel_address=channel,
        session_key=session_key,
        initiated_by=initiated_by,
        trigger_event=trigger_event,
    )
    execution.context = initial_context(
        flow_sid=flow.sid,
        execution_sid=execution.sid,
        trigger_event=trigger_event,
        trigger=trigger,
        contact_address=contact,
        channel_address=channel,
        data=data,
    )
    return execution


def lock(execution_id: int) -> Execution:
    # FOR UPDATE OF the execution only: joined rows (account, flow, revision) stay unlocked, so
    # executions of one flow never queue behind each other's lock on the flow row.
    ports().cool(execution_id)  # a hot call's row current in the database first (voice.hot)
    return (
        Execution.objects.select_for_update(of=("self",))
        .select_related("account", "flow", "revision")
        .get(pk=execution_id)
    )


def to_state(execution: Execution) -> ExecState:
    return ExecState(
        sid=execution.sid,
        flow_sid=execution.flow.sid,
        revision_id=execution.revision_id,
        definition=execution.revision.definition,
        context=execution.context,
        trigger_event=execution.trigger_event,
        status=execution.status,
        current_widget=execution.current_widget,
        wait_state=dict(execution.wait_state or {}),
        step_count=execution.step_count,
        last_widget=execution.last_widget,
        repeat_count=execution.repeat_count,
    )


@contextmanager
def logging_about(execution: Execution) -> Iterator[None]:
    """Log lines written while the engine runs ``execution`` carry its sids (accounts.logcontext)."""
    with logcontext.bound(
        execution_sid=execution.sid, flow_sid=execution.flow.sid, account_sid=execution.account.sid
    ):
        yield


def run_start(execution: Execution, writes: Writes | None = None) -> RunResult:
    with logging_about(execution):
        log.info("execution started (%s)", execution.trigger_event)
        services = DbServices(execution, writes=writes)
        state = to_state(execution)
        services.state = state
        result = runner.start(state, services, limits())
        save(execution, state, result, services, fresh=True, flush=writes is None)
    return result


def deliver(
    execution: Execution,
    inbound: Inbound,
    *,
    widget: str | None = None,
    token: str | None = None,
    seq: int | None = None,
    writes: Writes | None = None,
) -> RunResult:
    """Hand an event to a locked execution's waiting widget."""
    if execution.is_active and execution.date_created < timezone.now() - lifetime():
        return expire(execution, writes)
    if seq is not None and seq != execution.step_count:
        return RunResult(ignored=True)
    if inbound.kind == "message_status":
        waiting_for = ((execution.wait_state or {}).get("data") or {}).get("outbound", {}).get("Sid")
        if not execution.is_active or waiting_for != inbound.payload.get("MessageSid"):
            return RunResult(ignored=True)  # a message of an earlier widget: nothing waits for it
    with logging_about(execution):
        services = DbServices(execution, writes=writes)
        services.widget = execution.current_widget
        state = to_state(execution)
        services.state = state
        result = runner.resume(state, inbound, services, limits(), widget=widget, token=token)
        if result.ignored and not result.log and not services.pending:
            return result
        save(execution, state, result, services, flush=writes is None)
    return result


def deliver_network(execution: Execution, token: str, answer: dict[str, Any]) -> RunResult:
    """The answer to the request a locked execution's widget parked on (``engine.network``)."""
    if execution.is_active and execution.date_created < timezone.now() - lifetime():
        return expire(execution)
    services = DbServices(execution)
    services.widget = execution.current_widget
    state = to_state(execution)
    services.state = state
    result = runner.resume_network(state, answer, services, limits(), token=token)
    if result.ignored:
        return result
    save(execution, state, result, services)
    return result


def _continue_parked(item: network.Parked, answer: dict[str, Any]) -> list[str]:
    """After commit (``network.settle``): the answer to a parked request, under a fresh lock."""
    with transaction.atomic():
        result = deliver_network(lock(item.execution.pk), item.token, answer)
    return result.twiml


network.install(_continue_parked)


def expire(execution: Execution, writes: Writes | None = None) -> RunResult:
    result = RunResult()
    result.error(None, "Execution ended: it exceeded its lifetime")
    state = to_state(execution)
    runner.end(state, result)
    save(execution, state, result, None, writes=writes, flush=writes is None)
    result.ignored = True
    return result


def end_execution(execution: Execution, reason: str = "Execution ended through the API") -> None:
    state = to_state(execution)
    result = RunResult()
    result.log.append({"level": "info", "code": None, "message": reason, "widget": state.current_widget})
    runner.end(state, result)
    save(execution, state, result, None)


def save(
    execution: Execution,
    state: ExecState,
    result: RunResult,
    services: DbServices | None,
    *,
    fresh: bool = False,
    writes: Writes | None = None,
    flush: bool = True,
) -> list[Step]:
    """Record what a run did. ``fresh``: the execution was created in this transaction (no Wait
    rows can exist yet). Rows go to ``writes`` (the services' own by default), flushed here
    unless the caller flushes (``flush=False``: an inbound batch)."""
    if writes is None:
        writes = services.writes if services is not None else Writes()
    now = timezone.now()
    previous_wait = execution.wait_state or {}
    if result.wait is not None:
        # Whether a Wait row (a timer) stands for this wait: the next save deletes stale Wait
        # rows only when one can exist (voice widgets wait without timers, turn after turn).
        state.wait_state["timer"] = result.wait.timeout_seconds is not None
    execution.context = state.context
    execution.status = state.status
    execution.current_widget = state.current_widget
    execution.wait_state = state.wait_state
    execution.step_count = state.step_count
    execution.last_widget = state.last_widget
    execution.repeat_count = state.repeat_count
    if result.log:
        stamped = [{**entry, "date": now.isoformat()} for entry in result.log]
        execution.log = (list(execution.log or []) + stamped)[-LOG_CAP:]
    lifecycle: list[dict[str, Any]] = []  # the live monitor's execution events, steps between
    if fresh:
        transaction.on_commit(lambda: metrics.inc("studio_executions_started_total"))
        lifecycle.append(execution_payload(execution, "started", status="active", previous_status=None))
    if not execution.is_active and execution.date_ended is None:
        execution.date_ended = now
        _close_conversation(execution, state)
        outcome = "failed" if any(e.get("level") == "error" for e in result.log) else "completed"
        lifecycle.append(
            execution_payload(
                execution, "ended", status=execution.status, previous_status="active", outcome=outcome
            )
        )
        with logging_about(execution):
            log.info("execution ended (%s, %s steps)", outcome, state.step_count)
        transaction.on_commit(lambda: metrics.inc("studio_executions_ended_total", outcome=outcome))
    if execution.pk is not None and all(e is not execution for e in writes.updates):
        writes.updates.append(execution)  # a new one is inserted with this state (writes.inserts)
    steps = []
    for rec in result.steps:
        step = Step(
            execution=execution,
            name=rec.name,
            transitioned_from=rec.transitioned_from,
            transitioned_to=rec.transitioned_to,
            type=rec.type,
            context=rec.context,
        )
        if rec.context_json is not None:
            encoded_as(step, "context", rec.context_json)  # its row reuses the snapshot's text
        steps.append(step)
    writes.steps.extend(steps)
    token = (state.wait_state or {}).get("token", "")
    # Waits saved before the flag existed say nothing: a non-empty one may have a timer.
    if not fresh and previous_wait.get("timer", bool(previous_wait)):
        writes.kept_tokens.append((execution, token))
    if result.wait is not None and result.wait.timeout_seconds is not None:
        writes.waits.append(
            Wait(
                execution=execution,
                widget=result.wait.widget,
                token=result.wait.token,
                fire_at=now + wait_delay(result.wait.timeout_seconds),
            )
        )
    if result.network is not None and result.wait is not None:
        writes.parked.append(network.Parked(execution, result.wait.token, result.network))
    pending = list(services.pending) if services else []
    _after_commit(writes, execution, steps, pending, services.provider if services else None, lifecycle)
    if services is not None:
        services.pending.clear()
    if flush:
        writes.flush()
    return steps


def _close_conversation(execution: Execution, state: ExecState) -> None:
    """Start/Resume Conversation with ``close_conversation_on_execution_end``: the execution's
    end closes its conversation."""
    channel = execution.channel_address or ""
    if not channel.startswith("CH"):
        return
    widgets = (state.context or {}).get("widgets") or {}
    if not any(
        isinstance(w, dict) and w.get("close_channel_on_execution_end") is True for w in widgets.values()
    ):
        return
    host = ports().conversation_host()
    if host is not None:
        host.close(execution.account, channel)


def _after_commit(
    writes: Writes,
    execution: Execution,
    steps: list[Step],
    messages: list[Message],
    provider: Provider | None = None,
    lifecycle: list[dict[str, Any]] | None = None,
) -> None:
    if messages and provider is not None and getattr(provider, "dispatch_inline", False):
        # A provider that hands over in-process (the simulator) dispatches right after commit,
        # without a second task round trip; the others go through the dispatch_message task.
        writes.inline.append((provider, list(messages)))
    else:
        writes.queued_sids.extend(m.sid for m in messages)
    events = lifecycle or []
    # In the order a watcher expects: started, the run's steps, ended.
    payloads = [e for e in events if e["event"] == "started"]
    payloads += [step_payload(execution, step) for step in steps]
    payloads += [e for e in events if e["event"] != "started"]
    if payloads:
        writes.published.append((execution.flow.sid, execution.sid, payloads))
        writes.lifecycle.extend((execution, e) for e in events)


def message_status_changed(message: Message) -> RunResult | None:
    """An outbound message of an execution failed (or changed status): tell its waiting widget."""
    if message.execution_id is None:
        return None
    with transaction.atomic():
        execution = lock(message.execution_id)
        if not execution.is_active:
            return None
        payload = {
            "MessageSid": message.sid,
            "MessageStatus": message.status,
            "ErrorCode": message.error_code,
        }
        return deliver(
            execution, Inbound(kind="message_status", payload=payload, key=f"{message.sid}:{message.status}")
        )
