"""The simulator's interactive call and "skip wait" (console API, session + CSRF).

- ``POST /api/console/flows/{FW}/simulate/live-call`` ``{from, to}``: ring the flow's number;
  the answer holds what the caller met (Say, Play, …) and ``waiting``: the Gather the call now
  waits at (null once the call ended).
- ``POST /api/console/calls/{CA}/answer`` ``{digits}`` | ``{speech}`` | ``{silence: true}`` |
  ``{hangup: true}``: the caller answers that Gather; the call plays on to its next wait.
- ``POST /api/console/executions/{FN}/skip-wait``: fire the execution's armed timer now (a Send
  & Wait for Reply's timeout), as the sweeper does when it is due.

Calls go through the signed webhook in-process (``executions.voice.live_call``); the caller
becomes one of the flow's test users first, so the latest saved revision answers.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.auth import request_account
from accounts.errors import TwilioAPIError, invalid_parameter, not_found
from executions.api.console_sim import (
    OBJ,
    TAG,
    ConsoleSimView,
    _data,
    _flow,
    _required,
    ensure_test_user,
    execution_summary,
)
from executions.engine import timers
from executions.models import Call, Execution
from executions.voice import live_call

DTMF = set("0123456789*#")


class LiveCallStart(ConsoleSimView):
    @extend_schema(operation_id="console_flow_live_call", tags=TAG, request=OBJ, responses=OBJ)
    def post(self, request: Request, sid: str) -> Response:
        flow = _flow(request, sid)
        data = _data(request)
        frm, to = _required(data, "from"), _required(data, "to")
        ensure_test_user(flow, frm)
        return Response(live_call.start(flow, from_=frm, to=to), status=201)


class LiveCallAnswer(ConsoleSimView):
    @extend_schema(operation_id="console_call_answer", tags=TAG, request=OBJ, responses=OBJ)
    def post(self, request: Request, sid: str) -> Response:
        call = (
            Call.objects.select_related("account").filter(account=request_account(request), sid=sid).first()
        )
        if call is None:
            raise not_found(f"The requested resource /Calls/{sid} was not found")
        data = _data(request)
        if "digits" in data:
            digits = str(data["digits"])
            if not digits or not set(digits) <= DTMF:
                raise invalid_parameter("digits", "keys 0-9, * and #")
            heard: dict[str, object] = {"digits": digits}
        elif "speech" in data:
            heard = {"speech": _required(data, "speech")}
        elif data.get("silence"):
            heard = {"silence": True}
        elif data.get("hangup"):
            heard = {"hangup": True}
        else:
            raise invalid_parameter("answer", "give digits, speech, silence or hangup")
        try:
            return Response(live_call.answer(call, heard))
        except ValueError as exc:
            raise TwilioAPIError(409, 20409, str(exc)) from None


class SkipWait(ConsoleSimView):
    @extend_schema(operation_id="console_execution_skip_wait", tags=TAG, request=None, responses=OBJ)
    def post(self, request: Request, sid: str) -> Response:
        ex = Execution.objects.filter(account=request_account(request), sid=sid).first()
        if ex is None:
            raise not_found(f"The requested resource /Executions/{sid} was not found")
        fired = timers.fire_now(ex.pk)
        if not fired:
            raise TwilioAPIError(409, 20409, "The execution has no pending timeout")
        ex = Execution.objects.select_related("flow").get(pk=ex.pk)
        return Response({"fired": fired, "execution": execution_summary(ex)})
