"""The TwiML schema: every voice and messaging element as data.

``VOICE`` and ``MESSAGING`` are :class:`Schema` objects; look elements up with
``VOICE.elements["Gather"]`` or, for a nested element, ``VOICE.child(parent_spec, "Say")``.
"""

from __future__ import annotations

from . import media, messaging, nouns, ssml, voice
from .types import Attr, Element, Schema

VOICE = Schema(
    "voice",
    (*voice.ELEMENTS, *nouns.ELEMENTS, *media.ELEMENTS, *ssml.ELEMENTS),
    # Accepted by the official builders at the top level, documented only inside Dial/Pay.
    suspect_top_level=("Queue", "Prompt"),
)
MESSAGING = Schema("messaging", messaging.ELEMENTS)

SCHEMAS = {"voice": VOICE, "messaging": MESSAGING}

__all__ = ["Attr", "Element", "Schema", "VOICE", "MESSAGING", "SCHEMAS"]
