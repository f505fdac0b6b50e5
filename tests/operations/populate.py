"""An account with a row in every table that belongs to an account (deletion and backup tests)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from accounts.models import ApiKey, IncomingPhoneNumber, Membership, hash_secret
from accounts.sids import new_sid
from conversations import services as conversations
from conversations.models import (
    AddressConfiguration,
    ConversationMedia,
    ConversationRole,
    ConversationsConfiguration,
    ConversationUser,
    ConversationWebhook,
    PushCredential,
)
from executions.models import Call
from scenarios.models import FlowTest
from serverless import services
from serverless.models import Asset, Build, Function, Log
from studio.models import Flow
from tests.executions.factories import make_flow, survey
from tests.executions.support import send_sms
from tests.flex.helpers import task, worker, workspace
from webchat.models import WebChatKey

NUMBER = "+15551230000"
HELLO = b"exports.handler = (context, event, callback) => callback(null, 'hello');\n"


def populate(account: Any) -> dict[str, Any]:
    """Rows of ``account`` in every app: keys, members and numbers; flows, revisions, executions,
    steps, timers, inbound events, messages, calls, saved tests; Functions; a web chat
    conversation; a Flex workspace with a routed task."""
    ApiKey.objects.create(
        account=account, sid=new_sid("SK"), friendly_name="ci", secret_hash=hash_secret("x")
    )
    user = get_user_model().objects.create_user(f"member-{secrets.token_hex(4)}", password="pw")
    Membership.objects.create(user=user, account=account)

    flow = make_flow(account, survey(), name="Survey")
    client = Client()
    send_sms(client, flow, "+15550000001", NUMBER, "hi")  # waiting: a timer
    send_sms(client, flow, "+15550000002", NUMBER, "hi")
    send_sms(client, flow, "+15550000002", NUMBER, "Ada")  # ended
    Call.objects.create(account=account, from_address=NUMBER, to_address="+15550000003")

    service = services.create_service(account, f"tools-{secrets.token_hex(3)}", "Tools")
    env = services.create_environment(service, "production", None)
    function = Function.objects.create(account=account, service=service, friendly_name="hello")
    fv = services.create_function_version(
        function, "/hello", "public", HELLO, "hello.js", "application/javascript"
    )
    asset = Asset.objects.create(account=account, service=service, friendly_name="logo")
    av = services.create_asset_version(asset, "/logo.txt", "public", b"LOGO", "logo.txt", "text/plain")
    build = Build.objects.create(account=account, service=service, status=Build.Status.COMPLETED)
    build.function_versions.set([fv])
    build.asset_versions.set([av])
    services.deploy(env, build)
    services.set_variable(env, "GREETING", "hello")
    Log.objects.create(account=account, service=service, environment=env, message="hello ran")

    IncomingPhoneNumber.objects.create(
        account=account, phone_number=NUMBER, sms_url="https://example.com/sms"
    )
    FlowTest.objects.create(account=account, flow=flow, name="greets", spec={"turns": []})
    WebChatKey.for_account(account)
    with transaction.atomic():  # a web chat: a conversation with a visitor, a message, its flow
        chat = conversations.create_conversation(account, friendly_name="Web chat")
        conversations.add_participant(chat, identity="visitor-1")
        ConversationWebhook.objects.create(
            account=account, conversation=chat, target="studio", flow_sid=flow.sid
        )
        conversations.add_message(chat, author="system", body="hello")
        AddressConfiguration.objects.create(account=account, address=NUMBER, studio_flow_sid=flow.sid)
        role = ConversationRole.objects.create(
            account=account, service=chat.service, friendly_name="helper", type="service", permissions=[]
        )
        # The participant made visitor-1's user (as Twilio does); it takes the "helper" role.
        ConversationUser.objects.filter(service=chat.service, identity="visitor-1").update(role=role)
        ConversationMedia.objects.create(
            account=account, service=chat.service, content_type="image/png", size=3, content=b"\x89PN"
        )
        ConversationsConfiguration.objects.create(account=account, values={"default_closed_timer": 600})
        PushCredential.objects.create(account=account, type="apn", friendly_name="ios", sandbox=True)

    ws = workspace(account)
    worker(ws, "Ann")
    task(ws, customer="Zoe")  # reserved for Ann: a reservation, timers and events
    return {"flow": Flow.objects.get(pk=flow.pk), "service": service, "environment": env, "workspace": ws}
