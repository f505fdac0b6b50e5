"""Conversations v1 routes (Twilio serves them on conversations.twilio.com).

``/v1/Services`` is shared with Serverless (serverless.twilio.com there, one host here): the
sub-resources do not collide (``…/Conversations`` vs ``…/Functions``, ``…/Environments`` …),
and for the service itself ``config/urls.py`` dispatches by SID prefix with
``service_routes``: ``IS…`` is a conversation service, anything else Serverless's ``ZS…``. A
``POST /v1/Services`` without ``UniqueName`` (which Serverless requires and Conversations does
not take) creates a conversation service; ``GET /v1/Services`` lists Serverless's unless the
client says it means Conversations (``conversations.product``: a ``/conversations`` path prefix
or a ``conversations.`` host), and then lists the conversation services. The account's default
conversation service is named by ``GET /v1/Configuration``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

from conversations import addresses, api, configuration, identities, lookups, media, scoped_webhooks
from conversations.product import product_of

Views = dict[str, type[api.ConversationsView]]


def _conversation_routes(prefix: str, name: str) -> list[URLPattern]:
    c = f"{prefix}Conversations"
    one = f"{c}/<str:conversation_sid>"
    return [
        path(c, api.ConversationList.as_view(), name=f"{name}-conversations"),
        path(f"{c}/<str:sid>", api.ConversationDetail.as_view(), name=f"{name}-conversation"),
        path(f"{one}/Participants", api.ParticipantList.as_view(), name=f"{name}-participants"),
        path(f"{one}/Participants/<str:sid>", api.ParticipantDetail.as_view(), name=f"{name}-participant"),
        path(f"{one}/Messages", api.MessageList.as_view(), name=f"{name}-messages"),
        path(f"{one}/Messages/<str:sid>", api.MessageDetail.as_view(), name=f"{name}-message"),
        path(
            f"{one}/Messages/<str:message_sid>/Receipts",
            lookups.ReceiptList.as_view(),
            name=f"{name}-receipts",
        ),
        path(
            f"{one}/Messages/<str:message_sid>/Receipts/<str:sid>",
            lookups.ReceiptDetail.as_view(),
            name=f"{name}-receipt",
        ),
        path(f"{one}/Webhooks", scoped_webhooks.WebhookList.as_view(), name=f"{name}-webhooks"),
        path(f"{one}/Webhooks/<str:sid>", scoped_webhooks.WebhookDetail.as_view(), name=f"{name}-webhook"),
    ]


def _identity_routes(prefix: str, name: str) -> list[URLPattern]:
    return [
        path(f"{prefix}Users", identities.UserList.as_view(), name=f"{name}-users"),
        path(f"{prefix}Users/<str:sid>", identities.UserDetail.as_view(), name=f"{name}-user"),
        path(f"{prefix}Roles", identities.RoleList.as_view(), name=f"{name}-roles"),
        path(f"{prefix}Roles/<str:sid>", identities.RoleDetail.as_view(), name=f"{name}-role"),
        path(
            f"{prefix}Users/<str:user_sid>/Conversations",
            lookups.UserConversationList.as_view(),
            name=f"{name}-user-conversations",
        ),
        path(
            f"{prefix}Users/<str:user_sid>/Conversations/<str:conversation_sid>",
            lookups.UserConversationDetail.as_view(),
            name=f"{name}-user-conversation",
        ),
        path(
            f"{prefix}ParticipantConversations",
            lookups.ParticipantConversationList.as_view(),
            name=f"{name}-participant-conversations",
        ),
        path(
            f"{prefix}ConversationWithParticipants",
            lookups.ConversationWithParticipantsCreate.as_view(),
            name=f"{name}-conversation-with-participants",
        ),
    ]


urlpatterns = [
    *_conversation_routes("v1/", "cv"),
    *_conversation_routes("v1/Services/<str:service_sid>/", "cv-svc"),
    *_identity_routes("v1/", "cv"),
    *_identity_routes("v1/Services/<str:service_sid>/", "cv-svc"),
    # The Media Content Service (mcs.us1.twilio.com at Twilio): uploads a message names by MediaSid.
    path("v1/Services/<str:service_sid>/Media", media.MediaCreate.as_view(), name="cv-media-create"),
    path("v1/Services/<str:service_sid>/Media/<str:sid>", media.MediaDetail.as_view(), name="cv-media"),
    path(
        "v1/Services/<str:service_sid>/Media/<str:sid>/Content",
        media.MediaContent.as_view(),
        name="cv-media-content",
    ),
    path(
        "v1/Services/<str:service_sid>/Media/<str:sid>/ContentDirectTemporary",
        media.media_temporary,
        name="cv-media-temporary",
    ),
    path("v1/Services/<str:service_sid>/Bindings", lookups.BindingList.as_view(), name="cv-bindings"),
    path(
        "v1/Services/<str:service_sid>/Configuration",
        configuration.ServiceConfiguration.as_view(),
        name="cv-service-configuration",
    ),
    path(
        "v1/Services/<str:service_sid>/Configuration/Notifications",
        configuration.ServiceNotifications.as_view(),
        name="cv-service-notifications",
    ),
    path(
        "v1/Services/<str:service_sid>/Configuration/Webhooks",
        configuration.ServiceWebhooks.as_view(),
        name="cv-service-webhooks",
    ),
    path("v1/Credentials", configuration.CredentialList.as_view(), name="cv-credentials"),
    path("v1/Credentials/<str:sid>", configuration.CredentialDetail.as_view(), name="cv-credential"),
    path("v1/Configuration", configuration.Configuration.as_view(), name="cv-configuration"),
    path(
        "v1/Configuration/Webhooks",
        configuration.ConfigurationWebhooks.as_view(),
        name="cv-configuration-webhooks",
    ),
    path("v1/Configuration/Addresses", addresses.AddressList.as_view(), name="cv-addresses"),
    path("v1/Configuration/Addresses/<str:sid>", addresses.AddressDetail.as_view(), name="cv-address"),
    path("v1/Accounts/<str:account_sid>/Conversations/Inbound", addresses.inbound_sms, name="cv-inbound-sms"),
]

View = Callable[..., HttpResponse]


def service_routes(other_list: View, other_detail: View) -> list[URLPattern]:
    """``/v1/Services`` and ``/v1/Services/{sid}`` shared with another API (Serverless)."""
    mine_detail = api.ServiceDetail.as_view()
    mine_list = api.ServiceList.as_view()

    @csrf_exempt
    def detail(request: HttpRequest, sid: str) -> Any:
        said = product_of(request)
        if said == "conversations" or (not said and sid.startswith("IS")):
            return mine_detail(request, sid=sid)
        return other_detail(request, sid=sid)

    @csrf_exempt
    def listing(request: HttpRequest) -> Any:
        said = product_of(request)
        if said == "conversations":
            return mine_list(request)
        if said == "serverless":
            return other_list(request)
        if request.method == "POST" and "UniqueName" not in request.POST and "FriendlyName" in request.POST:
            return mine_list(request)
        return other_list(request)

    return [
        path("v1/Services", listing, name="shared-services"),
        path("v1/Services/<str:sid>", detail, name="shared-service"),
    ]
