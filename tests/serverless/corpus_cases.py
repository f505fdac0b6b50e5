"""What the corpus projects' own jest tests (tests/corpus/functions/*/tests) expect, as HTTP:
the same event (request parameters) and context (environment variables), the same answer.

A jest ``toMatch(s)`` becomes "the body contains s", ``toEqual`` of a TwiML string "the body is s",
``toBeInstanceOf(VoiceResponse)`` "Content-Type text/xml". Cases that mock time, the filesystem or
a client (``jest.mock``) are kept only where the real thing gives the same answer."""

from __future__ import annotations

from dataclasses import dataclass, field

XML = '<?xml version="1.0" encoding="UTF-8"?>'


@dataclass(frozen=True)
class Case:
    path: str
    params: dict[str, str | list[str]] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    status: int = 200
    content_type: str | None = None
    contains: tuple[str, ...] = ()
    equals: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


TWIML = "text/xml"
ECHO = "<Response><Say>echo okay</Say></Response>"
SIMPLE_MENU_TEXT = (
    f'{XML}<Response><Gather numDigits="1"><Say language="en" voice="alice">Text message</Say>'
    "</Gather><Redirect/></Response>"
)

CASES: dict[str, list[Case]] = {
    "hello-world": [Case("/hello-world", content_type="text/plain", equals="Hello world!")],
    "hello-voice": [Case("/hello-voice", content_type=TWIML, contains=("<Say>Hello World</Say>",))],
    "hello-messaging": [
        Case("/hello-messaging", content_type=TWIML, contains=("<Message>Hello World</Message>",))
    ],
    "http-redirect": [
        Case(
            "/redirect",
            variables={"HTTP_REDIRECT_URL": "https://twil.io"},
            headers={"Location": "https://twil.io"},
        )
    ],
    "blocklist-call": [
        Case(
            "/blocklist-call",
            params={"From": "+12125551234"},
            variables={"BLOCKLIST": "+12125551234,+17025556789"},
            contains=("Reject",),
        ),
        Case(
            "/blocklist-call",
            params={"blocklist": "+12125551234,+17025556789", "From": "+12125551234"},
            contains=("Reject",),
        ),
        Case(
            "/blocklist-call",
            params={"blocklist": "+12125551234,+17025556789", "From": "+9999999999"},
            contains=("Redirect",),
        ),
        Case("/blocklist-call", params={"blocklist": "", "From": "+9999999999"}, contains=("Redirect",)),
    ],
    "conference": [
        Case("/conference", content_type=TWIML, contains=("<Dial><Conference>Snowy Owl</Conference></Dial>",))
    ],
    "forward-call": [
        Case(
            "/forward-call",
            variables={"MY_PHONE_NUMBER": "TwilioNumber"},
            content_type=TWIML,
            contains=("<Dial>TwilioNumber</Dial>",),
        )
    ],
    "forward-message": [
        Case(
            "/forward-message",
            params={"Body": "Hello", "From": "ExternalNumber"},
            variables={"FORWARDING_NUMBERS": "TwilioNumber1, TwilioNumber2"},
            content_type=TWIML,
            contains=('to="TwilioNumber1"', 'to="TwilioNumber2"', ">From: ExternalNumber. Body: Hello"),
        )
    ],
    "funlet-echo": [Case("/funlet-echo", params={"Twiml": ECHO}, content_type=TWIML, equals=ECHO)],
    "funlet-simple-message": [
        Case(
            "/funlet-simple-message",
            params={"Message": ["Message #1", "https://example.com/message2", "Message #3"]},
            content_type=TWIML,
            equals=(
                f'{XML}<Response><Say language="en" voice="alice">Message #1</Say>'
                "<Play>https://example.com/message2</Play>"
                '<Say language="en" voice="alice">Message #3</Say></Response>'
            ),
        )
    ],
    "funlet-simple-menu": [
        Case(
            "/funlet-simple-menu",
            params={"Message": "Text message"},
            content_type=TWIML,
            equals=SIMPLE_MENU_TEXT,
        ),
        Case(
            "/funlet-simple-menu",
            params={"Digits": "12345", "Options[12345]": "https://example.com/action-12345"},
            equals=f"{XML}<Response><Redirect>https://example.com/action-12345</Redirect></Response>",
        ),
    ],
    "funlet-forward": [
        Case(
            "/funlet-forward",
            params={
                "Dial": "true",
                "DialCallStatus": "busy",
                "FailUrl": "https://example.com/please-try-later.mp3",
            },
            equals=f"{XML}<Response><Redirect>https://example.com/please-try-later.mp3</Redirect></Response>",
        )
    ],
    "hunt": [
        Case(
            "/hunt",
            params={"DialCallStatus": "complete"},
            variables={"PHONE_NUMBERS": "+1234567890,+10987654321"},
            contains=("<Hangup/>",),
        ),
        Case(
            "/hunt",
            variables={"PHONE_NUMBERS": "+1234567890,+10987654321"},
            contains=("<Dial", "<Number", ">+1234567890<", "/hunt?nextNumber=%2B10987654321"),
        ),
    ],
    "voice-ivr": [
        Case(
            "/handle-user-input",
            params={"From": "+12223334444", "To": "+13334445555", "Digits": "1"},
            variables={"TWILIO_PHONE_NUMBER": "TwilioNumber"},
            contains=(
                "<Response><Say>Thank you. You will now be forwarded to our sales department.</Say>"
                "<Dial>TwilioNumber</Dial></Response>",
            ),
        ),
        Case(
            "/handle-user-input",
            params={"From": "+12223334444", "To": "+13334445555", "Digits": "5"},
            contains=(
                "<Response><Say>We are sorry, we did not recognize your option. Please try again.</Say>"
                "<Redirect>voice-ivr</Redirect></Response>",
            ),
        ),
    ],
    "voicemail": [
        # Every hour of every day is a working hour: the call is forwarded, whatever the clock says.
        Case(
            "/voicemail",
            variables={
                "MY_PHONE_NUMBER": "+12223334444",
                "WORK_WEEK_START": "0",
                "WORK_WEEK_END": "6",
                "WORK_HOUR_START": "0",
                "WORK_HOUR_END": "23",
            },
            contains=("<Response><Dial>+12223334444</Dial></Response>",),
        ),
        # No working day at all: the default greeting and a recording.
        Case(
            "/voicemail",
            variables={"WORK_WEEK_START": "9", "WORK_WEEK_END": "9"},
            contains=("Please leave a message after the beep", "<Record"),
        ),
    ],
    "temp-storage": [
        Case(
            "/temp-storage",
            content_type="text/plain",
            contains=("File created in temporary directory: ", "test_file.txt"),
        )
    ],
    "sms-notifications": [
        Case(
            "/send-messages",
            params={"passcode": "111111", "message": "Hello from the tests", "recipients": "+13334445555"},
            variables={"PASSCODE": "123456"},
            status=401,
        ),
    ],
}
