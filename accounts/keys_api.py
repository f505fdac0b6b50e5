"""API keys over REST: Twilio's Key resource v2010 (``/2010-04-01/Accounts/{AC}/Keys``).

The official client's ``client.new_keys.create()`` creates one (its ``secret`` is in that
answer only), ``client.keys.list()`` / ``client.keys(SK).fetch() / .update() / .delete()``
manage them. As on Twilio, the keys created here are Standard keys, and Standard keys cannot
manage keys: only the account's own credentials (Account SID + auth token) can.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import schema
from accounts.api2010 import API, page_of, path_account, rfc2822
from accounts.auth import ApiPrincipal
from accounts.errors import TwilioAPIError, not_found
from accounts.models import Account, ApiKey

MAX_FRIENDLY_NAME = 64  # Twilio's limit for a key's FriendlyName


def key_json(key: ApiKey) -> dict[str, Any]:
    return {
        "sid": key.sid,
        "friendly_name": key.friendly_name,
        "date_created": rfc2822(key.date_created),
        "date_updated": rfc2822(key.date_updated),
    }


def _account(request: Request, account_sid: str, resource: str) -> Account:
    principal = request.user
    if isinstance(principal, ApiPrincipal) and principal.key_sid:
        # Twilio: "Standard API keys … access all resources except Accounts and Keys" (a Main
        # key, created only in Twilio's console, may; there is no such key here). Unverified:
        # Twilio's exact code for this refusal; 20003 is its authentication error.
        raise TwilioAPIError(401, 20003, "Authenticate: API keys are managed with the account's auth token")
    return path_account(request, account_sid, resource)


def _friendly_name(data: Any) -> str:
    name = str(data.get("FriendlyName") or "")
    if len(name) > MAX_FRIENDLY_NAME:
        raise TwilioAPIError(400, 20001, f"FriendlyName must be at most {MAX_FRIENDLY_NAME} characters")
    return name


class KeyList(APIView):
    @extend_schema(**schema.KEY_LIST)
    def get(self, request: Request, account_sid: str) -> Response:
        account = _account(request, account_sid, "Keys.json")
        base = f"{API}/Accounts/{account.sid}/Keys.json"
        qs = ApiKey.objects.filter(account=account)
        return Response(
            page_of(request.query_params, qs, key="keys", base=base, filters={}, serialize=key_json)
        )

    @extend_schema(**schema.KEY_CREATE)
    def post(self, request: Request, account_sid: str) -> Response:
        account = _account(request, account_sid, "Keys.json")
        key, secret = ApiKey.create(account, friendly_name=_friendly_name(request.data))
        return Response({**key_json(key), "secret": secret}, status=201)


class KeyDetail(APIView):
    def _key(self, request: Request, account_sid: str, sid: str) -> ApiKey:
        account = _account(request, account_sid, f"Keys/{sid}.json")
        key = ApiKey.objects.filter(account=account, sid=sid).first()
        if key is None:
            raise not_found(
                f"The requested resource {API}/Accounts/{account_sid}/Keys/{sid}.json was not found"
            )
        return key

    @extend_schema(**schema.KEY_FETCH)
    def get(self, request: Request, account_sid: str, sid: str) -> Response:
        return Response(key_json(self._key(request, account_sid, sid)))

    @extend_schema(**schema.KEY_UPDATE)
    def post(self, request: Request, account_sid: str, sid: str) -> Response:
        key = self._key(request, account_sid, sid)
        if "FriendlyName" in request.data:
            key.friendly_name = _friendly_name(request.data)
            key.save(update_fields=["friendly_name", "date_updated"])
        return Response(key_json(key))

    @extend_schema(**schema.KEY_DELETE)
    def delete(self, request: Request, account_sid: str, sid: str) -> Response:
        self._key(request, account_sid, sid).delete()  # its credentials stop working at once
        return Response(status=204)
