"""TwiML: schema, builder, validator and call interpreter. Pure library, no Django; imports nothing
of the project (import contracts in pyproject.toml).

from twiml import VoiceDoc, MessagingDoc, validate, play_call, CallScript, messages_from
"""

from __future__ import annotations

from .builder import MessagingDoc, Node, TwiMLBuildError, VoiceDoc
from .interpreter import CallScript, Transcript, dial_in, messages_from, play_call
from .schema import MESSAGING, VOICE
from .validator import Problem, is_valid, validate

__all__ = [
    "VOICE",
    "MESSAGING",
    "VoiceDoc",
    "MessagingDoc",
    "Node",
    "TwiMLBuildError",
    "Problem",
    "validate",
    "is_valid",
    "CallScript",
    "Transcript",
    "play_call",
    "dial_in",
    "messages_from",
]
