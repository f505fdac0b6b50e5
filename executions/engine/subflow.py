"""Run Subflow (spec §2.17): a child flow runs inside the parent execution, one level deep.

The Run Subflow widget resolves the child revision (``load`` — the only DB access, done from
the widget's ``run``) and returns ``Outcome(wait=WaitSpec(data={"subflow": plan}))``; the
runner recognises that plan and pushes a frame instead of suspending:

- the execution's definition/revision become the child's, the context becomes a fresh child
  context (``trigger.parent.parameters`` + the parent's trigger data), and the child Trigger
  fires ``incomingParent``;
- steps and limits (1,000 steps, repeats) are shared with the parent;
- when a child transition has no ``next`` the frame is popped: the parent context comes back,
  the child's ``flow.variables`` become ``widgets.<run-subflow widget>.*`` and the widget takes
  ``completed``; a child error takes ``failed`` (81024). A Run Subflow inside a subflow takes
  ``failed`` (81024): one nesting level only.

While the child waits, the frame is persisted in ``Execution.wait_state["subflow"]`` (the
child definition, revision and the parent's context) and restored by ``resume_frame``.
"""

from __future__ import annotations

import copy
from typing import Any

from executions.engine.state import ExecState
from studio.models import Flow, FlowRevision
from studio.widgets.runtime import SUBFLOW_PLAN_KEY, SubflowError

WIDGET_TYPE = "run-subflow"
PLAN_KEY = SUBFLOW_PLAN_KEY
CHILD_TRIGGER = "incomingParent"
# Limits that stop the whole execution even when they trip inside a subflow.
EXECUTION_WIDE_ERRORS = frozenset({81000, 81001})
LATEST_DRAFT_TOKENS = ("LatestRevision", "LatestDraft")


def load(execution: Any, flow_sid: str, revision: str) -> dict[str, Any]:
    """The plan for ``flow_sid`` at ``revision`` as seen from ``execution`` (the parent).

    ``LatestPublished`` → the published revision; ``LatestRevision``/``LatestDraft`` → the
    latest revision for test users of the *parent* flow, the published one for everyone else
    (spec §2.17, §5.6); a number → exactly that revision.
    """
    child = Flow.objects.filter(account_id=execution.account_id, sid=flow_sid).first()
    if child is None:
        raise SubflowError(f"subflow {flow_sid} was not found")
    token = str(revision or "LatestPublished").strip()
    if token in LATEST_DRAFT_TOKENS:
        test_users = execution.flow.test_users or []
        found = child.latest_revision() if execution.contact_channel_address in test_users else None
        found = found or child.latest_published()
    elif token == "LatestPublished":
        found = child.latest_published()
    elif token.isdigit():
        found = FlowRevision.objects.filter(flow=child, revision=int(token)).first()
    else:
        raise SubflowError(f"invalid subflow revision {token!r}")
    if found is None:
        raise SubflowError(f"subflow {flow_sid} has no revision {token!r}")
    return {
        "flow_sid": child.sid,
        "revision_id": found.pk,
        "revision": found.revision,
        "definition": found.definition,
    }


def child_context(state: ExecState, widget: str, parameters: dict[str, Any]) -> dict[str, Any]:
    parent = state.context
    flow = parent.get("flow") or {}
    trigger = {k: copy.deepcopy(v) for k, v in (parent.get("trigger") or {}).items() if k != "parent"}
    trigger["parent"] = {
        "parameters": parameters,
        "execution_sid": state.sid,
        "flow_sid": state.flow_sid,
        "trigger_type": state.trigger_event,
        "widget": widget,
        "step_sid": "",
    }
    return {
        "trigger": trigger,
        "widgets": {},
        "flow": {
            "flow_sid": "",
            "sid": flow.get("sid", state.sid),
            "channel": copy.deepcopy(flow.get("channel") or {}),
            "data": {},
            "variables": {},
        },
        "contact": copy.deepcopy(parent.get("contact") or {}),
    }


def push(state: ExecState, widget: str, plan: dict[str, Any]) -> None:
    """Enter the child: swap definition, revision, trigger and context."""
    context = child_context(state, widget, dict(plan.get("parameters") or {}))
    context["flow"]["flow_sid"] = plan.get("flow_sid", "")
    state.subflow = {
        "widget": widget,
        "flow_sid": plan.get("flow_sid", ""),
        "revision": plan.get("revision"),
        "revision_id": plan["revision_id"],
        "definition": plan["definition"],
        "parent": {
            "context": state.context,
            "revision_id": state.revision_id,
            "trigger_event": state.trigger_event,
        },
    }
    state.parent_definition = state.definition
    state.definition = plan["definition"]
    state.revision_id = int(plan["revision_id"])
    state.trigger_event = CHILD_TRIGGER
    state.context = context
    state.child_exit = ""


def resume_frame(state: ExecState) -> None:
    """A waiting child is resumed: the store loaded the parent revision; switch to the child."""
    frame = (state.wait_state or {}).get(PLAN_KEY)
    if not frame or state.subflow:
        return
    state.subflow = frame
    state.parent_definition = state.definition
    state.definition = frame["definition"]
    state.revision_id = int(frame["revision_id"])
    state.trigger_event = CHILD_TRIGGER


def restore_parent(state: ExecState) -> None:
    frame = state.subflow
    parent = frame.get("parent") or {}
    state.context = parent.get("context") or state.context
    state.revision_id = int(parent.get("revision_id") or state.revision_id)
    state.trigger_event = str(parent.get("trigger_event") or "")
    if state.parent_definition is not None:
        state.definition = state.parent_definition
    state.parent_definition = None
    state.subflow = {}
    state.child_exit = ""
    state.last_widget, state.repeat_count = "", 0


def returned_values(child: dict[str, Any]) -> dict[str, Any]:
    """The child's Set Variables values, returned as ``widgets.<run-subflow>.<key>``."""
    return dict((child.get("flow") or {}).get("variables") or {})


def lift_flow_values(parent: dict[str, Any], child: dict[str, Any]) -> None:
    """Add-on data found in the child is lifted to the parent's ``flow.*`` ([AI-SKILL])."""
    add_ons = (child.get("flow") or {}).get("add_ons")
    if add_ons is not None:
        parent.setdefault("flow", {})["add_ons"] = add_ons
