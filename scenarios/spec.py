"""Reading scenario files: ``NAME.test.json`` and the flow definition it replays.

Format (docs/golden-scenarios.md has the full reference)::

    {"flow": "NAME.json" | "corpus:03-vaccine-standby.json",
     "description": "...",
     "trigger": {"type": "message", "from": "+1…", "to": "+1…", "body": "hi", "params": {…}}
              | {"type": "rest", "from": "+1…", "to": "+1…", "parameters": {…}},
     "call": {"from": "+1…", "to": "+1…", "params": {…}},        # instead of trigger: a call rings
     "outbound": {"+1…": "answered" | "busy" | {…}},             # simulated outbound call outcomes
     "http": [{"method": "POST", "url": "https://…" | "url_prefix": … | "url_pattern": …,
               "status": 200, "content_type": "…", "body": "…" | {…}, "headers": {…},
               "delay": 0.5, "once": true, "drop": true} …],
     "expect_twiml": {"verbs": ["Say", "Redirect"], "contains": ["…"]} | {"empty": true},
     "expect_messages": [ {"to", "from", "body", "body_contains", "status"} … ],   # after the trigger
     "expect_requests": [ {"method", "url", "url_prefix", "query", "form", "json", "body",
                           "body_contains", "headers"} … ],                          # after the trigger
     "turns": [ {"message": "yes", "params": {…}}, {"timeout": true}, {"fail_delivery": true},
                {"digits": "1"}, {"speech": "yes"}, {"redirect": true}, {"silence": true},
                {"action": {"DialCallStatus": "completed"}}, {"hangup": true}
                … each with optional "expect_messages", "expect_requests", "expect_twiml"],
     "expect": {"status": "ended", "widget": "NAME", "context": {subset},
                "steps": ["Trigger-incomingMessage->X", …], "log_codes": [81002],
                "transcript_contains": ["…"]}}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

SUFFIX = ".test.json"
CORPUS_DIRS = (Path(settings.BASE_DIR) / "tests" / "corpus" / "studio-flows",)
# Turns that answer the TwiML of a call (the others are messaging or engine turns).
CALL_TURNS = ("digits", "speech", "redirect", "silence", "action", "hangup")


@dataclass(frozen=True)
class Scenario:
    name: str
    spec: dict[str, Any]
    definition: dict[str, Any]  # the flow definition (a Twilio export's ``definition``)


def name_of(path: Path) -> str:
    return path.name.removesuffix(SUFFIX)


def load(path: str | Path) -> Scenario:
    """The scenario in ``path`` with its flow; OSError or ValueError when either cannot be read."""
    path = Path(path)
    spec = json.loads(path.read_text())
    if not isinstance(spec, dict):
        raise ValueError("a scenario is a JSON object")
    return Scenario(name=name_of(path), spec=spec, definition=load_flow(spec, path.parent))


def load_flow(spec: dict[str, Any], base: Path) -> dict[str, Any]:
    """``"flow"``: a path relative to the scenario, or ``corpus:NAME.json`` (the bundled corpus)."""
    ref = str(spec.get("flow") or "")
    if ref.startswith("corpus:"):
        name = ref.split(":", 1)[1]
        candidates = [d / name for d in CORPUS_DIRS]
    else:
        candidates = [base / ref]
    for path in candidates:
        if path.exists():
            data = json.loads(path.read_text())
            return data if "states" in data else data.get("definition", data)
    raise FileNotFoundError(f"flow {ref!r} not found")


def scenario_files(items: list[str]) -> list[Path]:
    """Files as given; a folder stands for every ``*.test.json`` in it (ValueError when none)."""
    files: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = sorted(path.glob(f"*{SUFFIX}"))
            if not found:
                raise ValueError(f"{item}: no *{SUFFIX} scenarios in this folder")
            files.extend(found)
        else:
            files.append(path)
    return files
