"""Response bodies of Executions, Steps and their Contexts (spec §6.3)."""

from __future__ import annotations

from typing import Any

from executions.models import Execution, Step
from studio.serializers import base_url, iso


def execution_url(execution: Execution) -> str:
    return f"{base_url()}/v2/Flows/{execution.flow.sid}/Executions/{execution.sid}"


def execution_json(execution: Execution) -> dict[str, Any]:
    url = execution_url(execution)
    return {
        "sid": execution.sid,
        "account_sid": execution.account.sid,
        "flow_sid": execution.flow.sid,
        "contact_sid": None,
        "contact_channel_address": execution.contact_channel_address,
        "context": {},
        "status": execution.status,
        "flow_version": execution.flow_version,
        "initiated_by": execution.initiated_by,
        "date_created": iso(execution.date_created),
        "date_updated": iso(execution.date_updated),
        "url": url,
        "links": {"steps": f"{url}/Steps", "execution_context": f"{url}/Context"},
    }


def execution_context_json(execution: Execution) -> dict[str, Any]:
    return {
        "account_sid": execution.account.sid,
        "context": execution.context,
        "flow_sid": execution.flow.sid,
        "execution_sid": execution.sid,
        "url": f"{execution_url(execution)}/Context",
    }


def step_url(step: Step) -> str:
    return f"{execution_url(step.execution)}/Steps/{step.sid}"


def step_json(step: Step) -> dict[str, Any]:
    url = step_url(step)
    ex = step.execution
    return {
        "sid": step.sid,
        "account_sid": ex.account.sid,
        "flow_sid": ex.flow.sid,
        "execution_sid": ex.sid,
        "parent_step_sid": step.parent_step.sid if step.parent_step is not None else None,
        "name": step.name,
        "context": {},
        "transitioned_from": step.transitioned_from,
        "transitioned_to": step.transitioned_to,
        "type": step.type,
        "date_created": iso(step.date_created),
        "date_updated": iso(step.date_updated),
        "url": url,
        "links": {"step_context": f"{url}/Context"},
    }


def step_context_json(step: Step) -> dict[str, Any]:
    ex = step.execution
    return {
        "account_sid": ex.account.sid,
        "context": step.context,
        "execution_sid": ex.sid,
        "flow_sid": ex.flow.sid,
        "step_sid": step.sid,
        "url": f"{step_url(step)}/Context",
    }
