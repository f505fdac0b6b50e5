"""``studio.widgets.runtime.Services``: what widgets may ask of the engine while they run.

Backed by the database (messages accepted in the execution's transaction), the guarded HTTP
client, and the ports handed in from above (provider, call placement, Flex, Functions).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from executions.engine import network, subflow
from executions.engine.ports import Provider, ports
from executions.engine.state import ExecState
from executions.engine.writes import Writes
from executions.models import Execution, Message
from studio.widgets.runtime import ConversationError, HttpError, HttpResponse, NetworkDeferred


class DbServices:
    """``studio.widgets.runtime.Services`` backed by the database and the configured provider."""

    def __init__(
        self, execution: Execution, provider: Provider | None = None, writes: Writes | None = None
    ) -> None:
        self.execution = execution
        self.provider = provider or ports().provider_for(execution.account)
        self.writes = writes if writes is not None else Writes()
        self.pending: list[Message] = []
        self.widget = ""
        # The state being run: callback URLs carry its step count (the row's is saved later).
        self.state: ExecState | None = None
        # Answers to the network requests of the widget being run again after a network wait
        # (``engine.network``), in the order it makes them; ``asked`` counts this run's requests.
        self.answers: list[dict[str, Any]] = []
        self.asked = 0

    def checkpoint(self, name: str, answers: list[dict[str, Any]]) -> tuple[int, int]:
        """Before a widget runs (the runner): its name (the messages it sends carry it), its
        network answers so far, and where its messages start."""
        self.widget = name
        self.answers = list(answers)
        self.asked = 0
        return (len(self.writes.messages), len(self.pending))

    def rewind(self, mark: tuple[int, int]) -> None:
        """The widget was parked on the network: what it sent is sent on its next run instead."""
        del self.writes.messages[mark[0] :]
        del self.pending[mark[1] :]

    def _network(self, request: dict[str, Any]) -> HttpResponse | None:
        """The answer to this run's next request: replayed, made here (no transaction open), or
        parked for after commit (``NetworkDeferred``)."""
        index = self.asked
        self.asked += 1
        if index < len(self.answers):
            return network.replay(self.answers[index])
        if index >= network.MAX_ROUND_TRIPS:
            raise HttpError("network", f"more than {network.MAX_ROUND_TRIPS} requests in one widget run")
        if network.in_transaction():
            raise NetworkDeferred(request, list(self.answers))
        return network.replay(network.perform(self.execution.account, request))

    def conversation_sid(self) -> str:
        """The conversation this execution runs on (its channel address ``CH…``), or ""."""
        channel = self.execution.channel_address or ""
        return channel if channel.startswith("CH") else ""

    def send_message(self, to: str, from_: str, body: str, media_urls: list[str]) -> dict[str, Any]:
        conversation = self.conversation_sid()
        if conversation and conversation in (from_, to):
            # A conversation execution's reply goes into the conversation (its SMS participants
            # get it through the provider; chat participants live), as Studio posts it there.
            return self._post_to_conversation(conversation, body, media_urls)
        message = Message(
            account=self.execution.account,
            from_address=from_ or "",
            to_address=to or "",
            body=body or "",
            media_urls=list(media_urls or []),
            execution=self.execution,
            widget=self.widget,
            provider=self.provider.name,
        )
        if message.from_address.startswith("MG"):
            message.messaging_service_sid = message.from_address
        self.provider.accept(message)
        self.writes.messages.append(message)  # inserted when the run saves (after its execution)
        self.pending.append(message)
        return message.resource_fields()

    def _post_to_conversation(self, conversation: str, body: str, media_urls: list[str]) -> dict[str, Any]:
        host = ports().conversation_host()
        try:
            if host is None:
                raise ConversationError("Conversations are not configured on this server")
            return host.post(self.execution.account, conversation, body, list(media_urls or []))
        except ConversationError as exc:
            return {"Status": "failed", "ErrorCode": 50300, "ErrorMessage": str(exc), "To": conversation}

    def _conversation_host(self) -> Any:
        host = ports().conversation_host()
        if host is None:
            raise ConversationError("Conversations are not configured on this server")
        if self.conversation_sid():
            raise ConversationError("The execution already has a conversation channel")
        return host

    def _adopt(self, found: dict[str, Any]) -> dict[str, Any]:
        """Make the conversation this execution's channel: its row (inbound messages from the
        participant find it by the pair) and ``flow.channel`` / ``contact.channel``."""
        conversation = found["conversation"]
        sid, contact = str(conversation["sid"]), str(found.get("contact") or "")
        ex = self.execution
        ex.channel_address = sid
        if contact:
            ex.contact_channel_address = contact
        if ex.pk is not None:
            Execution.objects.filter(pk=ex.pk).update(
                channel_address=ex.channel_address, contact_channel_address=ex.contact_channel_address
            )
        if self.state is not None:
            context = self.state.context
            context.setdefault("flow", {})["channel"] = {
                "address": sid,
                "sid": sid,
                "type": "conversation",
                "status": conversation.get("state", "active"),
                "details": {
                    "chat_service_sid": conversation.get("chat_service_sid"),
                    "friendly_name": conversation.get("friendly_name"),
                    "participants": found.get("participants", []),
                    "webhook_sid": found.get("webhook_sid"),
                },
            }
            if contact:
                context.setdefault("contact", {})["channel"] = {"address": contact}
        return {"conversation": conversation, "webhook_sid": found.get("webhook_sid")}

    def start_conversation(self, properties: dict[str, Any]) -> dict[str, Any]:
        host = self._conversation_host()
        return self._adopt(host.start(self.execution.account, self.execution.flow.sid, properties))

    def resume_conversation(self, conversation_sid: str, service_sid: str) -> dict[str, Any]:
        host = self._conversation_host()
        found = host.resume(self.execution.account, self.execution.flow.sid, conversation_sid, service_sid)
        return self._adopt(found)

    def callback_url(self, widget: str, **params: str) -> str:
        ex = self.execution
        seq = self.state.step_count if self.state is not None else ex.step_count
        query = {"Widget": widget, "Seq": str(seq), **params}
        base = settings.PUBLIC_BASE_URL.rstrip("/")
        path = f"/v1/Accounts/{ex.account.sid}/Flows/{ex.flow.sid}/Executions/{ex.sid}/Callback"
        return f"{base}{path}?{urlencode(query)}"

    def place_call(self, widget: str, params: dict[str, Any]) -> dict[str, Any]:
        """Voice (make-outgoing-call-v2): place a call whose answer resumes ``widget``; it is
        created in the transaction and dialled after commit."""
        return ports().place_call(self.execution, widget, params, self.callback_url(widget))

    def http_request(
        self,
        method: str,
        url: str,
        *,
        params: list[tuple[str, str]] | None = None,
        form: list[tuple[str, str]] | None = None,
        content: str | None = None,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        signed: bool = False,
    ) -> HttpResponse:
        request: dict[str, Any] = {
            "op": "http",
            "method": method,
            "url": url,
            "params": params,
            "form": form,
            "content": content,
            "content_type": content_type,
            "headers": dict(headers or {}),
            "signed": signed,
        }
        if auth is not None:
            if tuple(auth) != self.credentials():
                raise HttpError("invalid_url", "only the account's own credentials may be added")
            request["account_auth"] = True  # the token is added when the request is made
        response = self._network(request)
        if response is None:
            raise HttpError("network", "no response")
        return response

    def credentials(self) -> tuple[str, str]:
        account = self.execution.account
        return (str(account.sid), str(account.auth_token or ""))

    def load_subflow(self, flow_sid: str, revision: str) -> dict[str, Any]:
        return subflow.load(self.execution, flow_sid, revision)

    def create_flex_task(
        self, workflow_sid: str, channel: str, attributes: dict[str, Any], priority: int, timeout: int
    ) -> str:
        gateway = ports().flex_gateway()
        conversation = self.conversation_sid()
        host = ports().conversation_host()
        if conversation:
            attributes = {**attributes, "conversationSid": conversation}
            if host is not None:
                attributes = _with_customer(
                    attributes,
                    host.customer(
                        self.execution.account, conversation, self.execution.contact_channel_address
                    ),
                )
        sid = gateway.create_task(
            self.execution.account, workflow_sid, channel, attributes, priority, timeout
        )
        if conversation and host is not None:
            host.hand_over(self.execution.account, conversation)  # the agent takes it from here
        return sid

    def invoke_function(
        self, function_sid: str, parameters: list[tuple[str, str]], environment_sid: str = ""
    ) -> HttpResponse | None:
        if ports().function_host() is None or not function_sid:
            return None
        request = {
            "op": "function",
            "function_sid": function_sid,
            "parameters": [list(pair) for pair in parameters],
            "environment_sid": environment_sid,
        }
        return self._network(request)


def _with_customer(attributes: dict[str, Any], customer: dict[str, str]) -> dict[str, Any]:
    """Twilio's Send to Flex adds the customer's ``channelType``, ``customerAddress``, ``from``,
    ``name`` and ``customerName`` to a conversation's task. Unverified: whether the flow's own
    values win — read here so (a key the attributes template filled is kept; one it left out or
    rendered empty, as ``{{trigger.message.From}}`` renders in a conversation, is filled)."""
    out = dict(attributes)
    for key, value in customer.items():
        if value and out.get(key) in (None, ""):
            out[key] = value
    if out.get("customerName") in (None, "") and out.get("name"):
        out["customerName"] = out["name"]  # no better name known: the one the task shows
    return out
