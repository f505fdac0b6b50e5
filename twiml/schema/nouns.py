"""Nouns nested in voice verbs: Dial's nouns, Enqueue's Task, Pay's Prompt, and shared ones."""

from __future__ import annotations

from .types import (
    STATUS_EVENTS,
    Element,
    boolean,
    enum,
    enum_list,
    integer,
    method,
    pattern,
    s,
    url,
)
from .voice import CARD_TYPES

MACHINE_DETECTION = (
    enum("machineDetection", "Enable DetectMessageEnd"),
    method("amdStatusCallbackMethod"),
    url("amdStatusCallback"),
    integer("machineDetectionTimeout", "30", min=3, max=59),
    integer("machineDetectionSpeechThreshold", "2400", min=1000, max=6000),
    integer("machineDetectionSpeechEndThreshold", "1200", min=500, max=5000),
    integer("machineDetectionSilenceTimeout", "5000", min=2000, max=10000),
)


def callbacks(method_code: int = 12200) -> tuple:
    """The url/method/statusCallback* attributes every Dial noun carries."""
    return (
        url("url"),
        method(code=method_code),
        enum_list("statusCallbackEvent", STATUS_EVENTS, "completed"),
        url("statusCallback"),
        method("statusCallbackMethod"),
    )


# A phone number as Twilio accepts it in <Number>/<Dial>: E.164 or national digits with
# separators. Malformed numbers are reported with 13223 but only as a warning, since Twilio
# normalises many national formats itself.
PHONE = r"\+?[0-9][0-9 ().-]*"

ELEMENTS = (
    Element(
        "Number",
        (
            pattern("sendDigits", r"[0-9*#wW]+", code=13222, example="ww1234"),
            url("url"),
            method(code=13221),
            enum_list("statusCallbackEvent", STATUS_EVENTS, "completed"),
            url("statusCallback"),
            method("statusCallbackMethod"),
            s("byoc"),
            *MACHINE_DETECTION,
        ),
        text="required",
        text_arg="phone_number",
        doc="A phone number to dial.",
    ),
    Element(
        "Client",
        callbacks(),
        text="optional",
        text_arg="identity",
        children=("Identity", "Parameter"),
        doc="A Voice SDK client identity.",
    ),
    Element("Identity", text="required", text_arg="client_identity", doc="Client identity."),
    Element(
        "Parameter",
        (s("name"), s("value")),
        doc="A custom name/value pair.",
    ),
    Element(
        "Conference",
        (
            boolean("muted", "false", code=13230),
            enum("beep", "true false onEnter onExit", "true", code=13235),
            boolean("startConferenceOnEnter", "true", code=13232),
            boolean("endConferenceOnExit", "false", code=13231),
            url("waitUrl", code=13233),
            method("waitMethod", code=13234),
            integer("maxParticipants", "250", min=2, max=250),
            enum("record", "do-not-record record-from-start", "do-not-record"),
            s("recordingConfigurationId"),
            enum("region", "us1 us2 ie1 sg1 br1 au1 jp1 de1"),
            s("coach"),
            enum("trim", "trim-silence do-not-trim true false", "trim-silence", code=13239),
            enum_list("statusCallbackEvent", "start end join leave mute hold modify speaker announcement"),
            url("statusCallback"),
            method("statusCallbackMethod"),
            url("recordingStatusCallback"),
            method("recordingStatusCallbackMethod"),
            enum_list("recordingStatusCallbackEvent", "in-progress completed absent", "completed"),
            url("eventCallbackUrl"),
            enum("jitterBufferSize", "large medium small off", "large"),
            s("participantLabel"),
        ),
        text="required",
        text_arg="name",
        doc="A conference room (text = name).",
    ),
    Element(
        "Queue",
        (url("url", code=14211), method(code=14210), s("reservationSid"), s("postWorkActivitySid")),
        text="required",
        text_arg="name",
        doc="Dequeue the front caller of the named queue.",
    ),
    Element(
        "Sip",
        (s("username"), s("password"), *callbacks(13241), *MACHINE_DETECTION),
        text="optional",
        text_arg="sip_url",
        children=("Uri", "Headers"),
        doc="A SIP endpoint (text = SIP URI).",
    ),
    Element(
        "Uri",
        (integer("priority", min=0), integer("weight", min=0), s("username"), s("password")),
        text="required",
        text_arg="sip_url",
        doc="One SIP URI of a <Sip>, tried by priority.",
    ),
    Element("Headers", children=("Header",), doc="SIP X-headers."),
    Element("Header", (s("name"), s("value")), doc="One SIP header."),
    Element("Sim", text="required", text_arg="sim_sid", doc="A Programmable Wireless SIM (text = SID)."),
    Element(
        "Application",
        (*callbacks(), s("customerId"), boolean("copyParentTo", "false")),
        text="optional",
        text_arg="application_sid",
        children=("ApplicationSid", "Parameter"),
        doc="Dial another TwiML App (text = AP SID).",
    ),
    Element("ApplicationSid", text="required", text_arg="sid", doc="Application SID."),
    Element("WhatsApp", callbacks(), text="required", text_arg="phone_number", doc="A WhatsApp number."),
    Element(
        "Task",
        (integer("priority", min=0), integer("timeout", min=1)),
        text="required",
        text_arg="body",
        doc="TaskRouter task attributes (JSON text).",
    ),
    Element(
        "Prompt",
        (
            enum(
                "for",
                "payment-card-number expiration-date security-code postal-code payment-processing "
                "bank-account-number bank-routing-number",
            ),
            enum_list(
                "errorType",
                "timeout invalid-card-number invalid-card-type invalid-date invalid-security-code "
                "internal-error input-matching-failed",
            ),
            enum_list("cardType", CARD_TYPES),
            pattern("attempt", r"[0-9]+( [0-9]+)*", example="1 2"),
            boolean("requireMatchingInputs"),
        ),
        children=("Say", "Play", "Pause"),
        doc="A <Pay> prompt.",
    ),
    Element("Sip", key="Sip@Refer", text="required", text_arg="sip_url", doc="The refer-to SIP URI."),
)
