"""Conversations' configuration resources, as the official client reads and writes them:

- ``/v1/Configuration`` — the account's default service, messaging service and timers;
- ``/v1/Configuration/Webhooks`` — the account's pre/post-event webhook settings;
- ``/v1/Services/{IS}/Configuration`` — a service's default roles (``conversations.defaults``);
- ``/v1/Services/{IS}/Configuration/Notifications`` and ``…/Webhooks``;
- ``/v1/Credentials`` — push credentials, listed as Twilio's (their secrets are not kept).

The webhook and notification settings are kept and answered as Twilio's; this server sends no
push notification. The pre/post-event webhooks set here are called by ``conversations.events``
(a service's own settings first, else the account's).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.auth import request_account as account_of
from accounts.errors import TwilioAPIError, invalid_parameter, not_found
from accounts.pagination import paginate
from conversations import defaults, services
from conversations.api import ConversationsView, duration_param, param, params_list
from conversations.models import (
    ConversationRole,
    ConversationsConfiguration,
    ConversationService,
    PushCredential,
)
from conversations.serializers import base, duration, iso

FILTERS = {"onMessageAdd", "onMessageUpdate", "onMessageRemove", "onConversationAdd", "onConversationUpdate",
           "onConversationRemove", "onParticipantAdd", "onParticipantUpdate", "onParticipantRemove",
           "onMessageAdded", "onMessageUpdated", "onMessageRemoved", "onConversationAdded",
           "onConversationUpdated", "onConversationRemoved", "onConversationStateUpdated", "onParticipantAdded",
           "onParticipantUpdated", "onParticipantRemoved", "onDeliveryUpdated", "onUserAdded",
           "onUserUpdate", "onUserUpdated"}  # fmt: skip


def _bool(request: Request, name: str) -> bool | None:
    raw = param(request, name)
    if raw is None:
        return None
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise invalid_parameter(name, "true or false")


def _url(request: Request, name: str) -> str | None:
    value = param(request, name)
    if value is not None and (not value.startswith(("https://", "http://")) or len(value) > 2048):
        raise invalid_parameter(name, "an http(s) URL")
    return value


def _webhook_fields(request: Request, stored: dict[str, Any]) -> dict[str, Any]:
    """Method, Filters, PreWebhookUrl, PostWebhookUrl over what is stored."""
    out = dict(stored)
    method = param(request, "Method")
    if method is not None:
        if method.upper() not in ("GET", "POST"):
            raise invalid_parameter("Method", "GET or POST")
        out["method"] = method.upper()
    filters = params_list(request, "Filters")
    if filters:
        unknown = sorted(set(filters) - FILTERS)
        if unknown:
            raise invalid_parameter("Filters", f"unknown {', '.join(unknown)}")
        out["filters"] = list(dict.fromkeys(filters))
    for name, key in (("PreWebhookUrl", "pre_webhook_url"), ("PostWebhookUrl", "post_webhook_url")):
        value = _url(request, name)
        if value is not None:
            out[key] = value
    return out


def _webhook_view(stored: dict[str, Any]) -> dict[str, Any]:
    return {
        "method": stored.get("method", "POST"),
        "filters": list(stored.get("filters") or []),
        "pre_webhook_url": stored.get("pre_webhook_url"),
        "post_webhook_url": stored.get("post_webhook_url"),
    }


# -- the account's configuration ---------------------------------------------------------------


def _account_values(request: Request, *, lock: bool = False) -> tuple[ConversationsConfiguration, Any]:
    account = account_of(request)
    qs = ConversationsConfiguration.objects.filter(account=account)
    row = (qs.select_for_update() if lock else qs).first() or ConversationsConfiguration(
        account=account, values={}
    )
    return row, account


def configuration_json(account: Any, values: dict[str, Any]) -> dict[str, Any]:
    service = services.default_service(account)
    return {
        "account_sid": account.sid,
        "default_chat_service_sid": service.sid,
        "default_messaging_service_sid": values.get("default_messaging_service_sid"),
        "default_inactive_timer": duration(values.get("default_inactive_timer")),
        "default_closed_timer": duration(values.get("default_closed_timer")),
        "url": f"{base()}/Configuration",
        "links": {
            "service": f"{base()}/Services/{service.sid}",
            "webhooks": f"{base()}/Configuration/Webhooks",
            "addresses": f"{base()}/Configuration/Addresses",
        },
    }


class Configuration(ConversationsView):
    """``GET|POST /v1/Configuration``: the account's defaults for Conversations."""

    def get(self, request: Request) -> Response:
        row, account = _account_values(request)
        return Response(configuration_json(account, row.values))

    def post(self, request: Request) -> Response:
        with transaction.atomic():
            row, account = _account_values(request, lock=True)
            values = dict(row.values)
            sid = param(request, "DefaultChatServiceSid")
            if sid is not None:
                chosen = services.service_for(account, sid)  # 404 for an unknown or foreign one
                ConversationService.objects.filter(account=account, is_default=True).exclude(
                    pk=chosen.pk
                ).update(is_default=False)
                ConversationService.objects.filter(pk=chosen.pk).update(is_default=True)
            messaging = param(request, "DefaultMessagingServiceSid")
            if messaging is not None:
                if not (messaging.startswith("MG") and len(messaging) == 34):
                    raise invalid_parameter("DefaultMessagingServiceSid", "a Messaging Service SID (MG…)")
                values["default_messaging_service_sid"] = messaging
            for name, key in (
                ("DefaultInactiveTimer", "default_inactive_timer"),
                ("DefaultClosedTimer", "default_closed_timer"),
            ):
                seconds = duration_param(request, name)
                if seconds is not None:
                    values[key] = seconds
            row.values = values
            row.save()
        return Response(configuration_json(account, values))


class ConfigurationWebhooks(ConversationsView):
    """``GET|POST /v1/Configuration/Webhooks``: the account's pre/post-event webhook settings."""

    @staticmethod
    def body(account: Any, stored: dict[str, Any]) -> dict[str, Any]:
        return {
            "account_sid": account.sid,
            **_webhook_view(stored),
            "target": stored.get("target", "webhook"),
            "url": f"{base()}/Configuration/Webhooks",
        }

    def get(self, request: Request) -> Response:
        row, account = _account_values(request)
        return Response(self.body(account, dict(row.values.get("webhooks") or {})))

    def post(self, request: Request) -> Response:
        with transaction.atomic():
            row, account = _account_values(request, lock=True)
            stored = _webhook_fields(request, dict(row.values.get("webhooks") or {}))
            target = param(request, "Target")
            if target is not None:
                if target not in ("webhook", "flex"):
                    raise invalid_parameter("Target", "webhook or flex")
                stored["target"] = target
            row.values = {**row.values, "webhooks": stored}
            row.save()
        return Response(self.body(account, stored))


# -- a service's configuration -----------------------------------------------------------------


def _service(request: Request, service_sid: str, *, lock: bool = False) -> ConversationService:
    service = services.service_for(account_of(request), service_sid)
    if lock:
        service = ConversationService.objects.select_for_update().select_related("account").get(pk=service.pk)
    return service


def _section(service: ConversationService, name: str) -> dict[str, Any]:
    return dict((service.settings or {}).get(name) or {})


def _save_section(service: ConversationService, name: str, value: dict[str, Any]) -> None:
    service.settings = {**(service.settings or {}), name: value}
    service.save(update_fields=["settings", "date_updated"])


def service_configuration_json(service: ConversationService) -> dict[str, Any]:
    url = f"{base()}/Services/{service.sid}/Configuration"
    return {
        "chat_service_sid": service.sid,
        **{field: defaults.role_sid(service, field) for field in defaults.DEFAULT_ROLE_FIELDS},
        "url": url,
        "links": {"notifications": f"{url}/Notifications", "webhooks": f"{url}/Webhooks"},
        "reachability_enabled": bool(_section(service, "configuration").get("reachability_enabled")),
    }


ROLE_PARAMS = {
    "DefaultConversationCreatorRoleSid": ("default_conversation_creator_role_sid", "conversation"),
    "DefaultConversationRoleSid": ("default_conversation_role_sid", "conversation"),
    "DefaultChatServiceRoleSid": ("default_chat_service_role_sid", "service"),
}


class ServiceConfiguration(ConversationsView):
    def get(self, request: Request, service_sid: str) -> Response:
        return Response(service_configuration_json(_service(request, service_sid)))

    def post(self, request: Request, service_sid: str) -> Response:
        with transaction.atomic():
            service = _service(request, service_sid, lock=True)
            configuration = _section(service, "configuration")
            for name, (field, kind) in ROLE_PARAMS.items():
                sid = param(request, name)
                if sid is None:
                    continue
                role = ConversationRole.objects.filter(service=service, sid=sid).first()
                if role is None:
                    raise invalid_parameter(name, f"no role {sid} in the service")
                if role.type != kind:
                    raise TwilioAPIError(400, 50057, f"Invalid parameter {name}: a {kind} role")
                configuration[field] = sid
            reachability = _bool(request, "ReachabilityEnabled")
            if reachability is not None:
                configuration["reachability_enabled"] = reachability
            _save_section(service, "configuration", configuration)
        return Response(service_configuration_json(service))


NOTIFICATIONS = {
    "new_message": ("NewMessage", ("enabled", "template", "sound", "badge_count_enabled")),
    "added_to_conversation": ("AddedToConversation", ("enabled", "template", "sound")),
    "removed_from_conversation": ("RemovedFromConversation", ("enabled", "template", "sound")),
}
FLAGS = {"enabled", "badge_count_enabled"}


def _notification_view(stored: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, (_, fields) in NOTIFICATIONS.items():
        section = dict(stored.get(key) or {})
        out[key] = {f: bool(section.get(f)) if f in FLAGS else section.get(f) for f in fields}
    media = dict((stored.get("new_message") or {}).get("with_media") or {})
    out["new_message"]["with_media"] = {
        "enabled": bool(media.get("enabled")),
        "template": media.get("template"),
    }
    return out


class ServiceNotifications(ConversationsView):
    @staticmethod
    def body(service: ConversationService) -> dict[str, Any]:
        stored = _section(service, "notifications")
        return {
            "account_sid": service.account.sid,
            "chat_service_sid": service.sid,
            **_notification_view(stored),
            "log_enabled": bool(stored.get("log_enabled")),
            "url": f"{base()}/Services/{service.sid}/Configuration/Notifications",
        }

    def get(self, request: Request, service_sid: str) -> Response:
        return Response(self.body(_service(request, service_sid)))

    def post(self, request: Request, service_sid: str) -> Response:
        with transaction.atomic():
            service = _service(request, service_sid, lock=True)
            stored = _section(service, "notifications")
            for key, (prefix, fields) in NOTIFICATIONS.items():
                section = dict(stored.get(key) or {})
                for field in fields:
                    name = f"{prefix}.{''.join(w.title() for w in field.split('_'))}"
                    value: Any = _bool(request, name) if field in FLAGS else param(request, name)
                    if isinstance(value, str) and len(value) > 1024:
                        raise invalid_parameter(name, "at most 1024 characters")
                    if value is not None:
                        section[field] = value
                if key == "new_message":
                    media = dict(section.get("with_media") or {})
                    enabled = _bool(request, "NewMessage.WithMedia.Enabled")
                    template = param(request, "NewMessage.WithMedia.Template")
                    if enabled is not None:
                        media["enabled"] = enabled
                    if template is not None:
                        media["template"] = template[:1024]
                    section["with_media"] = media
                stored[key] = section
            log = _bool(request, "LogEnabled")
            if log is not None:
                stored["log_enabled"] = log
            _save_section(service, "notifications", stored)
        return Response(self.body(service))


class ServiceWebhooks(ConversationsView):
    @staticmethod
    def body(service: ConversationService) -> dict[str, Any]:
        return {
            "account_sid": service.account.sid,
            "chat_service_sid": service.sid,
            **_webhook_view(_section(service, "webhooks")),
            "url": f"{base()}/Services/{service.sid}/Configuration/Webhooks",
        }

    def get(self, request: Request, service_sid: str) -> Response:
        return Response(self.body(_service(request, service_sid)))

    def post(self, request: Request, service_sid: str) -> Response:
        with transaction.atomic():
            service = _service(request, service_sid, lock=True)
            _save_section(service, "webhooks", _webhook_fields(request, _section(service, "webhooks")))
        return Response(self.body(service))


# -- push credentials --------------------------------------------------------------------------


def credential_json(c: PushCredential) -> dict[str, Any]:
    return {
        "sid": c.sid,
        "account_sid": c.account.sid,
        "friendly_name": c.friendly_name or None,
        "type": c.type,
        "sandbox": None if c.sandbox is None else str(c.sandbox).lower(),
        "date_created": iso(c.date_created),
        "date_updated": iso(c.date_updated),
        "url": f"{base()}/Credentials/{c.sid}",
    }


def _credential_fields(request: Request, credential: PushCredential) -> None:
    name = param(request, "FriendlyName")
    if name is not None:
        if len(name) > 64:
            raise invalid_parameter("FriendlyName", "at most 64 characters")
        credential.friendly_name = name
    sandbox = _bool(request, "Sandbox")
    if sandbox is not None:
        credential.sandbox = sandbox
    for secret in ("Certificate", "PrivateKey", "ApiKey", "Secret"):
        value = param(request, secret)  # accepted as Twilio's are, never kept (no push is sent)
        if value is not None and len(value) > 16 * 1024:
            raise invalid_parameter(secret, "at most 16 KiB")


def _credential(request: Request, sid: str) -> PushCredential:
    found = (
        PushCredential.objects.select_related("account").filter(account=account_of(request), sid=sid).first()
    )
    if found is None:
        raise not_found(f"The requested resource /Credentials/{sid} was not found")
    return found


class CredentialList(ConversationsView):
    def get(self, request: Request) -> Response:
        qs = PushCredential.objects.select_related("account").filter(account=account_of(request))
        return Response(paginate(request, qs, "credentials", credential_json, path="/v1/Credentials"))

    def post(self, request: Request) -> Response:
        kind = param(request, "Type")
        if kind is None:
            raise TwilioAPIError(400, 20001, "Missing required parameter Type in the post body")
        if kind not in PushCredential.Type.values:
            raise invalid_parameter("Type", "apn, gcm or fcm")
        credential = PushCredential(account=account_of(request), type=kind)
        _credential_fields(request, credential)
        credential.save()
        return Response(credential_json(credential), status=201)


class CredentialDetail(ConversationsView):
    def get(self, request: Request, sid: str) -> Response:
        return Response(credential_json(_credential(request, sid)))

    def post(self, request: Request, sid: str) -> Response:
        credential = _credential(request, sid)
        _credential_fields(request, credential)
        credential.save()
        return Response(credential_json(credential))

    def delete(self, request: Request, sid: str) -> Response:
        _credential(request, sid).delete()
        return Response(status=204)
