"""The account's phone numbers: Twilio's IncomingPhoneNumbers resource (2010-04-01 API).

``client.incomingPhoneNumbers.list({phoneNumber})`` / ``.create({phoneNumber, smsUrl, voiceUrl})``
/ ``(PN…).fetch() / .update({smsUrl, voiceUrl, …}) / .remove()``: what a Functions template such
as vaccine-standby does to point its number at the Studio flow it made. Numbers are not bought
here: creating one records it (an E.164 number, once per account) with its webhook URLs.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api2010 import API, page_of, path_account, rfc2822
from accounts.errors import TwilioAPIError, not_found
from accounts.models import IncomingPhoneNumber

E164 = re.compile(r"\+[1-9]\d{1,14}")
MAX_URL = 2000
# Request parameter → model field, for the settable URLs and methods.
URLS = {
    "VoiceUrl": "voice_url",
    "VoiceFallbackUrl": "voice_fallback_url",
    "StatusCallback": "status_callback",
    "SmsUrl": "sms_url",
    "SmsFallbackUrl": "sms_fallback_url",
}
METHODS = {
    "VoiceMethod": "voice_method",
    "VoiceFallbackMethod": "voice_fallback_method",
    "StatusCallbackMethod": "status_callback_method",
    "SmsMethod": "sms_method",
    "SmsFallbackMethod": "sms_fallback_method",
}
SCHEMA: dict[str, Any] = {
    "tags": ["IncomingPhoneNumbers"],
    "request": OpenApiTypes.OBJECT,
    "responses": OpenApiTypes.OBJECT,
}


def number_json(n: IncomingPhoneNumber) -> dict[str, Any]:
    uri = f"{API}/Accounts/{n.account.sid}/IncomingPhoneNumbers/{n.sid}.json"
    return {
        "sid": n.sid,
        "account_sid": n.account.sid,
        "phone_number": n.phone_number,
        "friendly_name": n.friendly_name or n.phone_number,
        "api_version": "2010-04-01",
        "beta": False,
        "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
        "date_created": rfc2822(n.date_created),
        "date_updated": rfc2822(n.date_updated),
        "origin": "twilio",
        "status": "in-use",
        "address_requirements": "none",
        "voice_url": n.voice_url or None,
        "voice_method": n.voice_method,
        "voice_fallback_url": n.voice_fallback_url or None,
        "voice_fallback_method": n.voice_fallback_method,
        "voice_caller_id_lookup": False,
        "voice_application_sid": None,
        "status_callback": n.status_callback or None,
        "status_callback_method": n.status_callback_method,
        "sms_url": n.sms_url or None,
        "sms_method": n.sms_method,
        "sms_fallback_url": n.sms_fallback_url or None,
        "sms_fallback_method": n.sms_fallback_method,
        "sms_application_sid": None,
        "trunk_sid": None,
        "identity_sid": None,
        "address_sid": None,
        "bundle_sid": None,
        "emergency_status": "Inactive",
        "emergency_address_sid": None,
        "uri": uri,
        "subresource_uris": {"assigned_add_ons": uri.replace(".json", "/AssignedAddOns.json")},
    }


def _apply(number: IncomingPhoneNumber, data: Any) -> None:
    for param, field in URLS.items():
        if param in data:
            value = str(data.get(param) or "")
            if len(value) > MAX_URL:
                raise TwilioAPIError(400, 20001, f"{param} must be at most {MAX_URL} characters")
            setattr(number, field, value)
    for param, field in METHODS.items():
        if param in data:
            method = str(data.get(param) or "").upper()
            if method not in ("GET", "POST"):
                raise TwilioAPIError(400, 20001, f"{param} must be GET or POST")
            setattr(number, field, method)
    if "FriendlyName" in data:
        name = str(data.get("FriendlyName") or "")
        if len(name) > 64:
            raise TwilioAPIError(400, 20001, "FriendlyName must be at most 64 characters")
        number.friendly_name = name


class NumberList(APIView):
    @extend_schema(operation_id="incoming_phone_numbers_list", **SCHEMA)
    def get(self, request: Request, account_sid: str) -> Response:
        account = path_account(request, account_sid, "IncomingPhoneNumbers.json")
        qs = IncomingPhoneNumber.objects.filter(account=account).select_related("account")
        filters = {}
        for param, field in (("PhoneNumber", "phone_number__contains"), ("FriendlyName", "friendly_name")):
            value = request.query_params.get(param)
            if value:
                qs = qs.filter(**{field: value})
                filters[param] = value
        base = f"{API}/Accounts/{account.sid}/IncomingPhoneNumbers.json"
        body = page_of(
            request.query_params,
            qs,
            key="incoming_phone_numbers",
            base=base,
            filters=filters,
            serialize=number_json,
        )
        return Response(body)

    @extend_schema(operation_id="incoming_phone_numbers_create", **SCHEMA)
    def post(self, request: Request, account_sid: str) -> Response:
        account = path_account(request, account_sid, "IncomingPhoneNumbers.json")
        phone = str(request.data.get("PhoneNumber") or "").strip()
        if not phone:
            # Twilio can buy "any number in AreaCode"; there is no number inventory here.
            raise TwilioAPIError(400, 21452, "PhoneNumber is required: numbers are not bought here")
        if not E164.fullmatch(phone):
            raise TwilioAPIError(400, 21421, f"PhoneNumber {phone} is invalid (E.164, e.g. +15551234567)")
        number = IncomingPhoneNumber(account=account, phone_number=phone)
        _apply(number, request.data)
        try:
            with transaction.atomic():
                number.save()
        except IntegrityError:
            raise TwilioAPIError(400, 21422, f"PhoneNumber {phone} is already this account's") from None
        return Response(number_json(number), status=201)


class NumberDetail(APIView):
    def _number(self, request: Request, account_sid: str, sid: str) -> IncomingPhoneNumber:
        resource = f"IncomingPhoneNumbers/{sid}.json"
        account = path_account(request, account_sid, resource)
        number = (
            IncomingPhoneNumber.objects.filter(account=account, sid=sid).select_related("account").first()
        )
        if number is None:
            raise not_found(f"The requested resource {API}/Accounts/{account_sid}/{resource} was not found")
        return number

    @extend_schema(operation_id="incoming_phone_numbers_fetch", **SCHEMA)
    def get(self, request: Request, account_sid: str, sid: str) -> Response:
        return Response(number_json(self._number(request, account_sid, sid)))

    @extend_schema(operation_id="incoming_phone_numbers_update", **SCHEMA)
    def post(self, request: Request, account_sid: str, sid: str) -> Response:
        number = self._number(request, account_sid, sid)
        _apply(number, request.data)
        number.save()
        return Response(number_json(number))

    @extend_schema(operation_id="incoming_phone_numbers_delete", **SCHEMA)
    def delete(self, request: Request, account_sid: str, sid: str) -> Response:
        self._number(request, account_sid, sid).delete()
        return Response(status=204)
