"""The engine loop, pure: no database, no HTTP.

``ExecState`` is an in-memory view of an execution; ``start``/``resume`` walk widgets and
return a ``RunResult`` (steps to write, TwiML to answer, a wait to arm, log entries). The
database layer (``executions.engine.store``) loads/saves the state under a row lock and applies
effects after commit.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from executions.engine import subflow
from executions.engine.context import snapshot, snapshot_with_json, trigger_payload
from executions.engine.rendering import render_properties
from executions.engine.state import NETWORK_KEY, ArmedWait, ExecState, Limits, RunResult, StepRecord
from executions.engine.templates import render
from studio import widgets
from studio.widgets.runtime import (
    Inbound,
    NetworkDeferred,
    Outcome,
    Services,
    TemplateError,
    WidgetCall,
)
from studio.widgets.widget import Widget

ENDED = "Ended"


class Renderer:
    """Binds the Liquid renderer to the state's revision and live context."""

    def __init__(self, state: ExecState) -> None:
        self.state = state

    def __call__(self, source: str) -> str:
        return render(self.state.revision_id, source, self.state.context)


def _initial_state_name(definition: dict[str, Any]) -> str:
    return str(definition.get("initial_state") or "Trigger")


def start(state: ExecState, services: Services, limits: Limits | None = None) -> RunResult:
    """Fire the trigger (``state.trigger_event``) and run until a wait or the end."""
    result = RunResult()
    _run_loop(state, _initial_state_name(state.definition), services, limits or Limits(), result)
    return result


def resume(
    state: ExecState,
    inbound: Inbound,
    services: Services,
    limits: Limits | None = None,
    *,
    widget: str | None = None,
    token: str | None = None,
) -> RunResult:
    """Deliver an event to the waiting widget; unexpected events are ignored (81002).

    ``widget``/``token`` narrow the delivery (callbacks and timers): a mismatch is stale and
    does nothing at all.
    """
    result = RunResult()
    limits = limits or Limits()
    subflow.resume_frame(state)
    current = state.current_widget
    if state.status != "active" or not current:
        result.ignored = True
        result.warn(81002, f"Unexpected event {inbound.kind!r}: the execution is not waiting")
        return result
    if token is not None and state.wait_state.get("token") != token:
        result.ignored = True
        return result
    if widget is not None and widget != current:
        result.ignored = True
        result.warn(81002, f"Unexpected event {inbound.kind!r} for widget {widget}", current)
        return result
    if NETWORK_KEY in (state.wait_state.get("data") or {}):
        if inbound.kind == "timeout":  # the safety timer: the answer never came (a crash)
            answer = {"error": {"kind": "timeout", "message": "no answer: the request was interrupted"}}
            return _continue(state, current, answer, services, limits, result)
        result.ignored = True
        result.warn(81002, f"Unexpected event {inbound.kind!r} while {current} waits on the network", current)
        return result
    st = state.state(current) or {}
    cls = widgets.get(str(st.get("type", "")))
    resume_fn = getattr(cls, "resume", None) if cls else None
    if cls is None or resume_fn is None:
        result.ignored = True
        result.warn(81002, f"Unexpected event {inbound.kind!r} while processing widget {current}", current)
        return result
    call = _call(state, st, cls, dict(st.get("properties") or {}), services)
    call.inbound = inbound
    call.state = dict(state.wait_state.get("data") or {})
    try:
        outcome = resume_fn(call)
    except TemplateError as exc:
        outcome = _template_failure(cls, current, exc, result)
    if outcome is None:
        result.ignored = True
        result.warn(81002, f"Unexpected event {inbound.kind!r} while processing widget {current}", current)
        return result
    _conversation_reply(state, inbound)
    if outcome.event is None:
        # The widget stays put: with a WaitSpec it re-arms (new token, new timer); without
        # one the event was consumed and the current wait (token, timer) is kept.
        _apply_outputs(state, current, outcome)
        result.twiml.extend(outcome.twiml)
        if outcome.wait is not None:
            _arm(state, current, outcome, result)
        return result
    state.current_widget = ""
    state.wait_state = {}
    nxt = _finish_widget(state, current, str(st.get("type", "")), st, outcome, result)
    _run_loop(state, nxt, services, limits, result)
    return result


def resume_network(
    state: ExecState,
    answer: dict[str, Any],
    services: Services,
    limits: Limits | None = None,
    *,
    token: str,
) -> RunResult:
    """The request a widget parked on was made (after commit): run the widget again with its
    answer. A stale token (the safety timer fired first, the execution ended) does nothing."""
    result = RunResult()
    subflow.resume_frame(state)
    current = state.current_widget
    parked = (state.wait_state.get("data") or {}).get(NETWORK_KEY)
    if state.status != "active" or not current or parked is None or state.wait_state.get("token") != token:
        result.ignored = True
        return result
    return _continue(state, current, answer, services, limits or Limits(), result)


def _continue(
    state: ExecState,
    current: str,
    answer: dict[str, Any],
    services: Services,
    limits: Limits,
    result: RunResult,
) -> RunResult:
    parked = (state.wait_state.get("data") or {}).get(NETWORK_KEY) or {}
    answers = [*list(parked.get("answers") or []), answer]
    state.current_widget = ""
    state.wait_state = {}
    state.repeat_count = max(state.repeat_count - 1, 0)  # the same run of the widget, not a repeat
    _run_loop(state, current, services, limits, result, answers)
    return result


def end(state: ExecState, result: RunResult) -> None:
    state.status = "ended"
    state.current_widget = ""
    state.wait_state = {}
    result.ended = True


def _run_loop(
    state: ExecState,
    name: str | None,
    services: Services,
    limits: Limits,
    result: RunResult,
    answers: list[dict[str, Any]] | None = None,
) -> None:
    """Walk widgets from ``name``; when a subflow finishes, go on in the parent. ``answers``:
    the network answers of the first widget (run again after a network wait)."""
    current = name
    while True:
        _walk(state, current, services, limits, result, answers)
        answers = None
        if not state.child_exit:
            return
        current = _leave_subflow(state, result)


def _walk(
    state: ExecState,
    name: str | None,
    services: Services,
    limits: Limits,
    result: RunResult,
    answers: list[dict[str, Any]] | None = None,
) -> None:
    current = name
    while current is not None and state.status == "active" and not state.child_exit:
        st = state.state(current)
        if st is None:
            _fail(state, current, "", 81022, f"transition to unknown widget {current!r}", result)
            return
        wtype = str(st.get("type", ""))
        if state.step_count >= limits.max_steps:
            _fail(state, current, wtype, 81000, f"Execution exceeded {limits.max_steps} steps", result)
            return
        if current == state.last_widget:
            state.repeat_count += 1
        else:
            state.last_widget, state.repeat_count = current, 1
        if state.repeat_count > limits.max_same_widget:
            message = f"Widget {current} ran {limits.max_same_widget} times in a row"
            _fail(state, current, wtype, 81001, message, result)
            return
        current = _run_widget(state, current, st, services, result, limits, answers or [])
        answers = None


def _run_widget(
    state: ExecState,
    name: str,
    st: dict[str, Any],
    services: Services,
    result: RunResult,
    limits: Limits,
    answers: list[dict[str, Any]],
) -> str | None:
    wtype = str(st.get("type", ""))
    cls = widgets.get(wtype)
    if cls is None:
        _fail(state, name, wtype, 81022, f"widget type {wtype!r} is unknown", result)
        return None
    run_fn = getattr(cls, "run", None)
    if run_fn is None:
        if cls.legacy:
            message = f"widget type {wtype} is a legacy Twilio widget and is not available"
            _fail(state, name, wtype, cls.legacy_error_code, message, result)
        else:
            _fail(state, name, wtype, None, f"widget type {wtype} is not available", result)
        return None
    raw_props = dict(st.get("properties") or {})
    renderer = Renderer(state)
    checkpoint = getattr(services, "checkpoint", None)
    mark = checkpoint(name, answers) if checkpoint is not None else None
    try:
        props = render_properties(cls, raw_props, renderer)
        call = _call(state, st, cls, props, services)
        outcome: Outcome = run_fn(call)
    except TemplateError as exc:
        outcome = _template_failure(cls, name, exc, result)
    except NetworkDeferred as deferred:
        rewind = getattr(services, "rewind", None)
        if rewind is not None:
            rewind(mark)  # what it sent is sent by its next run
        _park(state, name, deferred, limits, result)
        return None
    if outcome.error is not None:
        _fail(state, name, wtype, outcome.error_code, outcome.error, result, outcome)
        return None
    if outcome.event is None:
        if outcome.wait is None:
            _fail(state, name, wtype, None, f"widget {name} returned neither an event nor a wait", result)
            return None
        plan = outcome.wait.data.get(subflow.PLAN_KEY) if wtype == subflow.WIDGET_TYPE else None
        if plan is not None:
            return _enter_subflow(state, name, st, plan, result)
        _apply_outputs(state, name, outcome)
        result.twiml.extend(outcome.twiml)
        for code, message in outcome.warnings:
            result.warn(code, message, name)
        _arm(state, name, outcome, result)
        return None
    return _finish_widget(state, name, wtype, st, outcome, result)


def _template_failure(cls: type[Widget], name: str, exc: TemplateError, result: RunResult) -> Outcome:
    message = f"Liquid template evaluation error in {name}: {exc}"
    if cls.failure_event:
        result.warn(81018, message, name)
        return Outcome(event=cls.failure_event)
    return Outcome(error=message, error_code=81018)


def _call(
    state: ExecState, st: dict[str, Any], cls: type[Widget], props: dict[str, Any], services: Services
) -> WidgetCall:
    name = str(st.get("name", ""))
    return WidgetCall(
        name=name,
        type=cls.type,
        properties=props,
        raw=st,
        transitions=list(st.get("transitions") or []),
        context=state.context,
        render=Renderer(state),
        services=services,
        trigger_kind=state.trigger_event,
        previous_outputs=(state.context.get("widgets") or {}).get(name),
    )


def _conversation_reply(state: ExecState, inbound: Inbound) -> None:
    """A conversation message a waiting widget took (Send & Wait's reply): over a
    Conversations channel the reply lands in ``trigger.conversation.*`` (spec §2.16, one source,
    [AI-SKILL]: unverified), so ``{{trigger.conversation.Body}}`` is the latest message. The spec
    says "rather than ``inbound.*``", but real conversation flows read ``widgets.X.inbound.Body``
    after a reply (tests/corpus/studio-flows/20-frontline-airtable-bot.json), so the widget's
    ``inbound.*`` is kept as well."""
    payload = inbound.payload
    trigger = state.context.get("trigger")
    if inbound.kind != "message" or not payload.get("ConversationSid") or not isinstance(trigger, dict):
        return
    if "conversation" in trigger:
        trigger["conversation"] = trigger_payload(dict(payload))


def _apply_outputs(state: ExecState, name: str, outcome: Outcome) -> None:
    if outcome.outputs is not None:
        state.context.setdefault("widgets", {})[name] = _jsonable(outcome.outputs)
    if outcome.variables:
        flow = state.context.setdefault("flow", {})
        flow.setdefault("variables", {}).update(_jsonable(outcome.variables))


def _arm(state: ExecState, name: str, outcome: Outcome, result: RunResult) -> None:
    assert outcome.wait is not None
    token = secrets.token_hex(8)
    state.current_widget = name
    state.wait_state = {"token": token, "data": _jsonable(outcome.wait.data)}
    if state.subflow:
        state.wait_state[subflow.PLAN_KEY] = state.subflow  # the child frame survives the wait
    result.wait = ArmedWait(widget=name, token=token, timeout_seconds=outcome.wait.timeout_seconds)


def _park(state: ExecState, name: str, deferred: NetworkDeferred, limits: Limits, result: RunResult) -> None:
    """The widget needs the network: wait for the request's answer (made after commit)."""
    token = secrets.token_hex(8)
    state.current_widget = name
    parked = {"request": _jsonable(deferred.request), "answers": _jsonable(deferred.answers)}
    state.wait_state = {"token": token, "data": {NETWORK_KEY: parked}}
    if state.subflow:
        state.wait_state[subflow.PLAN_KEY] = state.subflow
    result.wait = ArmedWait(widget=name, token=token, timeout_seconds=limits.network_grace_seconds)
    result.network = parked["request"]


def _finish_widget(
    state: ExecState, name: str, wtype: str, st: dict[str, Any], outcome: Outcome, result: RunResult
) -> str | None:
    """Write the widget's outputs and its step; return the next widget (None = ended)."""
    _apply_outputs(state, name, outcome)
    result.twiml.extend(outcome.twiml)
    for code, message in outcome.warnings:
        result.warn(code, message, name)
    event = str(outcome.event)
    transition = outcome.transition
    if transition is None:
        transition = next((t for t in st.get("transitions") or [] if t.get("event") == event), None)
    nxt = (transition or {}).get("next") or None
    if nxt is not None and state.state(str(nxt)) is None:
        # A `next` naming a widget that is not in the flow (a real export does this: corpus
        # 18, a deleted "Goodbye" widget) ends the execution exactly like an empty `next`.
        result.warn(
            None, f"transition {event!r} of {name} leads to unknown widget {nxt!r}: execution ended", name
        )
        nxt = None
    ctx, ctx_json = snapshot_with_json(state.context)
    result.steps.append(StepRecord(event, name, nxt or ENDED, wtype, ctx, ctx_json))
    state.step_count += 1
    if nxt is None:
        if state.subflow:
            state.child_exit = "completed"  # the subflow ended: back to the parent
        else:
            end(state, result)
        return None
    return str(nxt)


def _fail(
    state: ExecState,
    name: str,
    wtype: str,
    code: int | None,
    message: str,
    result: RunResult,
    outcome: Outcome | None = None,
) -> None:
    """End the execution with an error step that says why."""
    if outcome is not None:
        _apply_outputs(state, name, outcome)
    result.error(code, message, name)
    ctx = snapshot(state.context)
    ctx["error"] = {"code": code, "message": message}
    result.steps.append(StepRecord("error", name, ENDED, wtype, ctx))
    state.step_count += 1
    if state.subflow and code not in subflow.EXECUTION_WIDE_ERRORS:
        state.child_exit = "failed"  # the parent's Run Subflow takes `failed`
        return
    if state.subflow:
        subflow.restore_parent(state)
    end(state, result)


def _enter_subflow(
    state: ExecState, name: str, st: dict[str, Any], plan: dict[str, Any], result: RunResult
) -> str | None:
    """Run Subflow asked to run a child flow: push its frame; the next widget is its Trigger."""
    if state.subflow:
        message = f"Run Subflow {name}: a subflow cannot run another subflow (one level only)"
        failed = Outcome(event="failed", outputs={}, warnings=[(81024, message)])
        return _finish_widget(state, name, subflow.WIDGET_TYPE, st, failed, result)
    subflow.push(state, name, _jsonable(plan))
    return _initial_state_name(state.definition)


def _leave_subflow(state: ExecState, result: RunResult) -> str | None:
    """The child finished (``state.child_exit``): pop its frame and finish the parent widget."""
    exit_event, widget = state.child_exit, str(state.subflow.get("widget", ""))
    child_context = state.context
    subflow.restore_parent(state)
    st = state.state(widget) or {"name": widget, "type": subflow.WIDGET_TYPE}
    if exit_event == "completed":
        outcome = Outcome(event="completed", outputs=subflow.returned_values(child_context))
        subflow.lift_flow_values(state.context, child_context)
    else:
        message = f"Run Subflow {widget}: the subflow ended with an error"
        outcome = Outcome(event="failed", outputs={}, warnings=[(81024, message)])
    return _finish_widget(state, widget, subflow.WIDGET_TYPE, st, outcome, result)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
