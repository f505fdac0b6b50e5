"""The Twilio-compatible Calls resource (``/2010-04-01/Accounts/{AC}/Calls``).

``POST Calls.json`` (To, From, Url or Twiml, StatusCallback, MachineDetection …) places a call
through the configured provider (the simulator plays it in-process after commit); ``GET``
lists and fetches them with the 2010 API paging envelope the official client expects.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api2010 import API, int_param, page_of, path_account, rfc2822
from accounts.errors import TwilioAPIError, missing_parameter, not_found
from executions.models import Call
from executions.voice import calls

OPTION_KEYS = (
    "MachineDetection",
    "MachineDetectionTimeout",
    "MachineDetectionSpeechThreshold",
    "MachineDetectionSpeechEndThreshold",
    "MachineDetectionSilenceTimeout",
    "SendDigits",
    "Record",
    "RecordingChannels",
    "RecordingStatusCallback",
    "Trim",
    "CallerId",
)


def call_json(call: Call) -> dict[str, Any]:
    uri = f"{API}/Accounts/{call.account.sid}/Calls/{call.sid}.json"
    base = uri.removesuffix(".json")
    return {
        "account_sid": call.account.sid,
        "annotation": None,
        "answered_by": call.answered_by or None,
        "api_version": "2010-04-01",
        "caller_name": None,
        "date_created": rfc2822(call.date_created),
        "date_updated": rfc2822(call.date_updated),
        "direction": call.direction,
        "duration": str(call.duration) if call.duration is not None else None,
        "end_time": rfc2822(call.end_time),
        "forwarded_from": None,
        "from": call.from_address,
        "from_formatted": call.from_address,
        "group_sid": None,
        "parent_call_sid": None,
        "phone_number_sid": None,
        "price": None,
        "price_unit": "USD",
        "queue_time": "0",
        "sid": call.sid,
        "start_time": rfc2822(call.start_time),
        "status": call.status,
        "subresource_uris": {
            "recordings": f"{base}/Recordings.json",
            "notifications": f"{base}/Notifications.json",
        },
        "to": call.to_address,
        "to_formatted": call.to_address,
        "trunk_sid": None,
        "uri": uri,
    }


class CallList(APIView):
    def get(self, request: Request, account_sid: str) -> Response:
        account = path_account(request, account_sid, "Calls.json")
        params = request.query_params
        qs = Call.objects.select_related("account").filter(account=account)
        filters: dict[str, str] = {}
        for name, field in (("To", "to_address"), ("From", "from_address"), ("Status", "status")):
            if params.get(name):
                qs = qs.filter(**{field: params[name]})
                filters[name] = params[name]
        base = f"{API}/Accounts/{account.sid}/Calls.json"
        return Response(page_of(params, qs, key="calls", base=base, filters=filters, serialize=call_json))

    def post(self, request: Request, account_sid: str) -> Response:
        account = path_account(request, account_sid, "Calls.json")
        data = request.data
        to, frm = str(data.get("To") or ""), str(data.get("From") or "")
        if not to:
            raise missing_parameter("To")
        if not frm:
            raise missing_parameter("From")
        url, twiml = str(data.get("Url") or ""), str(data.get("Twiml") or "")
        if not url and not twiml and not data.get("ApplicationSid"):
            raise TwilioAPIError(400, 21205, "Either Url, Twiml or ApplicationSid is required")
        if to == "+15005550001":
            raise TwilioAPIError(400, 21217, f"Phone number {to} is not a valid phone number")
        options = {k: str(data.get(k)) for k in OPTION_KEYS if data.get(k) not in (None, "")}
        with transaction.atomic():
            call = calls.create(
                account,
                to=to,
                from_=frm,
                url=url,
                method=str(data.get("Method") or "POST"),
                twiml=twiml,
                status_callback=str(data.get("StatusCallback") or ""),
                status_callback_method=str(data.get("StatusCallbackMethod") or "POST"),
                timeout=int_param(data, "Timeout", 60),
                options=options,
            )
            body = call_json(call)
        return Response(body, status=201)


class CallDetail(APIView):
    def _call(self, request: Request, account_sid: str, sid: str) -> Call:
        account = path_account(request, account_sid, "Calls.json")
        call = Call.objects.select_related("account").filter(account=account, sid=sid).first()
        if call is None:
            raise not_found(
                f"The requested resource {API}/Accounts/{account_sid}/Calls/{sid}.json was not found"
            )
        return call

    def get(self, request: Request, account_sid: str, sid: str) -> Response:
        return Response(call_json(self._call(request, account_sid, sid)))

    def post(self, request: Request, account_sid: str, sid: str) -> Response:
        """Update: ``Status=completed|canceled`` ends a call that is still queued or ringing."""
        call = self._call(request, account_sid, sid)
        status = str(request.data.get("Status") or "")
        if status in ("completed", "canceled") and call.status in ("queued", "ringing", "in-progress"):
            calls._finish(call, status, call.transcript or {})
        return Response(call_json(call))
