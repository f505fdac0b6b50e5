"""Conversations v1 Users (``US…``) and Roles (``RL…``): ``/v1/Users``, ``/v1/Roles`` (the
account's default conversation service) and ``/v1/Services/{IS}/Users|Roles`` (a named one).

A user is a chat identity of a service (fetched by SID or identity, as Twilio's); a role is a
named set of permissions, of ``type`` ``service`` (a user's) or ``conversation`` (a
participant's). Every lookup is scoped to the caller's account: a foreign SID is a 404 (20404)
like an unknown one.

Readings not confirmed from public material (kept here so they can be revisited):
- the error codes of a duplicate identity (409, 50201), of a duplicate role name (409, 20409)
  and of a RoleSid of the wrong type (400, 50057), and whether Twilio checks that type at all;
- permission names are not checked against Twilio's list (unpublished as a whole): any
  camelCase word is taken, as many as 64.

Each service's default roles are made with it (``conversations.defaults``); a user created
without RoleSid gets the service's ``default_chat_service_role_sid``.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.auth import request_account as account_of
from accounts.errors import TwilioAPIError, invalid_parameter, not_found
from accounts.pagination import paginate
from conversations import defaults, events, hooks, services
from conversations.api import ConversationsView, param, params_list, required
from conversations.models import ConversationRole, ConversationService, ConversationUser
from conversations.serializers import role_json, user_json

PERMISSION = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,63}$")
MAX_PERMISSIONS = 64


def _insert(row: ConversationRole | ConversationUser, taken: TwilioAPIError) -> None:
    """Save a new role or user; one that its unique name or identity already names is ``taken``."""
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        raise taken from None


class ServiceScoped(ConversationsView):
    """A view whose resources belong to the service in the path, or to the default one."""

    def owner(self, request: Request, service_sid: str | None) -> ConversationService:
        account = account_of(request)
        return (
            services.service_for(account, service_sid) if service_sid else services.default_service(account)
        )

    @staticmethod
    def path_prefix(service: ConversationService, scoped: bool) -> str:
        return f"/v1/Services/{service.sid}" if scoped else "/v1"


# -- roles -----------------------------------------------------------------------------------


def _permissions(request: Request) -> list[str]:
    values = params_list(request, "Permission")
    if not values:
        raise TwilioAPIError(400, 20001, "Missing required parameter Permission in the post body")
    if len(values) > MAX_PERMISSIONS or any(not PERMISSION.match(v) for v in values):
        raise invalid_parameter("Permission", f"permission names (at most {MAX_PERMISSIONS})")
    return list(dict.fromkeys(values))  # a repeated name is granted once


def _role(service: ConversationService, sid: str) -> ConversationRole:
    found = (
        ConversationRole.objects.select_related("service__account").filter(service=service, sid=sid).first()
    )
    if found is None:
        raise not_found(f"The requested resource /Roles/{sid} was not found")
    return found


class RoleList(ServiceScoped):
    def get(self, request: Request, service_sid: str | None = None) -> Response:
        service = self.owner(request, service_sid)
        qs = ConversationRole.objects.select_related("service__account").filter(service=service)
        scoped = service_sid is not None
        path = self.path_prefix(service, scoped) + "/Roles"
        return Response(paginate(request, qs, "roles", lambda r: role_json(r, scoped), path=path))

    def post(self, request: Request, service_sid: str | None = None) -> Response:
        service = self.owner(request, service_sid)
        name = required(request, "FriendlyName")
        if len(name) > 64:
            raise invalid_parameter("FriendlyName", "at most 64 characters")
        kind = required(request, "Type")
        if kind not in ConversationRole.Type.values:
            raise invalid_parameter("Type", "conversation or service")
        role = ConversationRole(
            account=service.account,
            service=service,
            friendly_name=name,
            type=kind,
            permissions=_permissions(request),
        )
        _insert(role, TwilioAPIError(409, 20409, f"A role named {name} already exists in the service"))
        return Response(role_json(role, service_sid is not None), status=201)


class RoleDetail(ServiceScoped):
    def get(self, request: Request, sid: str, service_sid: str | None = None) -> Response:
        role = _role(self.owner(request, service_sid), sid)
        return Response(role_json(role, service_sid is not None))

    def post(self, request: Request, sid: str, service_sid: str | None = None) -> Response:
        role = _role(self.owner(request, service_sid), sid)
        role.permissions = _permissions(request)  # an update replaces the whole list, as Twilio's
        role.save(update_fields=["permissions", "date_updated"])
        return Response(role_json(role, service_sid is not None))

    def delete(self, request: Request, sid: str, service_sid: str | None = None) -> Response:
        _role(self.owner(request, service_sid), sid).delete()
        return Response(status=204)


# -- users -----------------------------------------------------------------------------------


def _user(service: ConversationService, sid: str) -> ConversationUser:
    qs = ConversationUser.objects.select_related("service__account", "role").filter(service=service)
    found = qs.filter(sid=sid).first() or (qs.filter(identity=sid).first() if sid else None)
    if found is None:
        raise not_found(f"The requested resource /Users/{sid} was not found")
    return found


def _service_role(request: Request, service: ConversationService) -> ConversationRole | None:
    sid = param(request, "RoleSid")
    if sid is None:
        return None
    role = ConversationRole.objects.filter(service=service, sid=sid).first()
    if role is None:
        raise invalid_parameter("RoleSid", f"no role {sid} in the service")
    if role.type != ConversationRole.Type.SERVICE:
        raise TwilioAPIError(400, 50057, "Invalid parameter RoleSid: a user takes a service role")
    return role


def _apply(request: Request, user: ConversationUser, changes: dict[str, str] | None = None) -> None:
    """The request's fields, as a pre-action hook's answer (``changes``) left them."""
    changes = changes or {}
    name = changes.get("FriendlyName", param(request, "FriendlyName"))
    if name is not None:
        if len(name) > 256:
            raise invalid_parameter("FriendlyName", "at most 256 characters")
        user.friendly_name = name
    attributes = changes.get("Attributes", param(request, "Attributes"))
    if attributes is not None:
        user.attributes = services.check_attributes(attributes)
    role = _service_role(request, user.service)
    if role is not None:
        user.role = role


class UserList(ServiceScoped):
    def get(self, request: Request, service_sid: str | None = None) -> Response:
        service = self.owner(request, service_sid)
        qs = ConversationUser.objects.select_related("service__account", "role").filter(service=service)
        scoped = service_sid is not None
        path = self.path_prefix(service, scoped) + "/Users"
        return Response(paginate(request, qs, "users", lambda u: user_json(u, scoped), path=path))

    def post(self, request: Request, service_sid: str | None = None) -> Response:
        service = self.owner(request, service_sid)
        identity = required(request, "Identity")
        if len(identity) > 256:
            raise invalid_parameter("Identity", "at most 256 characters")
        user = ConversationUser(account=service.account, service=service, identity=identity)
        _apply(request, user)
        if user.role is None:
            default = defaults.role_sid(service, "default_chat_service_role_sid")
            user.role = ConversationRole.objects.filter(sid=default).first() if default else None
        _insert(user, TwilioAPIError(409, 50201, f"User {identity} already exists"))
        if events.enabled_by(request):
            hooks.user_added(user)
        return Response(user_json(user, service_sid is not None), status=201)


class UserDetail(ServiceScoped):
    def get(self, request: Request, sid: str, service_sid: str | None = None) -> Response:
        return Response(user_json(_user(self.owner(request, service_sid), sid), service_sid is not None))

    def post(self, request: Request, sid: str, service_sid: str | None = None) -> Response:
        user = _user(self.owner(request, service_sid), sid)
        hooked = events.enabled_by(request)
        changes: dict[str, str] = {}
        if hooked:
            given = {k: param(request, k) for k in ("FriendlyName", "Attributes")}
            changes = hooks.before_user_update(user, {k: v for k, v in given.items() if v is not None})
        _apply(request, user, changes)
        with transaction.atomic():
            user.save()
            if hooked:
                hooks.user_updated(user)
        return Response(user_json(user, service_sid is not None))

    def delete(self, request: Request, sid: str, service_sid: str | None = None) -> Response:
        _user(self.owner(request, service_sid), sid).delete()
        return Response(status=204)
