"""Every element and attribute twilio-python can build: it validates clean and our builder agrees."""

from __future__ import annotations

import pytest
from lxml import etree

from twiml import validate
from twiml.builder import MessagingDoc, TwiMLBuildError, VoiceDoc

from .oracle import build_both, cases

CASES = cases()


def canonical(xml: str) -> bytes:
    return etree.tostring(etree.fromstring(xml.encode()), method="c14n")


def test_it_enumerates_every_twilio_builder_method():
    ids = {c.id for c in CASES}
    assert len(CASES) > 100
    for expected in (
        "say/prosody",
        "gather/say",
        "dial/sip/headers/header",
        "refer/sip",
        "message/media",
        "pay/prompt",
    ):
        assert expected in ids


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.kind}:{c.id}")
def test_it_accepts_what_twilio_builds_with_every_attribute(case):
    twilio_xml, _ = build_both(case)
    problems = validate(twilio_xml, case.kind)
    errors = [p for p in problems if p.severity == "error"]
    assert errors == [], twilio_xml
    # The only warnings: builder-only top-level <Queue>/<Prompt>.
    for p in problems:
        assert p.code == 12200 and p.path.split("/")[2].split("[")[0] in ("Queue", "Prompt"), p


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.kind}:{c.id}")
def test_it_builds_the_same_document_as_twilio(case):
    twilio_xml, ours = build_both(case)
    assert ours.startswith('<?xml version="1.0" encoding="UTF-8"?><Response')
    assert canonical(ours) == canonical(twilio_xml)


def test_it_writes_booleans_as_true_false_and_lists_space_separated():
    r = VoiceDoc()
    r.add("Gather", input=["dtmf", "speech"], barge_in=False, actionOnEmptyResult=True, num_digits=1)
    assert (
        '<Gather actionOnEmptyResult="true" bargeIn="false" input="dtmf speech" numDigits="1"/>' in r.to_xml()
    )


def test_it_accepts_snake_case_and_camel_case_attribute_names():
    a, b = VoiceDoc(), VoiceDoc()
    a.add("Dial", "+15551234567", hangup_on_star=True, caller_id="+15550000000")
    b.add("Dial", "+15551234567", hangupOnStar=True, callerId="+15550000000")
    assert a.to_xml() == b.to_xml()


def test_it_escapes_text_and_attributes():
    r = VoiceDoc()
    r.add("Say", 'Tom & "Jerry" <3')
    r.add("Redirect", "/next?a=1&b=2", method="GET")
    xml = r.to_xml()
    assert '<Say>Tom &amp; "Jerry" &lt;3</Say>' in xml
    assert '<Redirect method="GET">/next?a=1&amp;b=2</Redirect>' in xml
    assert validate(xml) == []


def test_it_drops_characters_xml_cannot_carry():
    r = MessagingDoc()
    r.add("Message", "bell\x07 ok")
    assert "<Message>bell ok</Message>" in r.to_xml()


def test_it_refuses_unknown_elements_and_attributes():
    r = VoiceDoc()
    with pytest.raises(TwiMLBuildError):
        r.add("Message", "wrong kind")
    with pytest.raises(TwiMLBuildError):
        r.add("Say", "hi", colour="blue")
    g = r.add("Gather")
    with pytest.raises(TwiMLBuildError):
        g.add("Dial", "+15551234567")


def test_it_offers_twilio_python_style_methods():
    r = VoiceDoc()
    say = r.gather(action="/g", num_digits=1).say("Hi")
    say.say_as("123", interpret_as="digits")
    r.dial().whats_app("+15551234567")
    xml = r.to_xml()
    assert '<Say>Hi<say-as interpret-as="digits">123</say-as></Say>' in xml
    assert "<Dial><WhatsApp>+15551234567</WhatsApp></Dial>" in xml


def test_it_takes_text_by_twilio_pythons_keyword():
    r = VoiceDoc()
    r.add("Play", url="https://example.com/a.mp3", loop=2)
    r.add("Enqueue", name="support").add("Task", {"skill": "billing"}, priority=5)
    xml = r.to_xml()
    assert '<Play loop="2">https://example.com/a.mp3</Play>' in xml
    assert '<Task priority="5">{"skill": "billing"}</Task>' in xml


def test_it_emits_the_same_declaration_as_twilio():
    from twilio.twiml.voice_response import VoiceResponse

    assert VoiceDoc().to_xml() == '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    assert str(VoiceResponse()).startswith('<?xml version="1.0" encoding="UTF-8"?><Response')
