from __future__ import annotations

from studio.widgets.base import Prop, Widget, kv_array

CONTENT_TYPES = (
    "application/x-www-form-urlencoded;charset=utf-8",
    "application/json;charset=utf-8",
)


class MakeHttpRequest(Widget):
    type = "make-http-request"
    family = "Tools & Execute Code"
    label = "Make HTTP Request"
    description = "Call an HTTP endpoint (GET/POST, 10 s, 64 kB); JSON object replies are parsed."
    channel = "any"
    properties = [
        Prop("method", "enum", required=True, allowed=("GET", "POST"), default="GET", label="Request method"),
        Prop("url", "string", required=True, liquid=True, label="Request URL"),
        # Exports also contain the bare media type without the charset (corpus 22), so the
        # list is advisory: other values are only warned about.
        Prop(
            "content_type",
            "enum",
            required=True,
            allowed=(*CONTENT_TYPES, "application/x-www-form-urlencoded", "application/json"),
            open_enum=True,
            default=CONTENT_TYPES[0],
            label="Content type",
        ),
        Prop("body", "string", liquid=True, label="Request body"),
        kv_array("parameters", "HTTP parameters"),
        Prop("add_twilio_auth", "boolean", default=False, label="Authenticate with Twilio"),
    ]
    events = ["success", "failed"]
    outputs = ["body", "content_type", "status_code", "parsed"]
    name_prefix = "http"
