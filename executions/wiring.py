"""Hands the engine its ports (``executions.engine.ports``): the real provider, call placement,
after-commit hand-overs, the task queue, the live monitor, and the Flex and Functions plugs.

Called once from ``ExecutionsConfig.ready``; this module sits above the engine and may import
every part of the app.
"""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string

from executions import tasks
from executions.engine.ports import ConversationHost, FlexGateway, FunctionHost, Ports, Published, install
from executions.live.publish import publish_many
from executions.messaging.dispatch import dispatch_inline
from executions.messaging.providers import get_provider
from executions.voice import behind
from executions.voice.calls import place_for_execution
from studio.conf import studio_settings
from studio.widgets.runtime import FlexError


def queue_dispatch(sids: list[str]) -> None:
    for sid in sids:
        tasks.dispatch_message.delay(sid)


def publish_steps(published: Published) -> None:
    publish_many(published)


class NoFlexGateway:
    """The default: no Flex/TaskRouter configured, every task is refused."""

    def create_task(
        self,
        account: Any,
        workflow_sid: str,
        channel: str,
        attributes: dict[str, Any],
        priority: int,
        timeout: int,
    ) -> str:
        raise FlexError("Flex is not configured on this server (no TaskRouter workspace)")

    def hold_call(self, account: Any, request: dict[str, Any]) -> dict[str, Any]:
        return {"result": "error", "reason": "Flex is not configured on this server"}


def get_gateway() -> FlexGateway:
    """``settings.STUDIO["FLEX_GATEWAY"]``: a factory of the Flex app's gateway; without one, every
    task is refused and Send to Flex takes ``failedToEnqueue`` (warning 81015)."""
    path = studio_settings.FLEX_GATEWAY
    if not path:
        return NoFlexGateway()
    factory = import_string(str(path))
    gateway: FlexGateway = factory()
    return gateway


def function_host() -> FunctionHost | None:
    """``settings.STUDIO["FUNCTION_HOST"]``: a factory of the Functions app's host, if any."""
    path = studio_settings.FUNCTION_HOST
    if not path:
        return None
    host: FunctionHost = import_string(str(path))()
    return host


def conversation_host() -> ConversationHost | None:
    """``settings.STUDIO["CONVERSATION_HOST"]``: a factory of the Conversations app's host, if any."""
    path = studio_settings.CONVERSATION_HOST
    if not path:
        return None
    host: ConversationHost = import_string(str(path))()
    return host


def install_ports() -> None:
    install(
        Ports(
            provider_for=lambda account: get_provider(account=account),
            place_call=place_for_execution,
            dispatch_inline=dispatch_inline,
            queue_dispatch=queue_dispatch,
            publish_steps=publish_steps,
            flex_gateway=get_gateway,
            function_host=function_host,
            conversation_host=conversation_host,
            cool=behind.cool,
        )
    )
