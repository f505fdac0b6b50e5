"""Address Configurations (``/v1/Configuration/Addresses``) and the inbound SMS they serve.

A number's SMS webhook points at ``POST /v1/Accounts/{AC}/Conversations/Inbound`` (signed with
the account's auth token, as Twilio signs every webhook). The text joins the open conversation of
its (From, To) pair; without one, an enabled Address Configuration for ``To`` opens a
conversation with the sender as an SMS participant and, per its ``auto_creation.type``, a
``studio`` webhook to its flow or a ``webhook`` to its URL; then the text is added as the
participant's message (which starts the flow). Without either, the text is dropped (answered
``<Response/>`` all the same, as Twilio answers a number with nothing configured).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import limits
from accounts.auth import request_account as account_of
from accounts.errors import (
    TwilioAPIError,
    invalid_parameter,
    not_found,
    too_many_requests,
    twilio_error_response,
)
from accounts.models import Account
from accounts.pagination import paginate
from conversations import services
from conversations.api import ConversationsView, param, params_list, required
from conversations.models import AddressConfiguration, Conversation, ConversationWebhook
from conversations.serializers import address_json
from executions.inbound.signature import signature_status
from studio.models import Flow

TYPES = ("sms", "whatsapp", "messenger", "gbm", "email", "rcs", "apple", "chat")
AUTO_TYPES = ("webhook", "studio", "default")
EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _bool(raw: str | None, name: str) -> bool | None:
    if raw is None:
        return None
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise invalid_parameter(name, "true or false")


def _apply(request: Request, config: AddressConfiguration) -> None:
    account = config.account
    name = param(request, "FriendlyName")
    if name is not None:
        if len(name) > 256:
            raise invalid_parameter("FriendlyName", "at most 256 characters")
        config.friendly_name = name
    enabled = _bool(param(request, "AutoCreation.Enabled"), "AutoCreation.Enabled")
    if enabled is not None:
        config.auto_creation_enabled = enabled
    kind = param(request, "AutoCreation.Type")
    if kind is not None:
        if kind not in AUTO_TYPES:
            raise invalid_parameter("AutoCreation.Type", "webhook, studio or default")
        config.auto_creation_type = kind
    service_sid = param(request, "AutoCreation.ConversationServiceSid")
    if service_sid is not None:
        config.conversation_service = services.service_for(account, service_sid)
    flow_sid = param(request, "AutoCreation.StudioFlowSid")
    if flow_sid is not None:
        if not re.fullmatch(r"FW[0-9a-f]{32}", flow_sid):
            raise invalid_parameter("AutoCreation.StudioFlowSid", "a Flow SID (FW…)")
        if not Flow.objects.filter(account=account, sid=flow_sid).exists():
            # Twilio asks for a flow "that exists under your account": another account's flow (or
            # none) would open conversations that no flow ever answers.
            raise invalid_parameter("AutoCreation.StudioFlowSid", f"no Flow {flow_sid} in this account")
        config.studio_flow_sid = flow_sid
    url = param(request, "AutoCreation.WebhookUrl")
    if url is not None:
        if not url.startswith(("https://", "http://")) or len(url) > 2048:
            raise invalid_parameter("AutoCreation.WebhookUrl", "an http(s) URL")
        config.webhook_url = url
    method = param(request, "AutoCreation.WebhookMethod")
    if method is not None:
        if method.upper() not in ("GET", "POST"):
            raise invalid_parameter("AutoCreation.WebhookMethod", "GET or POST")
        config.webhook_method = method.upper()
    filters = params_list(request, "AutoCreation.WebhookFilters")
    if filters:
        config.webhook_filters = filters
    retries = param(request, "AutoCreation.StudioRetryCount")
    if retries is not None:
        if not retries.isdigit() or int(retries) > 3:
            raise invalid_parameter("AutoCreation.StudioRetryCount", "0 to 3")
        config.studio_retry_count = int(retries)
    if config.auto_creation_type == "studio" and not config.studio_flow_sid:
        raise TwilioAPIError(400, 20001, "AutoCreation.StudioFlowSid is required for type studio")
    if config.auto_creation_type == "webhook" and not config.webhook_url:
        raise TwilioAPIError(400, 20001, "AutoCreation.WebhookUrl is required for type webhook")


def _config(request: Request, sid: str) -> AddressConfiguration:
    found = (
        AddressConfiguration.objects.select_related("account", "conversation_service")
        .filter(account=account_of(request))
        .filter(sid=sid)
        .first()
    )
    if found is None:
        raise not_found(f"The requested resource /Configuration/Addresses/{sid} was not found")
    return found


class AddressList(ConversationsView):
    def get(self, request: Request) -> Response:
        qs = AddressConfiguration.objects.select_related("account", "conversation_service").filter(
            account=account_of(request)
        )
        kind = request.query_params.get("Type")
        if kind:
            qs = qs.filter(type=kind)
        body = paginate(
            request, qs, "address_configurations", address_json, path="/v1/Configuration/Addresses"
        )
        return Response(body)

    def post(self, request: Request) -> Response:
        kind = required(request, "Type")
        if kind not in TYPES:
            raise invalid_parameter("Type", ", ".join(TYPES))
        address = required(request, "Address")
        if len(address) > 64:
            raise invalid_parameter("Address", "at most 64 characters")
        config = AddressConfiguration(account=account_of(request), type=kind, address=address)
        _apply(request, config)
        try:
            with transaction.atomic():
                config.save()
        except IntegrityError:
            raise TwilioAPIError(
                409, 50438, f"An address configuration for {address} already exists"
            ) from None
        return Response(address_json(config), status=201)


class AddressDetail(ConversationsView):
    def get(self, request: Request, sid: str) -> Response:
        return Response(address_json(_config(request, sid)))

    def post(self, request: Request, sid: str) -> Response:
        config = _config(request, sid)
        _apply(request, config)
        config.save()
        return Response(address_json(config))

    def delete(self, request: Request, sid: str) -> Response:
        _config(request, sid).delete()
        return Response(status=204)


# -- inbound SMS -----------------------------------------------------------------------------


def _xml(status: int = 200) -> HttpResponse:
    return HttpResponse(EMPTY, content_type="text/xml", status=status)


def receive_sms(account: Account, params: dict[str, Any]) -> Conversation | None:
    """File an inbound SMS into its conversation (opened through an Address Configuration when
    none is open for its pair); returns the conversation, or None when nothing takes it."""
    sender, number = str(params.get("From") or ""), str(params.get("To") or "")
    body = str(params.get("Body") or "")
    if not sender or not number:
        raise TwilioAPIError(400, 20001, "An inbound message needs From and To")
    raw_count = str(params.get("NumMedia") or "0")
    count = min(int(raw_count), 10) if raw_count.isdigit() and len(raw_count) < 4 else 0
    media = [
        {"sid": None, "content_type": params.get(f"MediaContentType{n}"), "url": str(params[f"MediaUrl{n}"])}
        for n in range(count)
        if params.get(f"MediaUrl{n}")
    ]
    body = body[: services.MAX_BODY]
    with transaction.atomic():
        conversation = services.open_conversation_for_pair(account, sender, number)
        if conversation is None:
            config = (
                AddressConfiguration.objects.select_related("conversation_service")
                .filter(account=account, type="sms", address=number, auto_creation_enabled=True)
                .first()
            )
            if config is None:
                return None
            conversation = services.create_conversation(
                account, service=config.conversation_service, friendly_name=f"SMS {sender}"
            )
            services.add_participant(conversation, address=sender, proxy_address=number)
            if config.auto_creation_type == "studio":
                ConversationWebhook.objects.create(
                    account=account,
                    conversation=conversation,
                    target="studio",
                    flow_sid=config.studio_flow_sid,
                )
            elif config.auto_creation_type == "webhook":
                ConversationWebhook.objects.create(
                    account=account,
                    conversation=conversation,
                    target="webhook",
                    url=config.webhook_url,
                    method=config.webhook_method,
                    filters=config.webhook_filters or ["onMessageAdded"],
                )
    if body or media:  # after the commit: a pre-action webhook is asked with no transaction open
        services.add_message(conversation, author=sender, body=body, media=media, source="SMS")
    return conversation


@csrf_exempt
@require_POST
def inbound_sms(request: HttpRequest, account_sid: str) -> HttpResponse:
    account = Account.objects.filter(sid=account_sid).first()
    if account is None or not account.is_active:
        return twilio_error_response(404, 20404, "The requested resource was not found")
    status = signature_status(request, account)
    if status == 401:
        return twilio_error_response(401, 20003, "Missing X-Twilio-Signature")
    if status:
        return twilio_error_response(403, 20403, "Invalid X-Twilio-Signature")
    wait = limits.webhook_wait(account_sid)  # as the flow webhook: signed requests only
    if wait is not None:
        return too_many_requests(limits.retry_after(wait))
    params = {key: request.POST.get(key) for key in request.POST}
    try:
        receive_sms(account, params)
    except TwilioAPIError as exc:
        return twilio_error_response(exc.status_code, exc.code, exc.message)
    return _xml()
