"""Simulated calls and messaging replies.

transcript = play_call(twiml_text, CallScript(inputs=["1#"]), url="https://app/voice", fetcher=fetch)
transcript.events      # [{"type": "say", "text": ..., "voice": ..., "language": ...}, ...]
transcript.requests    # [{"method": "POST", "url": ..., "params": {"Digits": "1", ...}, "status": 200}]

messages_from(messaging_twiml, inbound={"From": "+1555...", "To": "+1555..."})
"""

from __future__ import annotations

from .call import CallPlayer
from .flow import Transcript, _End, full_url
from .messaging import messages_from
from .script import CallerInput, CallScript, Fetcher


def play_call(
    twiml: str | bytes,
    script: CallScript | None = None,
    *,
    url: str | None = None,
    fetcher: Fetcher | None = None,
    max_documents: int = 50,
) -> Transcript:
    """Play ``twiml`` (the document at ``url``) for a scripted caller and return the transcript."""
    player = CallPlayer(script, fetcher, max_documents)

    try:
        root = player.load(twiml)
    except _End as end:
        player.transcript.ended = end.reason
        return player.transcript
    return player.run(root, url)


def dial_in(
    url: str,
    script: CallScript | None = None,
    *,
    fetcher: Fetcher,
    method: str = "POST",
    max_documents: int = 50,
) -> Transcript:
    """Start a call the way Twilio does: request the voice URL (CallStatus=ringing), then play it."""
    player = CallPlayer(script, fetcher, max_documents)

    player.status = "ringing"
    try:
        root = player.fetch_document(method, url, player.params())
    except _End as end:
        player.transcript.ended = end.reason
        return player.transcript
    player.status = "in-progress"
    return player.run(root, url)


__all__ = [
    "CallPlayer",
    "CallScript",
    "CallerInput",
    "Fetcher",
    "Transcript",
    "dial_in",
    "full_url",
    "messages_from",
    "play_call",
]
