"""The simulator's REST tab: create an execution as a script would, through the Executions API.

``POST /api/console/flows/{FW}/simulate/rest`` ``{to, from, parameters?}`` calls the Studio v2
``POST /v2/Flows/{FW}/Executions`` view in-process with the account's own credentials (HTTP
Basic ``AccountSid:AuthToken``), so validation, error codes (409 for an active pair, 81023,
…), the trigger context and the run are exactly the REST API's: the simulator has no second
path. The contact (``to``) becomes a test user first, so the latest saved revision runs.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django.test import RequestFactory
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.errors import TwilioAPIError, invalid_parameter
from accounts.models import Account
from executions.api import executions_api
from executions.api.console_sim import (
    OBJ,
    TAG,
    ConsoleSimView,
    _data,
    _flow,
    _required,
    conversation,
    ensure_test_user,
)


def rest_parameters(data: dict[str, Any]) -> str | None:
    """``parameters`` as the API's ``Parameters`` form field: a JSON object, or its text."""
    value = data.get("parameters")
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, str):
        return value  # the API itself answers a malformed text (400 20001), as it would to a script
    raise invalid_parameter("parameters", "must be a JSON object")


def create_through_api(account: Account, flow_sid: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """POST the Executions API view in-process, authenticated as the account (its token)."""
    token = base64.b64encode(f"{account.sid}:{account.auth_token}".encode()).decode()
    path = reverse("v2-executions", kwargs={"flow_sid": flow_sid})
    request = RequestFactory().post(path, form, HTTP_AUTHORIZATION=f"Basic {token}")
    response = executions_api.ExecutionList.as_view()(request, flow_sid=flow_sid)
    response.render()
    body = json.loads(response.content or b"{}")
    return response.status_code, body


class SimulateRest(ConsoleSimView):
    """``POST /api/console/flows/{FW}/simulate/rest`` ``{to, from, parameters?}``."""

    @extend_schema(
        operation_id="console_flow_simulate_rest",
        tags=TAG,
        summary="Create an execution through the Studio v2 Executions API, as a script would",
        request=OBJ,
        responses=OBJ,
    )
    def post(self, request: Request, sid: str) -> Response:
        flow = _flow(request, sid)
        data = _data(request)
        to, sender = _required(data, "to"), _required(data, "from")
        form = {"To": to, "From": sender}
        parameters = rest_parameters(data)
        if parameters is not None:
            form["Parameters"] = parameters
        added = ensure_test_user(flow, to)
        status, body = create_through_api(flow.account, flow.sid, form)
        if status >= 400:
            raise TwilioAPIError(
                status,
                int(body.get("code") or 20001),
                str(body.get("message") or f"The Executions API answered {status}"),
                body.get("details") if isinstance(body.get("details"), dict) else None,
            )
        return Response(
            {
                "execution": body,
                "execution_sid": body.get("sid"),
                "test_user_added": added,
                # The contact of a REST execution is its To, the flow's side its From.
                "conversation": conversation(flow, to, sender),
            },
            status=201,
        )
