"""Conversation-scoped webhooks (``/v1/Conversations/{CH}/Webhooks``, and under a service):
``target=webhook`` (posted by ``conversations.effects``) and ``target=studio`` (a flow's
trigger). The service-level and account-level event webhooks are ``conversations.events``."""

from __future__ import annotations

import re

from rest_framework.request import Request
from rest_framework.response import Response

from accounts.errors import TwilioAPIError, invalid_parameter, not_found
from conversations.api import ConversationsView, page, param, params_list, required
from conversations.models import Conversation, ConversationWebhook
from conversations.serializers import webhook_json
from studio.models import Flow

# -- conversation-scoped webhooks ------------------------------------------------------------------------------

FILTERS = {"onMessageAdded", "onMessageUpdated", "onMessageRemoved", "onParticipantAdded", "onParticipantRemoved",
           "onConversationUpdated", "onConversationRemoved", "onDeliveryUpdated"}  # fmt: skip
MAX_STUDIO_WEBHOOKS = 1  # Twilio allows one Studio webhook per conversation
MAX_WEBHOOKS = 5


def webhook_from(request: Request, conversation: Conversation) -> ConversationWebhook:
    target = required(request, "Target")
    if target not in ConversationWebhook.Target.values:
        raise invalid_parameter("Target", "webhook, trigger or studio")
    filters = params_list(request, "Configuration.Filters")
    unknown = sorted(set(filters) - FILTERS)
    if unknown:
        raise invalid_parameter("Configuration.Filters", f"unknown {', '.join(unknown)}")
    hook = ConversationWebhook(
        account=conversation.account, conversation=conversation, target=target, filters=filters
    )
    if target == ConversationWebhook.Target.STUDIO:
        flow_sid = required(request, "Configuration.FlowSid")
        if not re.fullmatch(r"FW[0-9a-f]{32}", flow_sid):
            raise invalid_parameter("Configuration.FlowSid", "a Flow SID (FW…)")
        if not Flow.objects.filter(account=conversation.account, sid=flow_sid).exists():
            raise invalid_parameter("Configuration.FlowSid", f"no Flow {flow_sid} in this account")
        hook.flow_sid = flow_sid
        replay = param(request, "Configuration.ReplayAfter")
        hook.replay_after = int(replay) if replay and replay.isdigit() and len(replay) < 9 else None
    else:
        url = required(request, "Configuration.Url")
        if not url.startswith(("https://", "http://")) or len(url) > 2048:
            raise invalid_parameter("Configuration.Url", "an http(s) URL")
        hook.url = url
        method = (param(request, "Configuration.Method") or "POST").upper()
        if method not in ("GET", "POST"):
            raise invalid_parameter("Configuration.Method", "GET or POST")
        hook.method = method
        hook.triggers = params_list(request, "Configuration.Triggers")
    return hook


class WebhookList(ConversationsView):
    def get(self, request: Request, conversation_sid: str, service_sid: str | None = None) -> Response:
        conversation = self.conversation(request, conversation_sid, service_sid)
        qs = ConversationWebhook.objects.select_related(
            "conversation__account", "conversation__service"
        ).filter(conversation=conversation)
        scoped = service_sid is not None
        path = self.prefix(conversation, scoped) + "/Webhooks"
        return page(request, qs, "webhooks", lambda w: webhook_json(w, scoped), path)

    def post(self, request: Request, conversation_sid: str, service_sid: str | None = None) -> Response:
        conversation = self.conversation(request, conversation_sid, service_sid)
        hook = webhook_from(request, conversation)
        existing = ConversationWebhook.objects.filter(conversation=conversation)
        if existing.count() >= MAX_WEBHOOKS:
            raise TwilioAPIError(400, 50100, f"A conversation has at most {MAX_WEBHOOKS} webhooks")
        if hook.target == "studio" and existing.filter(target="studio").count() >= MAX_STUDIO_WEBHOOKS:
            raise TwilioAPIError(400, 50100, "The conversation already has a studio webhook")
        hook.save()
        return Response(webhook_json(hook, service_sid is not None), status=201)


class WebhookDetail(ConversationsView):
    def webhook(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None
    ) -> ConversationWebhook:
        conversation = self.conversation(request, conversation_sid, service_sid)
        hook = (
            ConversationWebhook.objects.select_related("conversation__account", "conversation__service")
            .filter(conversation=conversation, sid=sid)
            .first()
        )
        if hook is None:
            raise not_found(
                f"The requested resource /Conversations/{conversation.sid}/Webhooks/{sid} was not found"
            )
        return hook

    def get(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None = None
    ) -> Response:
        return Response(
            webhook_json(self.webhook(request, conversation_sid, sid, service_sid), service_sid is not None)
        )

    def post(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None = None
    ) -> Response:
        """Twilio's update: the configuration's Url, Method, Filters, Triggers or FlowSid (the
        target stays what it was)."""
        hook = self.webhook(request, conversation_sid, sid, service_sid)
        filters = params_list(request, "Configuration.Filters")
        if filters:
            unknown = sorted(set(filters) - FILTERS)
            if unknown:
                raise invalid_parameter("Configuration.Filters", f"unknown {', '.join(unknown)}")
            hook.filters = filters
        if hook.target == ConversationWebhook.Target.STUDIO:
            flow_sid = param(request, "Configuration.FlowSid")
            if flow_sid is not None:
                if not Flow.objects.filter(account=hook.account_id, sid=flow_sid).exists():
                    raise invalid_parameter("Configuration.FlowSid", f"no Flow {flow_sid} in this account")
                hook.flow_sid = flow_sid
        else:
            url = param(request, "Configuration.Url")
            if url is not None:
                if not url.startswith(("https://", "http://")) or len(url) > 2048:
                    raise invalid_parameter("Configuration.Url", "an http(s) URL")
                hook.url = url
            method = param(request, "Configuration.Method")
            if method is not None:
                if method.upper() not in ("GET", "POST"):
                    raise invalid_parameter("Configuration.Method", "GET or POST")
                hook.method = method.upper()
            triggers = params_list(request, "Configuration.Triggers")
            if triggers:
                hook.triggers = triggers
        hook.save()
        return Response(webhook_json(hook, service_sid is not None))

    def delete(
        self, request: Request, conversation_sid: str, sid: str, service_sid: str | None = None
    ) -> Response:
        self.webhook(request, conversation_sid, sid, service_sid).delete()
        return Response(status=204)
