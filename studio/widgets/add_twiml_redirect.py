from __future__ import annotations

from studio.widgets.base import Prop, Widget


class AddTwimlRedirect(Widget):
    type = "add-twiml-redirect"
    family = "Tools & Execute Code"
    label = "TwiML Redirect"
    description = "Hand the call/message to external TwiML; it returns with ?FlowEvent=return."
    channel = "any"
    properties = [
        Prop("url", "string", required=True, liquid=True, label="URL"),
        Prop("method", "enum", allowed=("GET", "POST"), default="POST", label="Method"),
        Prop(
            "timeout",
            "integer",
            string_encoded=True,
            minimum=0,
            maximum=14400,
            default="14400",
            label="Timeout (seconds)",
            description="0 = do not wait for a return",
        ),
    ]
    events = ["return", "timeout", "fail"]
    # Query parameters of the return request are copied in verbatim.
    outputs = []
    open_outputs = True
    name_prefix = "redirect"
