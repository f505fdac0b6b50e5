"""The canvas simulator's Conversation tab (console API, session + CSRF, editors and owners).

Starting it opens a conversation exactly as a web chat visitor's is opened (``webchat.visitors``):
the account's default service, a ``target=studio`` webhook to the flow being edited, and the
tester as a chat participant. The answer carries a visitor token for that one conversation, so the
tab talks over the visitor's own socket (``ws/webchat/{CH}``): its messages are added through
``conversations.services`` and reach the flow as ``incomingConversationMessage``, the flow's and
later an agent's replies come back live. There is no second engine path.

Like the SMS simulator, it runs the latest saved revision, draft or not: the tester's identity
(``simulator-<username>``, one per console user) is added to the flow's test users, and a
conversation message's contact is its author (``executions.inbound.requests.message_pair``).

The conversation's attributes name the flow it was opened for (``simulator_flow_sid``): the close
endpoint only closes conversations the simulator opened for that flow.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.auth import ApiPrincipal, CanEditOrReadOnly, ConsoleSessionAuthentication, request_account
from accounts.errors import TwilioAPIError, not_found
from conversations import services
from conversations.models import Conversation, ConversationWebhook
from studio.models import Flow
from webchat import visitors

TAG = ["Console"]
OBJ = OpenApiTypes.OBJECT
IDENTITY_PREFIX = "simulator-"
MARK = "simulator_flow_sid"


def identity_for(user: Any) -> str:
    """One identity per console user: the flow's test users do not grow with every conversation."""
    return (IDENTITY_PREFIX + str(user.get_username()))[: services.MAX_NAME]


def ensure_test_user(flow: Flow, identity: str) -> bool:
    """The identity runs the latest revision (drafts included); True when it was added."""
    with transaction.atomic():
        locked = Flow.objects.select_for_update().get(pk=flow.pk)
        users = list(locked.test_users or [])
        if identity in users:
            return False
        users.append(identity)
        locked.test_users = users
        locked.save(update_fields=["test_users", "date_updated"])
    flow.test_users = users
    return True


def _flow(request: Request, sid: str) -> Flow:
    flow = Flow.objects.filter(account=request_account(request), sid=sid).first()
    if flow is None:
        raise not_found(f"The requested resource /Flows/{sid} was not found")
    return flow


def _console_user(request: Request) -> Any:
    principal = request.user
    if not isinstance(principal, ApiPrincipal) or principal.membership is None:  # pragma: no cover
        raise TwilioAPIError(401, 20003, "Authenticate")  # the session authentication gives one
    return principal.membership.user


def _name(request: Request) -> str:
    data = request.data if isinstance(request.data, dict) else None
    if data is None:
        raise TwilioAPIError(400, 20001, "Invalid request body: a JSON object is expected")
    value = data.get("friendly_name")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TwilioAPIError(400, 20001, "Invalid parameter friendly_name: must be a string")
    value = value.strip()
    if len(value) > visitors.MAX_NAME:
        raise TwilioAPIError(400, 20001, f"friendly_name is longer than {visitors.MAX_NAME} characters")
    return value


def open_for(flow: Flow, identity: str, friendly_name: str) -> Conversation:
    """A web chat conversation wired to ``flow`` with ``identity`` as its visitor."""
    pre = {"friendlyName": friendly_name, "question": ""}
    attributes = {"pre_engagement_data": pre, "channel_type": "web", MARK: flow.sid}
    with transaction.atomic():
        conversation = services.create_conversation(
            flow.account,
            friendly_name=f"Simulator chat with {friendly_name or identity}"[: services.MAX_NAME],
            attributes=json.dumps(attributes),
        )
        services.add_participant(
            conversation,
            identity=identity,
            attributes=json.dumps({"friendlyName": friendly_name or identity, "role": "visitor"}),
        )
        ConversationWebhook.objects.create(
            account=flow.account,
            conversation=conversation,
            target=ConversationWebhook.Target.STUDIO,
            flow_sid=flow.sid,
            filters=["onMessageAdded"],
        )
    return conversation


class ConsoleSimView(APIView):
    authentication_classes = [ConsoleSessionAuthentication]
    permission_classes = [CanEditOrReadOnly]  # as the SMS simulator: viewers may not run flows


class SimulateWebChat(ConsoleSimView):
    """``POST /api/console/flows/{FW}/simulate/webchat`` ``{friendly_name?}``: open a conversation."""

    @extend_schema(
        operation_id="console_flow_simulate_webchat",
        tags=TAG,
        summary="Open a web chat conversation wired to the flow, with the tester as its visitor",
        request=OBJ,
        responses={201: OBJ},
    )
    def post(self, request: Request, sid: str) -> Response:
        flow = _flow(request, sid)
        friendly_name = _name(request)
        identity = identity_for(_console_user(request))
        added = ensure_test_user(flow, identity)
        conversation = open_for(flow, identity, friendly_name)
        visitor = visitors.Visitor(flow.account.sid, conversation.sid, identity)
        latest = flow.latest_revision()
        return Response(
            {
                "conversation_sid": conversation.sid,
                "identity": identity,
                "token": visitors.token_for(visitor),
                "socket_path": f"/ws/webchat/{conversation.sid}",
                "state": conversation.state,
                "revision": latest.revision if latest else None,
                "test_user_added": added,
            },
            status=201,
        )


class SimulateWebChatClose(ConsoleSimView):
    """``POST /api/console/flows/{FW}/simulate/webchat/{CH}/close``: end the simulated chat."""

    @extend_schema(operation_id="console_flow_simulate_webchat_close", tags=TAG, request=OBJ, responses=OBJ)
    def post(self, request: Request, sid: str, conversation_sid: str) -> Response:
        flow = _flow(request, sid)
        with transaction.atomic():
            conversation = services.get_conversation(flow.account, conversation_sid, lock=True)
            try:
                mark = json.loads(conversation.attributes or "{}").get(MARK)
            except (ValueError, AttributeError):
                mark = None
            if mark != flow.sid:  # a real visitor's chat, or another flow's: not the simulator's to close
                raise not_found(f"The requested resource /Conversations/{conversation_sid} was not found")
            services.close_conversation(conversation)
        return Response({"conversation_sid": conversation.sid, "state": conversation.state})
