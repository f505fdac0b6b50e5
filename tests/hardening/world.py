"""One account's world: a resource of every kind the APIs name by SID, and a console user.

The fuzz suite and the isolation matrix fill path parameters from it: the fuzzer reaches past the
404 of an unknown SID into the views' real work, and the matrix asks for account A's resources
with account B's credentials. ``sid_for`` maps a route's parameter to the resource it names, so
a new route whose parameters follow the API's naming is filled without editing this file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tests.support import basic_auth

CSRF_TOKEN = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"


@dataclass
class World:
    account: Any
    user: Any
    session_cookie: str
    sids: dict[str, str] = field(default_factory=dict)

    @property
    def basic(self) -> str:
        return basic_auth(self.account.sid, self.account.auth_token)

    def cookies(self) -> dict[str, str]:
        return {"sessionid": self.session_cookie, "csrftoken": CSRF_TOKEN}


# The collection a parameter's preceding path segment names → the world's key.
KINDS = {
    "Accounts": "account",
    "Flows": "flow",
    "flows": "flow",
    "Executions": "execution",
    "executions": "execution",
    "Steps": "step",
    "Revisions": "revision",
    "revisions": "revision",
    "Messages": "message",
    "Calls": "call",
    "Keys": "key",
    "Workspaces": "workspace",
    "Activities": "activity",
    "TaskChannels": "task_channel",
    "TaskQueues": "queue",
    "Workflows": "workflow",
    "Workers": "worker",
    "agent": "worker",
    "Channels": "worker_channel",
    "Reservations": "reservation",
    "reservations": "reservation",
    "Tasks": "task",
    "Events": "event",
    "Services": "service",
    "Environments": "environment",
    "Functions": "function",
    "Assets": "asset",
    "Builds": "build",
    "Deployments": "deployment",
    "Variables": "variable",
    "Logs": "log",
    "monitor": "flow",
    "IncomingPhoneNumbers": "phone_number",
    "members": "member",
    "keys": "key",
    "calls": "call",
    "Conversations": "conversation",
    "Participants": "participant",
    "Addresses": "address_configuration",
    "Users": "conversation_user",
    "Roles": "conversation_role",
    "Media": "conversation_media",
    "Receipts": "conversation_receipt",
    "Credentials": "push_credential",
    "webchat": "conversation",
    "tests": "flow_test",
}

# What build_world makes (the keys of World.sids).
BUILT_KINDS = (
    "account flow execution step revision message call key workspace activity task_channel queue "
    "workflow worker worker_channel reservation task event service environment function "
    "function_version asset asset_version build deployment variable log phone_number member "
    "conversation participant conversation_message conversation_webhook conversation_service "
    "address_configuration conversation_user conversation_role conversation_media conversation_receipt push_credential "
    "flow_test"
).split()

PARAM = re.compile(r"\{(\w+)\}|<(?:\w+:)?(\w+)>")
# What follows /v1/Services/{sid} when the service is a conversation service (IS…).
CONVERSATION_SERVICE_CHILDREN = (
    "Conversations",
    "Users",
    "Roles",
    "Media",
    "ParticipantConversations",
    "ConversationWithParticipants",
    "Bindings",
    "Configuration",
)


def sid_for(route: str, param: str, sids: dict[str, str]) -> str | None:
    """The world's SID for ``param`` in ``route`` (``{name}`` or ``<conv:name>`` placeholders)."""
    segments = route.strip("/").split("/")
    for index, segment in enumerate(segments):
        found = PARAM.search(segment)
        if not found or (found.group(1) or found.group(2)) != param:
            continue
        before = [s for s in segments[:index] if not PARAM.search(s)]
        kind = KINDS.get(before[-1]) if before else None
        if before and before[-1] == "Versions":
            kind = "function_version" if "Functions" in before else "asset_version"
        if before and before[-1] == "ws" and index + 1 < len(segments):
            kind = KINDS.get(segments[index + 1]) or "execution"
        if before and before[-1] == "functions" and "ws" in before:
            kind = "environment"
        if before and "Conversations" in before and before[-1] in ("Messages", "Webhooks"):
            kind = "conversation_" + before[-1].lower().removesuffix("s")
        following = segments[index + 1] if index + 1 < len(segments) else ""
        if before and before[-1] == "Services" and following in CONVERSATION_SERVICE_CHILDREN:
            kind = "conversation_service"
        if kind is None:
            kind = param.removesuffix("_sid")
        return sids.get(kind)
    return None


def build_world(account: Any, username: str, role: str = "owner") -> World:
    """Every kind of resource for ``account``, and a console user with ``role`` in it."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts.models import ApiKey, Membership

    user = get_user_model().objects.create_user(username=username)  # no password: no hashing cost
    membership = Membership.objects.create(user=user, account=account, role=role)
    client = Client()
    client.force_login(user)
    sids: dict[str, str] = {"account": account.sid, "revision": "1"}
    sids.update(_studio(account))
    sids["key"] = ApiKey.create(account, "fuzz key")[0].sid
    sids.update(_flex(account, username))
    sids.update(_serverless(account))
    sids.update(_conversations(account, sids["flow"]))
    sids["member"] = str(membership.pk)
    return World(account=account, user=user, session_cookie=client.cookies["sessionid"].value, sids=sids)


def _studio(account: Any) -> dict[str, str]:
    from executions.models import Call, Execution, Message, Step
    from tests.studio.flowdefs import make_flow

    flow = make_flow(account, "Support <b>")
    revision = flow.revisions.get(revision=1)
    execution = Execution.objects.create(
        account=account,
        flow=flow,
        revision=revision,
        flow_version=1,
        contact_channel_address="+15550100",
        channel_address="+15550199",
        context={"flow": {"data": {}}, "trigger": {"request": {"parameters": {}}}},
        current_widget="send_reply",
    )
    step = Step.objects.create(
        execution=execution,
        name="incomingRequest",
        transitioned_from="Trigger",
        transitioned_to="send_reply",
        type="trigger",
        context={"flow": {"data": {}}},
    )
    message = Message.objects.create(
        account=account, from_address="+15550199", to_address="+15550100", body="hello", execution=execution
    )
    call = Call.objects.create(account=account, from_address="+15550199", to_address="+15550100")
    return {
        "flow": flow.sid,
        "execution": execution.sid,
        "step": step.sid,
        "message": message.sid,
        "call": call.sid,
    }


def _flex(account: Any, username: str) -> dict[str, str]:
    from flex.models import Event, Reservation, WorkerChannel
    from tests.flex.helpers import activity, queue, task, worker, workspace

    ws = workspace(account)
    agent = worker(ws, f"agent {username}", contact_uri=f"client:{username}")
    row = task(ws, type="fuzz")
    reservation = Reservation.objects.filter(task=row).first() or Reservation.objects.create(
        workspace=ws, task=row, worker=agent
    )
    event = Event.objects.create(
        workspace=ws, event_type="task.created", resource_type="task", resource_sid=row.sid
    )
    return {
        "workspace": ws.sid,
        "activity": activity(ws, "Available").sid,
        "task_channel": ws.task_channels.get(unique_name="default").sid,
        "queue": queue(ws, "Fuzz").sid,
        "workflow": ws.workflows.get(friendly_name="Assign to Anyone").sid,
        "worker": agent.sid,
        "worker_channel": WorkerChannel.objects.filter(worker=agent).first().sid,  # type: ignore[union-attr]
        "task": row.sid,
        "reservation": reservation.sid,
        "event": event.sid,
    }


def _serverless(account: Any) -> dict[str, str]:
    from serverless import services
    from serverless.models import Asset, Build, Deployment, Function, Log, Variable

    service = services.create_service(account, f"fuzz-{account.pk}", "Fuzz")
    env = services.create_environment(service, "dev", "dev")
    function = Function.objects.create(account=account, service=service, friendly_name="hello")
    fversion = services.create_function_version(
        function, "/hello", "public", b"exports.handler = (c, e, cb) => cb(null, 'hi');", "hello.js", ""
    )
    asset = Asset.objects.create(account=account, service=service, friendly_name="logo")
    aversion = services.create_asset_version(asset, "/logo.txt", "public", b"logo", "logo.txt", "text/plain")
    build = Build.objects.create(account=account, service=service, status=Build.Status.COMPLETED)
    build.function_versions.add(fversion)
    build.asset_versions.add(aversion)
    deployment = Deployment.objects.create(account=account, service=service, environment=env, build=build)
    variable = Variable.objects.create(account=account, service=service, environment=env, key="K", value="v")
    log = Log.objects.create(account=account, service=service, environment=env, message="log line")
    return {
        "service": service.sid,
        "environment": env.sid,
        "function": function.sid,
        "function_version": fversion.sid,
        "asset": asset.sid,
        "asset_version": aversion.sid,
        "build": build.sid,
        "deployment": deployment.sid,
        "variable": variable.sid,
        "log": log.sid,
    }


def _conversations(account: Any, flow_sid: str) -> dict[str, str]:
    """A phone number, a saved flow test, and a conversation with a participant, a message, a
    webhook, in the default service; an address configuration to the flow."""
    from django.db import transaction

    from accounts.models import IncomingPhoneNumber
    from conversations import services
    from conversations.models import (
        AddressConfiguration,
        ConversationMedia,
        ConversationRole,
        ConversationUser,
        ConversationWebhook,
        PushCredential,
    )
    from scenarios.models import FlowTest
    from studio.models import Flow

    flow = Flow.objects.get(sid=flow_sid)
    number = IncomingPhoneNumber.objects.create(account=account, phone_number="+15550100")
    # Replayed by the fuzzer inside its savepoint: the replay leaves the connection open
    # (scenarios.driver.ReplayHandler; tests/scenarios/test_saved_replay_in_transaction.py).
    FlowTest.objects.create(account=account, flow=flow, name="greets", spec={"turns": []})
    with transaction.atomic():
        conversation = services.create_conversation(account, friendly_name="Chat <b>")
        participant = services.add_participant(conversation, identity="visitor-1")
        # An SMS participant: the message goes out as an SMS too, and has a delivery receipt.
        services.add_participant(conversation, address="+15550199", proxy_address="+15550100")
        message = services.add_message(conversation, author="system", body="hello")
    hook = ConversationWebhook.objects.create(
        account=account, conversation=conversation, target="webhook", url="https://example.com/hook"
    )
    address = AddressConfiguration.objects.create(
        account=account, address="+15550111", studio_flow_sid=flow_sid
    )
    role = ConversationRole.objects.create(
        account=account,
        service=conversation.service,
        friendly_name="helper",
        type="service",
        permissions=["addMember"],
    )
    user = ConversationUser.objects.get(service=conversation.service, identity="visitor-1")  # made with
    user.role = role  # the participant, as Twilio makes a chat participant's user
    user.save()
    media = ConversationMedia.objects.create(
        account=account, service=conversation.service, content_type="image/png", size=3, content=b"png"
    )
    credential = PushCredential.objects.create(account=account, type="fcm", friendly_name="push")
    return {
        "push_credential": credential.sid,
        "phone_number": number.sid,
        "flow_test": "greets",
        "conversation_media": media.sid,
        "conversation_user": user.sid,
        "conversation_role": role.sid,
        "conversation": conversation.sid,
        "participant": participant.sid,
        "conversation_message": message.sid,
        "conversation_receipt": "DY" + message.delivery["message_sids"][0][2:],
        "conversation_webhook": hook.sid,
        "conversation_service": conversation.service.sid,
        "address_configuration": address.sid,
    }
