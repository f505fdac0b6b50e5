"""Messaging TwiML (spec §2): <Response> holds <Message> and <Redirect>."""

from __future__ import annotations

from .types import Element, method, s, url

ELEMENTS = (
    Element(
        "Response", children=("Message", "Redirect"), nested_code=14110, doc="Root of a messaging document."
    ),
    Element(
        "Message",
        (
            # Invalid to/from are reported by Twilio as 14101/14102 when sending.
            s("to"),
            s("from"),
            url("action"),
            method(code=14104),
            url("statusCallback"),
        ),
        text="optional",
        text_arg="body",
        children=("Body", "Media"),
        doc="One outbound message (text is a body shortcut).",
    ),
    Element("Body", text="optional", text_arg="message", doc="The message body."),
    Element("Media", text="required", text_arg="url", doc="A media URL (up to 10 per message)."),
    Element(
        "Redirect", (method(),), text="required", text_arg="url", terminal=True, doc="Continue at the URL."
    ),
)
