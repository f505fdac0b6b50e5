from __future__ import annotations

import re
from typing import Any

from studio.widgets.props import Problem, Prop, has_liquid, kv_array
from studio.widgets.runtime import SUBFLOW_PLAN_KEY, Outcome, SubflowError, WaitSpec, WidgetCall
from studio.widgets.widget import Widget

FLOW_SID_PATTERN = r"FW[0-9a-fA-F]{32}"
# LatestRevision is the REST token (error 81021); [AI-SKILL] says LatestDraft. Accept both.
REVISION_TOKENS = ("LatestPublished", "LatestRevision", "LatestDraft")


class RunSubflow(Widget):
    type = "run-subflow"
    family = "Tools & Execute Code"
    label = "Run Subflow"
    description = "Run another flow inside this execution; its Set Variables come back as widgets.NAME.KEY."
    channel = "any"
    properties = [
        Prop(
            "flow_sid",
            "string",
            required=True,
            no_liquid=True,
            label="Subflow",
            description="FW… (no Liquid)",
        ),
        Prop(
            "flow_revision",
            "string",
            required=True,
            no_liquid=True,
            default="LatestPublished",
            label="Revision",
            description="LatestPublished, LatestRevision/LatestDraft or a revision number",
        ),
        kv_array("parameters", "Parameters"),
    ]
    events = ["completed", "failed"]
    outputs = ["<key>"]
    open_outputs = True
    name_prefix = "subflow"

    @classmethod
    def check_rules(cls, properties: dict[str, Any]) -> list[Problem]:
        out: list[Problem] = []
        sid = properties.get("flow_sid")
        if isinstance(sid, str) and not has_liquid(sid) and not re.fullmatch(FLOW_SID_PATTERN, sid):
            out.append(Problem("flow_sid", "must be a valid, non-liquid flow sid", "flow_sid"))
        revision = properties.get("flow_revision")
        if isinstance(revision, int) and not isinstance(revision, bool):
            revision = str(revision)
        if isinstance(revision, str) and not has_liquid(revision):
            if revision not in REVISION_TOKENS and not re.fullmatch(r"[1-9]\d*", revision):
                message = f"must be a revision number or one of {list(REVISION_TOKENS)}"
                out.append(Problem("flow_revision", message, "flow_revision"))
        return out

    # -- runtime (the runner pushes the child frame: executions/engine/subflow.py) ----------
    failure_event = "failed"

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        flow_sid = str(call.properties.get("flow_sid") or "").strip()
        revision = str(call.properties.get("flow_revision") or "LatestPublished").strip()
        try:
            plan = call.services.load_subflow(flow_sid, revision)
        except SubflowError as exc:
            return _failed(f"{call.name}: {exc}")
        plan["parameters"] = _parameters(call.properties.get("parameters"))
        return Outcome(wait=WaitSpec(data={SUBFLOW_PLAN_KEY: plan}))


def _failed(message: str) -> Outcome:
    return Outcome(event="failed", outputs={}, warnings=[(81024, message)])


def _parameters(value: Any) -> dict[str, Any]:
    """Rendered ``{key, value}`` items → ``trigger.parent.parameters`` (simple values only)."""
    out: dict[str, Any] = {}
    for item in value or []:
        if isinstance(item, dict) and str(item.get("key") or "").strip():
            out[str(item["key"]).strip()] = item.get("value")
    return out
