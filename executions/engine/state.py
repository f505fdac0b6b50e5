"""The engine's in-memory vocabulary: an execution's state while it runs, and what a run did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# wait_state["data"][NETWORK_KEY]: a widget parked on the network (``executions.engine.network``).
NETWORK_KEY = "network"


@dataclass
class Limits:
    max_steps: int = 1000
    max_same_widget: int = 10
    # The safety timer of a widget parked on the network (the sweeper answers it "timeout").
    network_grace_seconds: float = 60.0


@dataclass
class ExecState:
    sid: str
    flow_sid: str
    revision_id: int
    definition: dict[str, Any]
    context: dict[str, Any]
    trigger_event: str = ""
    status: str = "active"
    current_widget: str = ""
    wait_state: dict[str, Any] = field(default_factory=dict)
    step_count: int = 0
    last_widget: str = ""
    repeat_count: int = 0
    # Run Subflow (one level): the child frame while a subflow runs (see engine/subflow.py);
    # ``parent_definition`` is kept in memory only, ``child_exit`` is "completed"/"failed"
    # once the child has finished and control goes back to the parent.
    subflow: dict[str, Any] = field(default_factory=dict)
    parent_definition: dict[str, Any] | None = None
    child_exit: str = ""

    def state(self, name: str) -> dict[str, Any] | None:
        for st in self.definition.get("states", []):
            if st.get("name") == name:
                return st
        return None


@dataclass
class StepRecord:
    name: str
    transitioned_from: str
    transitioned_to: str
    type: str
    context: dict[str, Any]
    # ``context`` as JSON text, when the snapshot was copied through it (``snapshot_with_json``).
    context_json: str | None = None


@dataclass
class ArmedWait:
    widget: str
    token: str
    timeout_seconds: float | None


@dataclass
class RunResult:
    steps: list[StepRecord] = field(default_factory=list)
    twiml: list[str] = field(default_factory=list)
    wait: ArmedWait | None = None
    ended: bool = False
    ignored: bool = False
    log: list[dict[str, Any]] = field(default_factory=list)
    # The request a widget parked on (made after commit, answered with ``wait.token``).
    network: dict[str, Any] | None = None

    def warn(self, code: int | None, message: str, widget: str = "") -> None:
        self.log.append({"level": "warning", "code": code, "message": message, "widget": widget})

    def error(self, code: int | None, message: str, widget: str = "") -> None:
        self.log.append({"level": "error", "code": code, "message": message, "widget": widget})
