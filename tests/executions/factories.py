"""Factories for flows and executions in engine tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from studio.models import Flow, FlowRevision

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "studio-flows"
LOCAL_CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def corpus_definition(name: str) -> dict[str, Any]:
    for folder in (LOCAL_CORPUS, CORPUS, LOCAL_CORPUS / "studio-flows"):
        path = folder / name
        if path.exists():
            data = json.loads(path.read_text())
            return data.get("definition", data) if "states" not in data else data
    raise FileNotFoundError(name)


def make_flow(
    account: Any, definition: dict[str, Any], *, name: str = "Flow", published: bool = True
) -> Flow:
    status = Flow.Status.PUBLISHED if published else Flow.Status.DRAFT
    flow = Flow.objects.create(
        account=account,
        friendly_name=name,
        status=status,
        revision=1,
        published_revision=1 if published else None,
    )
    FlowRevision.objects.create(
        flow=flow, revision=1, definition=definition, status=status, friendly_name=name
    )
    return flow


def state(
    name: str, type_: str, transitions: list[dict[str, Any]] | None = None, **properties: Any
) -> dict[str, Any]:
    return {"name": name, "type": type_, "transitions": transitions or [], "properties": properties}


def definition(*states: dict[str, Any], trigger: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    trig = state("Trigger", "trigger", trigger or [])
    return {
        "description": "test",
        "initial_state": "Trigger",
        "states": [trig, *states],
        "flags": {"allow_concurrent_calls": True},
    }


def on(event: str, nxt: str | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"event": event}
    if nxt:
        out["next"] = nxt
    out.update(extra)
    return out


def survey() -> dict[str, Any]:
    """Ask the contact's name (send-and-wait), then thank them: the two-turn messaging flow."""
    return definition(
        state(
            "ask",
            "send-and-wait-for-reply",
            [on("incomingMessage", "thanks"), on("timeout"), on("deliveryFailure")],
            body="Hi {{trigger.message.Body}}, your name?",
            timeout="3600",
            **{"from": "{{flow.channel.address}}"},
        ),
        state(
            "thanks",
            "send-message",
            [on("sent"), on("failed")],
            body="Thanks {{widgets.ask.inbound.Body}}",
            to="{{contact.channel.address}}",
            **{"from": "{{flow.channel.address}}"},
        ),
        trigger=[on("incomingMessage", "ask")],
    )
