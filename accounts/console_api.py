"""The console's account settings: the user's accounts (and switching between them), members and
their roles, API keys, and the real Twilio credentials the ``twilio`` provider sends with.

Everything is scoped to the console's current account (``request.account``). Members, keys and
credentials change only by the account's owners (403 otherwise); any member reads the members
and the keys' names. Secrets are never read back: a key's secret is in its creation answer only,
the Twilio auth token is shown as set or not.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import (
    SESSION_ACCOUNT_KEY,
    ApiPrincipal,
    ConsoleSessionAuthentication,
    IsAccountAuthenticated,
    request_account,
)
from accounts.errors import TwilioAPIError, invalid_parameter, missing_parameter, not_found
from accounts.models import ApiKey, Membership

TAG = ["Console settings"]
OBJ = OpenApiTypes.OBJECT
MAX_KEY_NAME = 64
TWILIO_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")


class SettingsView(APIView):
    authentication_classes = [ConsoleSessionAuthentication]
    permission_classes = [IsAccountAuthenticated]


def _membership(request: Request) -> Membership:
    principal = request.user
    assert isinstance(principal, ApiPrincipal) and principal.membership is not None
    return principal.membership


def _owner_only(request: Request) -> None:
    if _membership(request).role != Membership.Role.OWNER:
        raise TwilioAPIError(403, 20403, "Only the account's owners manage members, keys and credentials")


def _data(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise TwilioAPIError(400, 20001, "Invalid request body: a JSON object is expected")
    return request.data


def _role(data: dict[str, Any]) -> str:
    role = data.get("role")
    if role not in Membership.Role.values:
        raise invalid_parameter("role", f"must be one of {', '.join(Membership.Role.values)}")
    return str(role)


def member_json(m: Membership) -> dict[str, Any]:
    return {
        "id": m.pk,
        "username": m.user.get_username(),
        "email": getattr(m.user, "email", "") or "",
        "role": m.role,
        "date_created": m.date_created.isoformat(),
    }


class Accounts(SettingsView):
    """``GET /api/console/accounts``: the accounts this user belongs to, the current one marked."""

    @extend_schema(operation_id="console_accounts", tags=TAG, responses=OBJ)
    def get(self, request: Request) -> Response:
        current = request_account(request)
        rows = Membership.objects.select_related("account").filter(user=_membership(request).user)
        return Response(
            {
                "accounts": [
                    {
                        "account_sid": m.account.sid,
                        "friendly_name": m.account.friendly_name,
                        "role": m.role,
                        "current": m.account_id == current.pk,
                    }
                    for m in rows.order_by("date_created")
                ]
            }
        )


class SwitchAccount(SettingsView):
    """``POST /api/console/accounts/switch`` ``{account_sid}``: the session's account from now on."""

    @extend_schema(operation_id="console_accounts_switch", tags=TAG, request=OBJ, responses=OBJ)
    def post(self, request: Request) -> Response:
        sid = _data(request).get("account_sid")
        if not sid:
            raise missing_parameter("account_sid")
        membership = (
            Membership.objects.select_related("account")
            .filter(user=_membership(request).user, account__sid=sid)
            .first()
        )
        if membership is None or not membership.account.is_active:
            raise not_found(f"The requested resource /Accounts/{sid} was not found")
        request.session[SESSION_ACCOUNT_KEY] = membership.account.sid
        return Response({"account_sid": membership.account.sid, "role": membership.role})


class Members(SettingsView):
    """``GET /api/console/members``; ``POST`` ``{user, role}`` adds an existing user (username or email)."""

    @extend_schema(operation_id="console_members", tags=TAG, responses=OBJ)
    def get(self, request: Request) -> Response:
        rows = Membership.objects.select_related("user").filter(account=request_account(request))
        return Response({"members": [member_json(m) for m in rows.order_by("date_created", "id")]})

    @extend_schema(operation_id="console_members_add", tags=TAG, request=OBJ, responses=OBJ)
    def post(self, request: Request) -> Response:
        _owner_only(request)
        data = _data(request)
        who = str(data.get("user") or "").strip()
        if not who:
            raise missing_parameter("user")
        role = _role(data)
        users = get_user_model().objects.filter(Q(username=who) | Q(email__iexact=who), is_active=True)
        found = list(users[:2])
        if len(found) != 1:
            # Unverified by design: an unknown name and an ambiguous email answer alike.
            raise not_found(f"No single console user is named {who!r}")
        account = request_account(request)
        if Membership.objects.filter(account=account, user=found[0]).exists():
            raise TwilioAPIError(409, 20409, f"{who} is already a member of this account")
        membership = Membership.objects.create(account=account, user=found[0], role=role)
        return Response(member_json(membership), status=201)


def _last_owner(membership: Membership) -> bool:
    owners = Membership.objects.filter(account=membership.account_id, role=Membership.Role.OWNER)
    return membership.role == Membership.Role.OWNER and owners.count() == 1


class MemberDetail(SettingsView):
    """``PATCH /api/console/members/{id}`` ``{role}``; ``DELETE`` removes the member."""

    def _member(self, request: Request, pk: int) -> Membership:
        _owner_only(request)
        member = (
            Membership.objects.select_for_update()
            .select_related("user")
            .filter(account=request_account(request), pk=pk)
            .first()
        )
        if member is None:
            raise not_found(f"The requested resource /Members/{pk} was not found")
        return member

    @extend_schema(operation_id="console_member_update", tags=TAG, request=OBJ, responses=OBJ)
    def patch(self, request: Request, pk: int) -> Response:
        with transaction.atomic():
            member = self._member(request, pk)  # another account's member: 404 before the body
            role = _role(_data(request))
            if role != Membership.Role.OWNER and _last_owner(member):
                raise TwilioAPIError(409, 20409, "The account's last owner cannot lose the owner role")
            member.role = role
            member.save(update_fields=["role"])
        return Response(member_json(member))

    @extend_schema(operation_id="console_member_remove", tags=TAG, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        with transaction.atomic():
            member = self._member(request, pk)
            if _last_owner(member):
                raise TwilioAPIError(409, 20409, "The account's last owner cannot be removed")
            member.delete()
        return Response(status=204)


def key_json(key: ApiKey) -> dict[str, Any]:
    return {"sid": key.sid, "friendly_name": key.friendly_name, "date_created": key.date_created.isoformat()}


class Keys(SettingsView):
    """``GET /api/console/keys``; ``POST`` ``{friendly_name}`` answers the secret, this once."""

    @extend_schema(operation_id="console_keys", tags=TAG, responses=OBJ)
    def get(self, request: Request) -> Response:
        keys = ApiKey.objects.filter(account=request_account(request)).order_by("date_created", "id")
        return Response({"keys": [key_json(k) for k in keys]})

    @extend_schema(operation_id="console_keys_create", tags=TAG, request=OBJ, responses={201: OBJ})
    def post(self, request: Request) -> Response:
        _owner_only(request)
        name = str(_data(request).get("friendly_name") or "").strip()
        if len(name) > MAX_KEY_NAME:
            raise invalid_parameter("friendly_name", f"must be at most {MAX_KEY_NAME} characters")
        key, secret = ApiKey.create(request_account(request), friendly_name=name)
        return Response({**key_json(key), "secret": secret}, status=201)


class KeyDetail(SettingsView):
    """``DELETE /api/console/keys/{SK}``: revoked; its credentials stop working at once."""

    @extend_schema(operation_id="console_key_revoke", tags=TAG, responses={204: None})
    def delete(self, request: Request, sid: str) -> Response:
        _owner_only(request)
        deleted, _ = ApiKey.objects.filter(account=request_account(request), sid=sid).delete()
        if not deleted:
            raise not_found(f"The requested resource /Keys/{sid} was not found")
        return Response(status=204)


class TwilioCredentials(SettingsView):
    """``GET /api/console/twilio``; ``PUT`` ``{twilio_account_sid, twilio_auth_token}`` (owners).

    With both set, the account's messages and calls go through that real Twilio account (the
    ``twilio`` provider); with none, through the built-in simulator. An empty token in a PUT
    keeps the stored one, so the form can change the sid without re-typing the secret.
    """

    @extend_schema(operation_id="console_twilio", tags=TAG, responses=OBJ)
    def get(self, request: Request) -> Response:
        return Response(self._body(request))

    @extend_schema(operation_id="console_twilio_update", tags=TAG, request=OBJ, responses=OBJ)
    def put(self, request: Request) -> Response:
        _owner_only(request)
        data = _data(request)
        sid = str(data.get("twilio_account_sid") or "").strip()
        token = str(data.get("twilio_auth_token") or "").strip()
        if sid and not TWILIO_ACCOUNT_SID.match(sid):
            raise invalid_parameter("twilio_account_sid", "must be an Account SID (AC and 32 hex digits)")
        if len(token) > 64:
            raise invalid_parameter("twilio_auth_token", "must be at most 64 characters")
        account = request_account(request)
        account.twilio_account_sid = sid
        if not sid:
            account.twilio_auth_token = ""  # no account, no secret for it
        elif token:
            account.twilio_auth_token = token
        account.save(update_fields=["twilio_account_sid", "twilio_auth_token", "date_updated"])
        return Response(self._body(request))

    def _body(self, request: Request) -> dict[str, Any]:
        account = request_account(request)
        live = bool(account.twilio_account_sid and account.twilio_auth_token)
        return {
            "twilio_account_sid": account.twilio_account_sid,
            "auth_token_set": bool(account.twilio_auth_token),
            "provider": "twilio" if live else "default",
        }
