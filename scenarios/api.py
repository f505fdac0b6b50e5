"""A flow's saved tests in the console (session + CSRF, scoped to the caller's account).

- ``GET  /api/console/flows/{FW}/tests``: the flow's tests with their last result.
- ``POST /api/console/flows/{FW}/tests`` ``{name, execution_sid, description?}``: "Save as test":
  the execution (a simulator session of this flow) recorded as a golden scenario.
- ``POST /api/console/flows/{FW}/tests/run`` ``{names?}``: replay them (all, or those named)
  against the flow's latest revision, the draft: pass/fail per scenario, differences on failure.
- ``GET /api/console/flows/{FW}/tests/{name}``: the scenario as a ``NAME.test.json`` file
  (its ``flow`` is ``{FW}.json``: ``manage.py flows export`` writes that file); ``DELETE`` removes it.

Viewers read; editors save, run and delete (``CanEditOrReadOnly``).
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.errors import TwilioAPIError, invalid_parameter, not_found
from executions.api.console_sim import OBJ, TAG, ConsoleSimView, _data, _flow, _required, iso
from executions.models import Execution
from scenarios import spec
from scenarios.driver import run_scenario
from scenarios.models import FlowTest
from scenarios.recorder import scenario_for
from studio.models import Flow

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$")


def test_body(test: FlowTest) -> dict[str, Any]:
    return {
        "name": test.name,
        "description": test.spec.get("description", ""),
        "execution_sid": test.execution_sid or None,
        "last_result": test.last_result or None,
        "last_failures": test.last_failures,
        "date_created": iso(test.date_created),
        "date_updated": iso(test.date_updated),
    }


def run_saved(flow: Flow, test: FlowTest) -> dict[str, Any]:
    """Replay ``test`` against the flow's latest revision and keep the outcome on the row."""
    revision = flow.latest_revision()
    definition = revision.definition if revision is not None else {}
    try:
        report = run_scenario(spec.Scenario(name=test.name, spec=test.spec, definition=definition))
        failures = list(report.failures)
    except Exception as exc:  # noqa: BLE001 - one broken scenario must not stop the others
        failures = [f"error: {exc!r}"]
    test.last_result = "failed" if failures else "passed"
    test.last_failures = failures
    test.save(update_fields=["last_result", "last_failures", "date_updated"])
    return {"name": test.name, "passed": not failures, "failures": failures}


class FlowTests(ConsoleSimView):
    @extend_schema(operation_id="console_flow_tests", tags=TAG, responses=OBJ)
    def get(self, request: Request, sid: str) -> Response:
        flow = _flow(request, sid)
        return Response({"tests": [test_body(t) for t in FlowTest.objects.filter(flow=flow)]})

    @extend_schema(
        operation_id="console_flow_test_save",
        tags=TAG,
        summary="Save a simulator session (an execution of this flow) as a golden scenario",
        request=OBJ,
        responses=OBJ,
    )
    def post(self, request: Request, sid: str) -> Response:
        flow = _flow(request, sid)
        data = _data(request)
        name = _required(data, "name")
        if not NAME.match(name) or name == "run":
            raise invalid_parameter("name", "letters, digits, spaces, '.', '_' and '-' (at most 100)")
        execution = Execution.objects.filter(flow=flow, sid=_required(data, "execution_sid")).first()
        if execution is None:
            raise not_found(f"The requested resource /Executions/{data['execution_sid']} was not found")
        if FlowTest.objects.filter(flow=flow, name=name).exists():
            raise TwilioAPIError(409, 20409, f"The flow already has a test named {name!r}")
        description = data.get("description")
        try:
            scenario = scenario_for(execution, str(description) if description else "")
        except ValueError as exc:
            raise invalid_parameter("execution_sid", str(exc)) from None
        test = FlowTest.objects.create(
            account=flow.account, flow=flow, name=name, spec=scenario, execution_sid=execution.sid
        )
        return Response({**test_body(test), "scenario": scenario}, status=201)


class FlowTestsRun(ConsoleSimView):
    @extend_schema(operation_id="console_flow_tests_run", tags=TAG, request=OBJ, responses=OBJ)
    def post(self, request: Request, sid: str) -> Response:
        flow = _flow(request, sid)
        data = request.data if isinstance(request.data, dict) else {}
        tests = FlowTest.objects.filter(flow=flow)
        names = data.get("names")
        if names is not None:
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise invalid_parameter("names", "must be a list of test names")
            tests = tests.filter(name__in=names)
        results = [run_saved(flow, t) for t in tests]
        passed = sum(r["passed"] for r in results)
        return Response({"results": results, "passed": passed, "failed": len(results) - passed})


class FlowTestFile(ConsoleSimView):
    def _test(self, request: Request, sid: str, name: str) -> FlowTest:
        flow = _flow(request, sid)
        test = FlowTest.objects.filter(flow=flow, name=name).first()
        if test is None:
            raise not_found(f"The flow has no test named {name!r}")
        return test

    @extend_schema(operation_id="console_flow_test_file", tags=TAG, responses=OBJ)
    def get(self, request: Request, sid: str, name: str) -> Response:
        test = self._test(request, sid, name)
        response = Response({"flow": f"{sid}.json", **test.spec})
        response["Content-Disposition"] = f'attachment; filename="{test.name}{spec.SUFFIX}"'
        return response

    @extend_schema(operation_id="console_flow_test_delete", tags=TAG, responses=OBJ)
    def delete(self, request: Request, sid: str, name: str) -> Response:
        self._test(request, sid, name).delete()
        return Response(status=204)
