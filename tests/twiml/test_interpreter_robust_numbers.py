"""A played call never raises on a number attribute that is not a number (found by the TwiML
property test: ``<Say loop=":">``): the validator reports it, the player takes Twilio's default."""

from __future__ import annotations

import pytest

from twiml.interpreter import play_call


@pytest.mark.parametrize(
    ("document", "verb", "attribute"),
    [
        ('<Response><Say loop=":">Hi</Say></Response>', "say", "loop"),
        ('<Response><Play loop="x">https://example.com/a.mp3</Play></Response>', "play", "loop"),
        ('<Response><Pause length="soon"/></Response>', "pause", "length"),
    ],
)
def test_a_number_attribute_that_is_not_a_number_plays_with_the_default(
    document: str, verb: str, attribute: str
) -> None:
    events = play_call(document).events
    warnings = [e for e in events if e["type"] == "warning"]
    assert len(warnings) == 1 and f"{attribute} must be an integer" in warnings[0]["message"]
    played = next(e for e in events if e["type"] == verb)
    assert played[attribute] == 1
    assert events[-1] == {"type": "hangup", "reason": "end-of-document"}
