"""The Studio widget library: one module per widget type, in a folder per family (flow_control,
voice, messaging, tools, products, conversations, legacy, as the canvas groups them), and a plain
registry. ``props`` (the property schema), ``widget`` (the base class) and ``runtime`` (the
contract with the engine) are shared by all.

>>> from studio import widgets
>>> widgets.get("send-message").events
['sent', 'failed']
"""

from __future__ import annotations

from typing import Any

from studio.widgets.conversations.resume_conversation import ResumeConversation
from studio.widgets.conversations.start_conversation import StartConversation
from studio.widgets.flow_control.set_variables import SetVariables
from studio.widgets.flow_control.split_based_on import SplitBasedOn
from studio.widgets.flow_control.trigger import Trigger
from studio.widgets.legacy.add_member_to_chat_channel import AddMemberToChatChannel
from studio.widgets.legacy.connect_virtual_agent import ConnectVirtualAgent
from studio.widgets.legacy.create_chat_channel import CreateChatChannel
from studio.widgets.legacy.create_task import CreateTask
from studio.widgets.legacy.make_outgoing_call_v1 import MakeOutgoingCallV1
from studio.widgets.legacy.run_function_v2 import RunFunctionV2
from studio.widgets.legacy.run_model_inference import RunModelInference
from studio.widgets.legacy.send_to_auto_pilot import SendToAutoPilot
from studio.widgets.legacy.understand import Understand
from studio.widgets.legacy.update_sync_object import UpdateSyncObject
from studio.widgets.messaging.send_and_wait_for_reply import SendAndWaitForReply
from studio.widgets.messaging.send_message import SendMessage
from studio.widgets.products.send_to_flex import SendToFlex
from studio.widgets.props import Prop
from studio.widgets.tools.add_twiml_redirect import AddTwimlRedirect
from studio.widgets.tools.make_http_request import MakeHttpRequest
from studio.widgets.tools.run_function import RunFunction
from studio.widgets.tools.run_subflow import RunSubflow
from studio.widgets.voice.capture_payments import CapturePayments
from studio.widgets.voice.connect_call_to import ConnectCallTo
from studio.widgets.voice.connect_virtual_agent_v2 import ConnectVirtualAgentV2
from studio.widgets.voice.enqueue_call import EnqueueCall
from studio.widgets.voice.fork_stream import ForkStream
from studio.widgets.voice.gather_input_on_call import GatherInputOnCall
from studio.widgets.voice.make_outgoing_call_v2 import MakeOutgoingCallV2
from studio.widgets.voice.record_call import RecordCall
from studio.widgets.voice.record_voicemail import RecordVoicemail
from studio.widgets.voice.run_conversation_relay import RunConversationRelay
from studio.widgets.voice.say_play import SayPlay
from studio.widgets.widget import Widget

# Editor order: family by family, the way the Studio widget library lists them.
FAMILIES: tuple[str, ...] = (
    "Flow Control",
    "Voice",
    "Messaging",
    "Tools & Execute Code",
    "Connect Other Products",
    "Conversations",
    "Legacy",
)

_CLASSES: tuple[type[Widget], ...] = (
    Trigger,
    SplitBasedOn,
    SetVariables,
    SayPlay,
    GatherInputOnCall,
    ConnectCallTo,
    MakeOutgoingCallV2,
    RecordVoicemail,
    RecordCall,
    EnqueueCall,
    CapturePayments,
    ForkStream,
    ConnectVirtualAgentV2,
    RunConversationRelay,
    SendMessage,
    SendAndWaitForReply,
    MakeHttpRequest,
    RunFunction,
    AddTwimlRedirect,
    RunSubflow,
    SendToFlex,
    StartConversation,
    ResumeConversation,
    MakeOutgoingCallV1,
    ConnectVirtualAgent,
    SendToAutoPilot,
    AddMemberToChatChannel,
    CreateChatChannel,
    CreateTask,
    Understand,
    UpdateSyncObject,
    RunFunctionV2,
    RunModelInference,
)

REGISTRY: dict[str, type[Widget]] = {cls.type: cls for cls in _CLASSES}


def get(type_str: str) -> type[Widget] | None:
    """The widget class for a Studio ``type`` string, or None for an unknown type."""
    return REGISTRY.get(type_str)


def types() -> list[str]:
    return list(REGISTRY)


def catalogue() -> list[dict[str, Any]]:
    """Every widget type described for the canvas editor (JSON-serialisable)."""
    order = {family: i for i, family in enumerate(FAMILIES)}
    ordered = sorted(_CLASSES, key=lambda cls: order.get(cls.family, len(order)))
    return [cls.describe() for cls in ordered]


__all__ = ["FAMILIES", "REGISTRY", "Prop", "Widget", "catalogue", "get", "types"]
