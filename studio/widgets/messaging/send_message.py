from __future__ import annotations

from typing import Any

from studio.widgets.props import Problem, Prop, is_blank, kv_array
from studio.widgets.runtime import Outcome, WidgetCall
from studio.widgets.widget import Widget

MESSAGE_OUTPUTS = [
    "outbound.Body",
    "outbound.From",
    "outbound.To",
    "outbound.Sid",
    "outbound.Status",
    "outbound.Direction",
    "outbound.NumMedia",
    "outbound.NumSegments",
    "outbound.Price",
    "outbound.PriceUnit",
    "outbound.ErrorCode",
    "outbound.ErrorMessage",
    "outbound.MessagingServiceSid",
    "outbound.AccountSid",
]

# Keys shared by Send Message and Send & Wait For Reply (the latter has no `to`).
COMMON_MESSAGE_PROPS: list[Prop] = [
    Prop("body", "string", liquid=True, label="Message body"),
    Prop(
        "from",
        "string",
        required=True,
        liquid=True,
        default="{{flow.channel.address}}",
        label="Send message from",
    ),
    Prop("media_url", "string", liquid=True, label="Media URL"),
    Prop("service", "string", liquid=True, default="{{trigger.message.InstanceSid}}", label="Chat service"),
    Prop("channel", "string", liquid=True, default="{{trigger.message.ChannelSid}}", label="Chat channel"),
    Prop("attributes", "json-string", liquid=True, label="Message attributes (JSON)"),
    Prop(
        "message_type",
        "enum",
        allowed=("custom", "content_template"),
        default="custom",
        label="Message type",
    ),
    Prop("content_sid", "string", liquid=True, label="Content template SID"),
    kv_array("content_variables", "Content variables", description="Key is the placeholder, e.g. {{1}}."),
    # Seen in a real export (corpus 12); the Console's "Shorten URLs" option.
    Prop("shorten_urls", "boolean", label="Shorten URLs"),
]


def check_message_rules(properties: dict[str, Any]) -> list[Problem]:
    if properties.get("message_type") == "content_template":
        if is_blank(properties.get("content_sid")):
            return [Problem("content_sid", "is required when message_type is content_template", "required")]
        return []
    if is_blank(properties.get("body")) and is_blank(properties.get("media_url")):
        return [Problem("body", "a message needs a body or a media URL", "required")]
    return []


class SendMessage(Widget):
    type = "send-message"
    family = "Messaging"
    label = "Send Message"
    description = "Send an SMS/MMS/WhatsApp/Chat message and continue."
    channel = "messaging"
    properties = [
        COMMON_MESSAGE_PROPS[0],
        COMMON_MESSAGE_PROPS[1],
        Prop(
            "to",
            "string",
            required=True,
            liquid=True,
            default="{{contact.channel.address}}",
            label="Send message to",
        ),
        *COMMON_MESSAGE_PROPS[2:],
    ]
    events = ["sent", "failed"]
    outputs = MESSAGE_OUTPUTS
    open_outputs = True

    @classmethod
    def check_rules(cls, properties: dict[str, Any]) -> list[Problem]:
        return check_message_rules(properties)

    # -- runtime ---------------------------------------------------------------------------
    failure_event = "failed"

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        # Without a `to` (or with one that renders empty) Studio replies to the contact.
        contact = call.context.get("contact", {}).get("channel", {}).get("address")
        to = _text(call.properties.get("to")) or _text(contact)
        outbound = send(call, to)
        # `sent` = the Messaging API accepted the message (not handset delivery).
        event = "failed" if outbound.get("Status") == "failed" else "sent"
        return Outcome(event=event, outputs={"outbound": outbound})


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def send(call: WidgetCall, to: str) -> dict[str, Any]:
    """Render-time properties to a provider send; returns the Message resource fields."""
    props = call.properties
    sender = _text(props.get("from")) or _text(call.context.get("flow", {}).get("channel", {}).get("address"))
    body = props.get("body")
    body = "" if body is None else str(body)
    if props.get("message_type") == "content_template" and not body:
        body = _text(props.get("content_sid"))
    media = [u.strip() for u in _text(props.get("media_url")).split(",") if u.strip()]
    return call.services.send_message(to, sender, body, media)
