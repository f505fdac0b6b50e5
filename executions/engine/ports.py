"""What the engine needs from the layers above it, handed in from above at start-up.

The engine (runner, store, writes, services, subflow) never imports the entry points, the live
monitor, the APIs, messaging providers or voice call placement: those import the engine. Where
the engine must reach them (a provider accepts a message, a call is placed, after commit: hand
messages over, queue dispatches, publish live steps) it calls the ``Ports`` installed here by
``executions.apps.ExecutionsConfig.ready`` (``executions.wiring``). Tests may install others.

The ``FlexGateway``, ``FunctionHost`` and ``ConversationHost`` protocols are the plugs of the
Flex, Functions and Conversations apps: ``settings.STUDIO["FLEX_GATEWAY"]`` /
``["FUNCTION_HOST"]`` / ``["CONVERSATION_HOST"]`` name their factories.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from executions.models import Execution, Message


class Provider(Protocol):
    """A message provider: it *accepts* a message inside the engine's transaction (the Messaging
    API's answer: queued, or failed with an error code) and *dispatches* it after commit."""

    name: str
    # Optional ``dispatch_inline = True``: dispatch in the committing process right after commit
    # (no network, nothing slow) instead of through the ``dispatch_message`` task.

    def accept(self, message: Message) -> None:
        """Set ``status`` (queued | failed) and ``error_code`` on an unsaved message."""
        ...

    def dispatch(self, message: Message) -> None:
        """Hand the accepted message over (after commit); update its status."""
        ...


class FlexGateway(Protocol):
    def create_task(
        self,
        account: Any,
        workflow_sid: str,
        channel: str,
        attributes: dict[str, Any],
        priority: int,
        timeout: int,
    ) -> str:
        """Create a TaskRouter Task inside the caller's transaction (a quick local write; routing
        after commit); return its SID (``WT…``) or raise ``studio.widgets.runtime.FlexError``."""
        ...

    def hold_call(self, account: Any, request: dict[str, Any]) -> dict[str, Any]:
        """Hold a simulated caller that ``<Enqueue workflowSid>`` queued until the call leaves
        the queue (the ``CallScript.hold`` contract of ``twiml``): ``{"result", "queue_sid",
        "queue_time"}``; blocks, outside any transaction."""
        ...


class FunctionResult(Protocol):
    """What a Functions runtime answers (``serverless.runtime.InvokeResult`` has this shape)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


class FunctionHost(Protocol):
    def invoke(
        self,
        account: Any,
        function_sid: str,
        parameters: list[tuple[str, str]],
        headers: dict[str, str],
        environment_sid: str = "",
    ) -> FunctionResult | None:
        """Run a deployed function (in ``environment_sid`` when given, else where it was deployed
        last); ``None`` when it is not live here (there)."""
        ...

    def hold_music_url(self, account: Any) -> str | None:
        """The URL of the account's hold music asset, if a live environment serves one."""
        ...


class ConversationHost(Protocol):
    """The Conversations app's plug (``settings.STUDIO["CONVERSATION_HOST"]``): what a conversation
    execution asks of it, inside the engine's transaction. Failures raise
    ``studio.widgets.runtime.ConversationError``."""

    def post(self, account: Any, conversation_sid: str, body: str, media_urls: list[str]) -> dict[str, Any]:
        """Add the flow's message (author ``system``) to the conversation; returns Message-like
        resource fields (``Sid`` IM…, ``Status``, ``Body``, ``To`` = the conversation …)."""
        ...

    def start(self, account: Any, flow_sid: str, properties: dict[str, Any]) -> dict[str, Any]:
        """Start Conversation: create it with its participants and a studio webhook to the flow;
        returns ``{"conversation": {...}, "webhook_sid", "contact"}``."""
        ...

    def resume(self, account: Any, flow_sid: str, conversation_sid: str, service_sid: str) -> dict[str, Any]:
        """Resume Conversation: the existing conversation gets a studio webhook to the flow."""
        ...

    def customer(self, account: Any, conversation_sid: str, contact: str) -> dict[str, str]:
        """Send to Flex: the task attributes Twilio's widget adds for a conversation's customer
        (``channelType``, ``customerAddress``, ``from``, ``name``, ``customerName`` …)."""
        ...

    def hand_over(self, account: Any, conversation_sid: str) -> None:
        """Send to Flex: the flow's studio webhook leaves the conversation (as on Twilio)."""
        ...

    def close(self, account: Any, conversation_sid: str) -> None:
        """The execution ended and its Start/Resume Conversation said to close the conversation."""
        ...


Published = list[tuple[str, str, list[dict[str, Any]]]]  # (flow sid, execution sid, step payloads)


@dataclass
class Ports:
    provider_for: Callable[[Any], Provider]  # the account's provider (simulator or twilio)
    place_call: Callable[[Execution, str, dict[str, Any], str], dict[str, Any]]
    dispatch_inline: Callable[[Provider, list[Message]], None]  # after commit, in this process
    queue_dispatch: Callable[[list[str]], None]  # after commit, through the task queue
    publish_steps: Callable[[Published], None]  # after commit, to the live monitor
    flex_gateway: Callable[[], FlexGateway]
    function_host: Callable[[], FunctionHost | None]
    conversation_host: Callable[[], ConversationHost | None] = field(default=lambda: None)
    # Before an execution is locked: its row made current where a call kept it elsewhere
    # (executions.voice.hot); by the execution's id.
    cool: Callable[[int], None] = field(default=lambda pk: None)


_installed: Ports | None = None


def install(ports: Ports) -> None:
    global _installed
    _installed = ports


def ports() -> Ports:
    if _installed is None:
        raise RuntimeError("the engine's ports are not installed (is the executions app loaded?)")
    return _installed
