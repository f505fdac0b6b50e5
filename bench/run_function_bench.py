"""What a Run Function widget calling a deployed function adds to a step.

    .venv/bin/python bench/run_function_bench.py [--executions 200] [--runs 3]

Deploys the corpus's hello-world with `manage.py functions deploy` (bubblewrap sandbox, warm
worker pool) into a throw-away test database, then starts executions of two published flows
over the Studio REST API, alternating: Trigger → Run Function (the deployed function, by its
``function_sid``) → end, and Trigger → Set Variables → end (the control: the same engine work
with a widget that does nothing outside the process). The widget's cost is the difference of the
two medians; the function's own warm invocation (the sandbox round trip, through the Functions
host the engine uses) is measured alone beside it. Prints JSON per run and the medians.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")

CORPUS = ROOT / "tests" / "corpus" / "functions" / "hello-world"


def flow_definition(widget: dict[str, Any]) -> dict[str, Any]:
    events = [
        "incomingMessage",
        "incomingCall",
        "incomingConversationMessage",
        "incomingRequest",
        "incomingParent",
    ]
    trigger = [{"event": e, "next": "step"} if e == "incomingRequest" else {"event": e} for e in events]
    return {
        "description": "bench",
        "initial_state": "Trigger",
        "flags": {"allow_concurrent_calls": True},
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "transitions": trigger,
                "properties": {"offset": {"x": 0, "y": 0}},
            },
            {**widget, "name": "step", "properties": {**widget["properties"], "offset": {"x": 0, "y": 200}}},
        ],
    }


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--executions", type=int, default=200, help="per flow and run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django
    from django.conf import settings

    settings.SERVERLESS = {
        **settings.SERVERLESS,
        "ROOT": Path(tempfile.mkdtemp(prefix="bench-rf-")),
        "FUNCTIONS_DOMAIN": "",
    }
    settings.ALLOWED_HOSTS = ["*"]
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)

    from accounts.models import Account
    from executions.models import Execution
    from serverless.gateway import FunctionHost
    from serverless.runtime import shutdown_pool
    from studio.models import Flow
    from studio.revisions import create_flow

    account = Account.objects.create(friendly_name="bench")
    out = io.StringIO()
    call_command("functions", "deploy", str(CORPUS), "--account", account.sid, "--json", stdout=out)
    deployed = json.loads(out.getvalue())
    (fn,) = [f for f in deployed["functions"] if f["path"] == "/hello-world"]
    run_function = {
        "type": "run-function",
        "transitions": [{"event": "success"}, {"event": "fail"}],
        "properties": {
            "service_sid": deployed["service_sid"],
            "environment_sid": deployed["environment_sid"],
            "function_sid": fn["sid"],
            "url": fn["url"],
            "parameters": [{"key": "name", "value": "bench"}],
        },
    }
    set_variables = {
        "type": "set-variables",
        "transitions": [{"event": "next"}],
        "properties": {"variables": [{"key": "name", "value": "bench"}]},
    }
    flows = {}
    for name, widget in (("run_function", run_function), ("control", set_variables)):
        flow, _ = create_flow(
            account, friendly_name=name, definition=flow_definition(widget), status=Flow.Status.PUBLISHED
        )
        flows[name] = flow
    auth = "Basic " + base64.b64encode(f"{account.sid}:{account.auth_token}".encode()).decode()
    client = Client(HTTP_AUTHORIZATION=auth)

    def start(flow: Flow, n: int) -> float:
        began = time.perf_counter()
        answer = client.post(
            f"/v2/Flows/{flow.sid}/Executions", {"To": f"+1555{n:07d}", "From": "+15550001111"}, secure=True
        )
        elapsed = (time.perf_counter() - began) * 1000
        assert answer.status_code == 201, (answer.status_code, answer.headers, answer.content)
        return elapsed

    # The widget's outcome, once: success with the function's body.
    start(flows["run_function"], 0)
    first = Execution.objects.filter(flow=flows["run_function"]).get()
    outputs = first.context["widgets"]["step"]
    assert outputs["status_code"] == 200 and outputs["body"] == "Hello world!", outputs

    host = FunctionHost()
    # The sandbox round trip alone: the runtime's invoke with a request prepared once.
    from serverless.gateway import live_environment_of
    from serverless.invocation import bundle_for, context_for
    from serverless.models import Function
    from serverless.runtime import InvokeRequest
    from serverless.runtime import invoke as runtime_invoke

    found = live_environment_of(Function.objects.get(sid=fn["sid"]), deployed["environment_sid"])
    assert found is not None
    env, route = found
    assert env.build is not None
    prepared = InvokeRequest(
        bundle=bundle_for(env.build),
        path=route.path,
        context=context_for(env, route.path),
        event={"request": {"headers": {}, "cookies": {}}, "name": "bench"},
        api_base_url="http://127.0.0.1:9",
    )
    runs = []
    counter = 1
    for _ in range(args.runs):
        for _ in range(20):  # warm: the sandbox worker, the revision caches
            start(flows["run_function"], counter)
            start(flows["control"], counter + 1)
            counter += 2
        with_fn: list[float] = []
        control: list[float] = []
        alone: list[float] = []
        sandbox: list[float] = []
        for _ in range(args.executions):
            with_fn.append(start(flows["run_function"], counter))
            control.append(start(flows["control"], counter + 1))
            counter += 2
            began = time.perf_counter()
            result = host.invoke(account, fn["sid"], [("name", "bench")], {}, deployed["environment_sid"])
            alone.append((time.perf_counter() - began) * 1000)
            assert result is not None and result.status == 200
            began = time.perf_counter()
            runtime_invoke(prepared)
            sandbox.append((time.perf_counter() - began) * 1000)
        run = {
            "run_function_p50_ms": round(statistics.median(with_fn), 2),
            "run_function_p99_ms": round(pct(with_fn, 99), 2),
            "control_p50_ms": round(statistics.median(control), 2),
            "control_p99_ms": round(pct(control, 99), 2),
            "added_p50_ms": round(statistics.median(with_fn) - statistics.median(control), 2),
            "invoke_alone_p50_ms": round(statistics.median(alone), 2),
            "invoke_alone_p99_ms": round(pct(alone, 99), 2),
            "sandbox_p50_ms": round(statistics.median(sandbox), 2),
            "sandbox_p99_ms": round(pct(sandbox, 99), 2),
        }
        print(json.dumps(run))
        runs.append(run)
    shutdown_pool()
    medians = {key: round(statistics.median(r[key] for r in runs), 2) for key in runs[0]}
    print(json.dumps({"medians": medians, "runs": args.runs, "executions": args.executions}))


if __name__ == "__main__":
    main()
