"""Golden voice scenarios: ``golden_voice/NAME.test.json`` replayed through the signed call webhook.

Format (the engine's golden format, with call turns)::

    {"flow": "corpus:19-ivr-builder-template.json",
     "call": {"from": "+1…", "to": "+1…"}                       # an incoming call, or
     "trigger": {"type": "rest", "to": "+1…", "from": "+1…", "parameters": {…}},
     "outbound": {"+1…": "answered" | "busy" | {"status": …, "script": {"inputs": […]}}},
     "expect_twiml": {"verbs": ["Say", "Redirect"], "contains": ["Welcome"]},   # the answer
     "turns": [{"digits": "1"} | {"speech": "yes"} | {"redirect": true} | {"silence": true}
               | {"action": {"DialCallStatus": "completed"}} | {"hangup": true},
               … each with "expect_twiml" (or "expect_twiml": {"empty": true})],
     "expect": {"status": "ended", "context": {subset}, "steps": […], "transcript_contains": […]}}

``digits``/``speech`` answer the ``<Gather>``; ``redirect``/``silence`` follow the ``<Redirect>``
(a finished Say/Play, a Gather that got nothing); ``action`` requests the action URL of the
first verb that has one; ``hangup`` sends the status callback. Every answer is validated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from executions import calls
from executions.call_models import Call
from executions.golden import load_flow, subset_mismatches
from executions.models import Execution
from tests.executions.factories import make_flow
from tests.executions.support import start_rest
from tests.executions.voice_support import call_params, follow, hang_up, ring, twiml_of

pytestmark = pytest.mark.django_db(transaction=True)

FOLDER = Path(__file__).parent / "golden_voice"
SCENARIOS = sorted(FOLDER.glob("*.test.json"))


def check_twiml(label: str, root: etree._Element, expect: dict[str, Any] | None) -> None:
    if expect is None:
        return
    text = etree.tostring(root, encoding="unicode")
    if expect.get("empty"):
        assert len(root) == 0, f"{label}: expected <Response/>, got {text}"
        return
    if "verbs" in expect:
        assert [el.tag for el in root] == expect["verbs"], f"{label}: {text}"
    for fragment in expect.get("contains", []):
        assert fragment in text, f"{label}: {fragment!r} not in {text}"


def next_request(flow: Any, root: etree._Element, params: dict[str, str], turn: dict[str, Any]) -> Any:
    base = {"From": params["From"], "To": params["To"], "CallSid": params["CallSid"]}
    if turn.get("hangup"):
        return hang_up(flow, params)
    if "digits" in turn or "speech" in turn:
        gather = root.find("Gather")
        assert gather is not None, etree.tostring(root)
        extra = {"Digits": turn["digits"]} if "digits" in turn else {"SpeechResult": turn["speech"]}
        if "speech" in turn:
            extra["Confidence"] = "0.92"
        return follow(flow.account, gather.get("action"), **base, **extra)
    if turn.get("redirect") or turn.get("silence"):
        redirect = root.find("Redirect")
        assert redirect is not None, etree.tostring(root)
        return follow(flow.account, redirect.text, **base)
    if "action" in turn:
        verb = next(el for el in root if el.get("action"))
        return follow(flow.account, verb.get("action"), **base, **turn["action"])
    raise AssertionError(f"unknown turn {turn}")


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name.removesuffix(".test.json") for p in SCENARIOS])
def test_it_replays_the_golden_voice_scenario(path: Path, alice: Any) -> None:
    spec = json.loads(path.read_text())
    flow = make_flow(alice, load_flow(spec, path.parent), name=path.name)
    for number, outcome in (spec.get("outbound") or {}).items():
        calls.script_outcome(number, outcome)
    try:
        if (spec.get("trigger") or {}).get("type") == "rest":
            trig = spec["trigger"]
            execution = start_rest(flow, to=trig["to"], frm=trig["from"], data=trig.get("parameters"))
        else:
            call = spec.get("call") or {}
            params = call_params(call.get("from", "+15551230000"), call.get("to", "+15550001111"))
            params.update(call.get("params") or {})
            root = twiml_of(ring(flow, params))
            check_twiml("answer", root, spec.get("expect_twiml"))
            for i, turn in enumerate(spec.get("turns") or [], start=1):
                response = next_request(flow, root, params, turn)
                root = twiml_of(response)
                check_twiml(f"turn {i} {turn}", root, turn.get("expect_twiml"))
            execution = Execution.objects.get(flow=flow)
    finally:
        for number in spec.get("outbound") or {}:
            calls.script_outcome(number, None)
    execution.refresh_from_db()
    expect = spec.get("expect") or {}
    if "status" in expect:
        assert execution.status == expect["status"], execution.log[-3:]
    if "steps" in expect:
        steps = [
            f"{s.transitioned_from}-{s.name}->{s.transitioned_to}" for s in execution.steps.order_by("id")
        ]
        assert steps == expect["steps"]
    if "context" in expect:
        assert subset_mismatches(expect["context"], execution.context, "context") == []
    if "log_codes" in expect:
        assert sorted({e.get("code") for e in execution.log if e.get("code")}) == expect["log_codes"]
    if "transcript_contains" in expect:
        said = json.dumps([c.transcript for c in Call.objects.filter(account=alice)], ensure_ascii=False)
        for fragment in expect["transcript_contains"]:
            assert fragment in said, f"{fragment!r} not in the call transcript"


def test_it_has_at_least_six_golden_voice_scenarios() -> None:
    flows = {json.loads(p.read_text())["flow"] for p in SCENARIOS}
    assert len(flows) >= 6, flows
