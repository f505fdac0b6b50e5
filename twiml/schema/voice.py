"""Voice verbs: the elements that may appear directly under a voice ``<Response>``.

Facts come from /work/shared/spec/twiml.md (§1). Verb-specific error codes (13xxx, 14xxx) come from
Twilio's error dictionary; 12200 is used where Twilio has no dedicated code. Defaults marked [M] in
the spec are unverified; they are what Twilio's docs describe and what a Twilio user expects.
"""

from __future__ import annotations

from .types import (
    RECORDING_EVENTS,
    TRIM,
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

SAY_LANGUAGES = (
    "af-ZA am-ET ar-AE ar-XA arb bg-BG bn-IN ca-ES cmn-CN cmn-TW cs-CZ cy-GB da-DK de-AT de-DE el-GR en-AU "
    "en-CA en-GB en-GB-WLS en-IE en-IN en-NZ en-US en-ZA es-ES es-MX es-US fi-FI fil-PH fr-CA fr-FR fr-BE gu-IN "
    "he-IL hi-IN hu-HU id-ID is-IS it-IT ja-JP kn-IN ko-KR lv-LV ml-IN mr-IN ms-MY nb-NO nl-BE nl-NL pa-IN pl-PL "
    "pt-BR pt-PT ro-RO ru-RU sk-SK sr-RS sv-SE ta-IN te-IN th-TH tr-TR uk-UA vi-VN yue-HK zh-CN zh-HK zh-TW"
)
# A BCP-47-ish tag. Twilio adds languages often, so unknown tags are warnings, never errors.
LANGUAGE_TAG = r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*"
# Twilio has ~900 voices and adds more; the classic three plus provider-prefixed names pass,
# anything else is a warning (13511), since Twilio falls back to a default voice.
VOICE_PATTERN = r"man|woman|alice|(Polly|Google|Amazon|ElevenLabs|Azure)\.[A-Za-z0-9_.:-]+"
SPEECH_MODELS = "default numbers_and_commands phone_call experimental_conversations experimental_utterances"
DIAL_RECORD = "do-not-record record-from-answer record-from-ringing record-from-answer-dual record-from-ringing-dual true false"
RING_TONES = "at au bg br be ch cl cn cz de dk ee es fi fr gr hu il in it lt jp mx my nl no nz ph pl pt ru se sg th uk us us-old tw ve za"
CARD_TYPES = "visa mastercard amex maestro discover optima jcb diners-club enroute"
PAY_LANGUAGES = "de-DE en-AU en-CA en-GB en-IN en-IE en-NZ en-PH en-ZA en-US es-ES es-US fr-CA fr-FR it-IT"

VOICE_VERBS = (
    "Connect Dial Echo Enqueue Gather Hangup Leave Pause Pay Play Prompt Queue Record Redirect Refer Reject Say "
    "Sms Start Stop"
).split()

say_attrs = (
    enum(
        "voice",
        (),
        pattern=VOICE_PATTERN,
        open_values=True,
        code=13511,
        note="default: man [M]",
        example="Polly.Joanna",
    ),
    # 0 = repeat until the call ends; Twilio caps loops at 1000 [M].
    integer("loop", "1", min=0, max=1000, code=13510),
    enum("language", SAY_LANGUAGES, "en-US", open_values=True, pattern=LANGUAGE_TAG),
)

ELEMENTS = (
    Element(
        "Response",
        children=tuple(VOICE_VERBS),
        doc="Root of a voice document.",
    ),
    Element(
        "Say",
        say_attrs,
        text="required",
        text_arg="message",
        children=("break", "emphasis", "lang", "p", "phoneme", "prosody", "s", "say-as", "sub", "w"),
        doc="Text to speech; SSML children allowed.",
    ),
    Element(
        "Play",
        (
            integer("loop", "1", min=0, max=1000, code=13410),
            pattern("digits", r"[0-9*#wW]+", example="ww1234#"),
        ),
        text="optional",
        text_arg="url",
        doc="Play an audio URL (text) or DTMF digits.",
    ),
    Element("Pause", (integer("length", "1", min=1, code=13910),), doc="Wait silently."),
    Element(
        "Gather",
        (
            enum_list("input", "dtmf speech", "dtmf"),
            url("action"),
            method(code=13312),
            integer("timeout", "5", min=1, code=13313),
            pattern("speechTimeout", r"auto|[0-9]+", code=13327, example="auto"),
            integer("maxSpeechTime", "60", min=1, code=13328),
            boolean("profanityFilter", "true"),
            # One key, or '' to disable. finishOnKey only ends input after at least one digit.
            pattern("finishOnKey", r"[0-9#*]?", "#", code=13310),
            integer("numDigits", min=1, code=13314),
            url("partialResultCallback"),
            method("partialResultCallbackMethod"),
            enum("language", (), "en-US", open_values=True, pattern=LANGUAGE_TAG),
            s("hints"),
            boolean("bargeIn", "true"),
            boolean("debug", "false"),
            # Unverified default [M]: false, as in Twilio's docs and SignalWire's compatible doc.
            boolean("actionOnEmptyResult", "false"),
            # Free string since twilio-python 9.5.0; provider models (googlev2_*, deepgram_*) exist.
            enum(
                "speechModel",
                SPEECH_MODELS,
                open_values=True,
                pattern=r"[A-Za-z0-9_.-]+",
                example="phone_call",
            ),
            boolean("enhanced", "false"),
        ),
        children=("Say", "Play", "Pause"),
        nested_code=13320,
        doc="Collect DTMF and/or speech; requests action with Digits / SpeechResult.",
    ),
    Element(
        "Record",
        (
            url("action"),
            method(code=13610),
            # 0 disables the silence timeout [M].
            integer("timeout", "5", min=0, code=13611),
            pattern("finishOnKey", r"[0-9#*]*", "1234567890*#", code=13613),
            integer("maxLength", "3600", min=1, code=13612),
            boolean("playBeep", "true", code=13616),
            enum("trim", TRIM, "trim-silence"),
            boolean("transcribe", "false", code=13614),
            url("transcribeCallback"),
            url("recordingStatusCallback"),
            method("recordingStatusCallbackMethod"),
            enum_list("recordingStatusCallbackEvent", RECORDING_EVENTS, "completed"),
            s("recordingConfigurationId"),
        ),
        doc="Record the caller; requests action with RecordingUrl, RecordingDuration, Digits.",
    ),
    Element(
        "Dial",
        (
            url("action"),
            method(code=13210),
            # Twilio documents 5-600 s for the ring timeout [M]; smaller values are accepted here.
            integer("timeout", "30", min=1, max=600, code=13212),
            boolean("hangupOnStar", "false", code=13213),
            integer("timeLimit", "14400", min=1, code=13216),
            s("callerId"),
            enum("record", DIAL_RECORD, "do-not-record", code=13217),
            # Archived docs say trim-silence, current docs may say do-not-trim (spec open question 2).
            enum("trim", TRIM, "trim-silence"),
            url("recordingStatusCallback"),
            s("recordingConfigurationId"),
            method("recordingStatusCallbackMethod"),
            enum_list("recordingStatusCallbackEvent", RECORDING_EVENTS, "completed"),
            boolean("answerOnBridge", "false"),
            enum("ringTone", RING_TONES),
            enum("recordingTrack", "both inbound outbound", "both"),
            boolean("sequential", "false"),
            url("referUrl"),
            method("referMethod"),
            enum_list("events", "call-progress-event"),
            s("passports"),
            s("callReason"),
        ),
        text="optional",
        text_arg="number",
        children=("Number", "Client", "Conference", "Queue", "Sip", "Sim", "Application", "WhatsApp"),
        nested_code=13215,
        doc="Connect the caller to another party; text is a number shortcut.",
    ),
    Element(
        "Enqueue",
        (
            url("action", code=14203),
            integer("maxQueueSize", min=1),
            method(code=14201),
            url("waitUrl", code=14202),
            method("waitUrlMethod", code=14206),
            s("workflowSid"),
        ),
        text="optional",
        text_arg="name",
        children=("Task",),
        doc="Put the caller in a queue (text = queue name).",
    ),
    Element("Leave", doc="Leave the queue (inside an Enqueue waitUrl document).", terminal=True),
    Element("Hangup", children=("Parameter",), doc="End the call.", terminal=True),
    Element("Echo", doc="Undocumented test verb that echoes the caller's audio."),
    Element(
        "Reject",
        (enum("reason", "rejected busy", "rejected"),),
        children=("Parameter",),
        doc="Refuse an inbound call without answering it.",
        terminal=True,
    ),
    Element(
        "Redirect",
        (method(code=13710),),
        text="required",
        text_arg="url",
        doc="Continue with the TwiML at the URL (text).",
        terminal=True,
    ),
    Element(
        "Pay",
        (
            enum("input", "dtmf", "dtmf"),
            url("action"),
            enum(
                "bankAccountType",
                "consumer-checking consumer-savings commercial-checking commercial-savings",
                "consumer-checking",
            ),
            url("statusCallback"),
            method("statusCallbackMethod"),
            integer("timeout", "5", min=1),
            integer("maxAttempts", "1", min=1),
            boolean("securityCode", "true"),
            # true/false or a fixed postal code.
            s("postalCode", "true"),
            integer("minPostalCodeLength", min=1),
            s("paymentConnector", "Default"),
            enum("paymentMethod", "credit-card ach-debit", "credit-card"),
            enum("tokenType", "one-time reusable payment-method", "reusable"),
            pattern("chargeAmount", r"[0-9]+(\.[0-9]+)?", example="10.50"),
            s("currency", "usd"),
            s("description"),
            enum_list("validCardTypes", CARD_TYPES, "visa mastercard amex"),
            enum("language", PAY_LANGUAGES, "en-US"),
        ),
        children=("Prompt", "Parameter"),
        doc="Capture card or ACH details.",
    ),
    Element(
        "Start",
        (url("action"), method()),
        children=("Stream", "Siprec", "Transcription", "Recording"),
        doc="Fork media (non-blocking).",
    ),
    Element(
        "Stop",
        children=("Stream", "Siprec", "Transcription"),
        doc="Stop a fork started with <Start>, matched by name.",
    ),
    Element(
        "Connect",
        (url("action"), method()),
        children=(
            "Stream",
            "Room",
            "VirtualAgent",
            "Conversation",
            "ConversationRelay",
            "AiSession",
            "ConversationRelaySession",
            # <Assistant> is left out: twilio-python 9.11.0 removed it (only the C# lib has it).
            "Autopilot",
        ),
        doc="Connect the call to a session (blocking).",
    ),
    Element(
        "Refer",
        (url("action"), method()),
        children=("Sip@Refer",),
        doc="SIP REFER transfer.",
    ),
    Element(
        "Sms",
        (
            s("to"),
            s("from"),
            url("action"),
            method(code=14104),
            url("statusCallback", code=14105),
        ),
        text="required",
        text_arg="message",
        doc="Deprecated: send an SMS during a call.",
    ),
)
