"""Workflow configuration: its validation at save, and the routing steps it yields for a task.

Shape: ``{"task_routing": {"filters": [{"filter_friendly_name", "expression", "targets":
[{"queue", "expression", "priority", "timeout", "skip_if"}]}], "default_filter": {"queue"}}}``.
"""

from __future__ import annotations

import json
from typing import Any

from accounts.errors import TwilioAPIError
from flex.expressions import Scope, check, evaluate
from flex.models import TaskQueue, Workspace

INVALID = 20001  # Twilio answers a bad Configuration with 400 / 20001 "Invalid ... Configuration"


def _refuse(why: str) -> TwilioAPIError:
    return TwilioAPIError(400, INVALID, f"Invalid workflow configuration: {why}")


def _check_target(workspace: Workspace, target: Any, where: str) -> None:
    if not isinstance(target, dict):
        raise _refuse(f"{where} must be an object")
    queue = target.get("queue")
    if not isinstance(queue, str) or not TaskQueue.objects.filter(workspace=workspace, sid=queue).exists():
        raise _refuse(f"{where}.queue {queue!r} is not a TaskQueue of this workspace")
    for key in ("expression", "skip_if"):
        if key in target:
            problem = check(target[key]) if isinstance(target[key], str) else "not a string"
            if problem:
                raise _refuse(f"{where}.{key}: {problem}")
    for key in ("priority", "timeout"):
        if key in target and (not isinstance(target[key], int) or target[key] < 0):
            raise _refuse(f"{where}.{key} must be a non-negative integer")


def validate(workspace: Workspace, text: str) -> str:
    """The configuration, normalized, or a 400 saying what is wrong."""
    try:
        config = json.loads(text)
    except ValueError:
        raise _refuse("not JSON") from None
    routing = config.get("task_routing") if isinstance(config, dict) else None
    if not isinstance(routing, dict):
        raise _refuse("task_routing is required")
    filters = routing.get("filters", [])
    if not isinstance(filters, list):
        raise _refuse("task_routing.filters must be a list")
    for i, item in enumerate(filters):
        where = f"filters[{i}]"
        if not isinstance(item, dict):
            raise _refuse(f"{where} must be an object")
        problem = check(item.get("expression", "")) if isinstance(item.get("expression"), str) else "missing"
        if problem:
            raise _refuse(f"{where}.expression: {problem}")
        targets = item.get("targets")
        if not isinstance(targets, list) or not targets:
            raise _refuse(f"{where}.targets must be a non-empty list")
        for j, target in enumerate(targets):
            _check_target(workspace, target, f"{where}.targets[{j}]")
    if "default_filter" in routing:
        _check_target(workspace, routing["default_filter"], "default_filter")
    return text


def routing_of(config: dict[str, Any]) -> dict[str, Any]:
    routing = config.get("task_routing")
    return routing if isinstance(routing, dict) else {}


def match_filter(config: dict[str, Any], attributes: dict[str, Any]) -> int:
    """The index of the first filter whose expression holds for the task (-1: the default)."""
    scope = Scope(attributes, {"task": attributes})
    for index, item in enumerate(routing_of(config).get("filters") or []):
        if evaluate(str(item.get("expression") or "1==1"), scope):
            return index
    return -1


def targets_of(config: dict[str, Any], filter_index: int) -> list[dict[str, Any]]:
    routing = routing_of(config)
    if filter_index >= 0:
        filters = routing.get("filters") or []
        if filter_index < len(filters):
            return list(filters[filter_index].get("targets") or [])
        return []
    default = routing.get("default_filter")
    return [default] if isinstance(default, dict) else []


def assign_to_anyone(queue_sid: str) -> str:
    """The configuration Flex seeds: every task to one queue."""
    return json.dumps(
        {
            "task_routing": {
                "filters": [
                    {
                        "filter_friendly_name": "Assign to Anyone",
                        "expression": "1==1",
                        "targets": [{"queue": queue_sid}],
                    }
                ],
                "default_filter": {"queue": queue_sid},
            }
        }
    )
