"""Simulated calls into a flow: the browser simulator and scripts "call" a flow's number.

``call_flow`` plays the flow's webhook with ``twiml``'s interpreter for a scripted caller
(digits, speech, silence, hang up); every request goes through the signed webhook and the
engine's callbacks in-process, as Twilio's would. When the call is over the flow webhook gets
the status callback (``CallStatus=completed`` …), which ends or advances the execution.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import CanEditOrReadOnly, ConsoleSessionAuthentication, request_account
from accounts.errors import invalid_parameter, missing_parameter, not_found
from executions.engine.ports import ports
from executions.models import Call, Execution
from executions.voice import calls
from studio.models import Flow
from twiml import CallScript, Transcript

SCRIPT_LISTS = ("inputs", "dial", "record", "pay", "enqueue")


@dataclass
class SimulatedCall:
    call: Call
    transcript: Transcript
    execution: Execution | None


def script_from(data: dict[str, Any] | None) -> CallScript:
    data = dict(data or {})
    fields: dict[str, Any] = {}
    for name in SCRIPT_LISTS:
        value = data.get(name)
        if value is not None:
            if not isinstance(value, list):
                raise ValueError(f"script.{name} must be a list")
            fields[name] = list(value)
    extra = data.get("call") or {}
    if not isinstance(extra, dict):
        raise ValueError("script.call must be an object")
    return CallScript(**fields, call={str(k): str(v) for k, v in extra.items()})


def hold_music_of(account: Any) -> str | None:
    """A held caller hears the account's hold music asset where Functions serve one."""
    host = ports().function_host()
    return host.hold_music_url(account) if host is not None else None


def call_flow(
    flow: Flow, *, from_: str, to: str, script: CallScript | dict[str, Any] | None = None
) -> SimulatedCall:
    """Place a simulated inbound call from ``from_`` to the flow's number ``to``."""
    account = flow.account
    cs = script if isinstance(script, CallScript) else script_from(script)
    url = calls.flow_webhook_url(account.sid, flow.sid)
    call = Call.objects.create(
        account=account,
        from_address=from_,
        to_address=to,
        direction="inbound",
        status=Call.Status.RINGING,
        url=url,
        status_callback=url,
        start_time=timezone.now(),
    )
    cs.call.update({"AccountSid": account.sid, "CallSid": call.sid, "From": from_, "To": to})
    cs.call.setdefault("Direction", "inbound")
    if cs.hold is None:
        # <Enqueue workflowSid> holds the caller in TaskRouter until an agent takes the call.
        cs.hold = lambda request: ports().flex_gateway().hold_call(account, request)
    if cs.hold_music is None:
        cs.hold_music = lambda: hold_music_of(account)
    transcript = calls.play(account, cs, url=url)
    status = "completed"
    if transcript.ended == "rejected":
        rejects = [e for e in transcript.events if e["type"] == "reject"]
        status = "busy" if rejects and rejects[-1].get("reason") == "busy" else "no-answer"
    calls._finish(call, status, transcript.to_dict())
    calls.status_callback(
        account, url, "POST", calls.call_params(call, CallDuration=call.duration, CallStatus=status)
    )
    execution = Execution.objects.filter(flow=flow, initiated_by=call.sid).order_by("-id").first()
    return SimulatedCall(call=call, transcript=transcript, execution=execution)


class SimulateCall(APIView):
    """``POST /api/console/flows/{FW}/simulate/call``: ``{from, to, script}`` → the transcript."""

    authentication_classes = [ConsoleSessionAuthentication]
    permission_classes = [CanEditOrReadOnly]

    @extend_schema(
        operation_id="console_flow_simulate_call",
        tags=["Console"],
        summary="Place a simulated call into the flow and return what the caller met",
        request=OpenApiTypes.OBJECT,
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request: Request, sid: str) -> Response:
        account = request_account(request)
        flow = Flow.objects.select_related("account").filter(account=account, sid=sid).first()
        if flow is None:
            raise not_found(f"The requested resource /Flows/{sid} was not found")
        data = request.data if isinstance(request.data, dict) else {}
        frm = str(data.get("from") or "").strip()
        to = str(data.get("to") or "").strip()
        if not frm:
            raise missing_parameter("from")
        if not to:
            raise missing_parameter("to")
        try:
            script = script_from(data.get("script") if isinstance(data.get("script"), dict) else None)
        except (ValueError, TypeError) as exc:
            raise invalid_parameter("script", str(exc)) from None
        sim = call_flow(flow, from_=frm, to=to, script=script)
        return Response(
            {
                "call_sid": sim.call.sid,
                "execution_sid": sim.execution.sid if sim.execution else None,
                "status": sim.call.status,
                "transcript": sim.transcript.to_dict(),
            },
            status=201,
        )
