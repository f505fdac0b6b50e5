"""A flow's Run Function widget naming a function deployed here runs it in-process: the same
outputs and success/fail events as over HTTP, and the function's logs in its environment."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from serverless.models import Log
from tests.executions.factories import definition, make_flow, on, state
from tests.executions.support import start_rest, step_names

pytestmark = pytest.mark.django_db(transaction=True)

GREET = """exports.handler = (context, event, callback) => {
  console.log('greeting ' + event.Name);
  callback(null, { greeting: `${context.GREETING}, ${event.Name}`, tags: event.Tag });
};
"""
FAIL = "exports.handler = (context, event, callback) => callback(new Error('declined'));\n"


def deployed(account: Any, root: Path) -> dict[str, Any]:
    (root / "functions").mkdir(parents=True)
    (root / "functions" / "greet.protected.js").write_text(GREET)
    (root / "functions" / "decline.js").write_text(FAIL)
    (root / ".env").write_text("GREETING=Hello\n")
    out = io.StringIO()
    call_command("functions", "deploy", str(root), "--account", account.sid, "--json", stdout=out)
    return dict(json.loads(out.getvalue()))


def run_function_flow(result: dict[str, Any], path: str, parameters: list[dict[str, str]]) -> dict[str, Any]:
    fn = next(f for f in result["functions"] if f["path"] == path)
    props = {
        "service_sid": result["service_sid"],
        "environment_sid": result["environment_sid"],
        "function_sid": fn["sid"],
        # Nothing listens there: only the in-process host can answer.
        "url": "https://unreachable.invalid" + path,
        "parameters": parameters,
    }
    return definition(
        state("fn", "run-function", [on("success"), on("fail")], **props),
        trigger=[on("incomingRequest", "fn")],
    )


def test_a_deployed_function_answers_the_widget_in_process(alice: Any, tmp_path: Path) -> None:
    result = deployed(alice, tmp_path)
    params = [{"key": "Name", "value": "{{flow.data.name}}"}, {"key": "Tag", "value": "a"}]
    ex = start_rest(make_flow(alice, run_function_flow(result, "/greet", params)), data={"name": "Ada"})
    assert step_names(ex)[-1] == "fn-success->Ended"
    outputs = ex.context["widgets"]["fn"]
    assert outputs["status_code"] == 200 and outputs["content_type"].startswith("application/json")
    assert outputs["parsed"] == {"greeting": "Hello, Ada", "tags": "a"}
    assert list(Log.objects.values_list("level", "message")) == [("info", "greeting Ada")]


def test_a_failing_function_takes_fail(alice: Any, tmp_path: Path) -> None:
    result = deployed(alice, tmp_path)
    ex = start_rest(make_flow(alice, run_function_flow(result, "/decline", [])))
    assert step_names(ex)[-1] == "fn-fail->Ended"
    assert ex.context["widgets"]["fn"]["status_code"] == 500
