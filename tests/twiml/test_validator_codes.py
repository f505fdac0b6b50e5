"""Broken documents are refused with Twilio's error codes, a message and a line number."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from twiml import is_valid, validate

ROOT = Path(__file__).resolve().parents[2]


def codes(text: str, kind: str | None = None) -> list[int]:
    return [p.code for p in validate(text, kind) if p.severity == "error"]


@pytest.mark.parametrize(
    ("doc", "code"),
    [
        ("<Response><Say>hi</Response>", 12100),  # unclosed element
        ("<Response><Say voice=alice>hi</Say></Response>", 12100),  # unquoted attribute
        ("<Response><Say>Tom & Jerry</Say></Response>", 12100),  # unescaped &
        ('  \n<?xml version="1.0"?><Response/>', 12100),  # whitespace before the declaration
        ("", 12100),
        ("<Reply><Say>hi</Say></Reply>", 12102),
        ("<response><Say>hi</Say></response>", 12102),
        ("<Response><say>hi</say></Response>", 12200),  # case-sensitive
        ("<Response><Speak>hi</Speak></Response>", 12200),
        ('<Response><Say colour="blue">hi</Say></Response>', 12200),
        ('<Response><Dial statusCallbackEvent="ringing">+15551234567</Dial></Response>', 12200),
        ("<Response><Gather>press 1</Gather></Response>", 12200),  # no text in Gather
        ('<Response><Gather finishOnKey="ab"/></Response>', 13310),
        ('<Response><Gather method="PUT"/></Response>', 13312),
        ('<Response><Gather timeout="soon"/></Response>', 13313),
        ('<Response><Gather numDigits="0"/></Response>', 13314),
        ("<Response><Gather><Dial>+15551234567</Dial></Gather></Response>", 13320),
        ("<Response><Gather><Record/></Gather></Response>", 13320),
        ('<Response><Gather><Say loop="-1">hi</Say></Gather></Response>', 13322),
        ('<Response><Gather speechTimeout="later"/></Response>', 13327),
        ('<Response><Gather maxSpeechTime="x"/></Response>', 13328),
        ('<Response><Play loop="x">https://e.com/a.mp3</Play></Response>', 13410),
        ("<Response><Play/></Response>", 12200),
        ('<Response><Say loop="two">hi</Say></Response>', 13510),
        ("<Response><Say></Say></Response>", 13520),
        ('<Response><Record method="DELETE"/></Response>', 13610),
        ('<Response><Record timeout="-5"/></Response>', 13611),
        ('<Response><Record maxLength="0"/></Response>', 13612),
        ('<Response><Record finishOnKey="x"/></Response>', 13613),
        ('<Response><Record transcribe="yes"/></Response>', 13614),
        ('<Response><Record playBeep="maybe"/></Response>', 13616),
        ('<Response><Redirect method="PATCH">/x</Redirect></Response>', 13710),
        ("<Response><Redirect/></Response>", 12200),
        ('<Response><Pause length="-1"/></Response>', 13910),
        ('<Response><Dial method="PUT">+15551234567</Dial></Response>', 13210),
        ('<Response><Dial timeout="x">+15551234567</Dial></Response>', 13212),
        ('<Response><Dial hangupOnStar="1">+15551234567</Dial></Response>', 13213),
        ("<Response><Dial><Say>hi</Say></Dial></Response>", 13215),
        ("<Response><Dial/></Response>", 13215),
        ('<Response><Dial timeLimit="0">+15551234567</Dial></Response>', 13216),
        ('<Response><Dial record="always">+15551234567</Dial></Response>', 13217),
        ('<Response><Dial><Number method="PUT">+15551234567</Number></Dial></Response>', 13221),
        ('<Response><Dial><Number sendDigits="abc">+15551234567</Number></Dial></Response>', 13222),
        ('<Response><Dial><Conference muted="yes">room</Conference></Dial></Response>', 13230),
        ('<Response><Dial><Conference beep="loud">room</Conference></Dial></Response>', 13235),
        ("<Response><Dial><Conference/></Dial></Response>", 13237),
        ('<Response><Dial><Conference trim="yes">room</Conference></Dial></Response>', 13239),
        ("<Response><Dial><Sip>alice@example.com</Sip></Dial></Response>", 13243),
        ('<Response><Enqueue method="PUT">support</Enqueue></Response>', 14201),
        ("<Response><Enqueue/></Response>", 14204),
        ("<Response><Enqueue>" + "q" * 65 + "</Enqueue></Response>", 14205),
        ('<Response><Enqueue waitUrlMethod="PUT">support</Enqueue></Response>', 14206),
        ('<Response><Enqueue workflowSid="WW1"><Task>not json</Task></Enqueue></Response>', 14221),
        ('<Response><Dial><Queue method="PUT">support</Queue></Dial></Response>', 14210),
        ("<Response><Dial><Queue>" + "q" * 65 + "</Queue></Dial></Response>", 14213),
        ('<Response><Reject reason="later"/></Response>', 12200),
        ("<Response><Hangup>bye</Hangup></Response>", 12200),
        ('<Response><Pay paymentMethod="cash"/></Response>', 12200),
        ("<Response><Refer><Number>+15551234567</Number></Refer></Response>", 12200),
        ("<Response><Start><Room>r</Room></Start></Response>", 12200),
    ],
)
def test_it_reports_each_invalid_voice_case_with_its_code(doc, code):
    assert code in codes(doc, "voice"), validate(doc, "voice")


@pytest.mark.parametrize(
    ("doc", "code"),
    [
        ("<Response><Say>hi</Say></Response>", 14110),
        ("<Response><Message><Say>hi</Say></Message></Response>", 12200),
        ('<Response><Message color="red">hi</Message></Response>', 86004),
        ('<Response><Message method="PUT">hi</Message></Response>', 14104),
        ("<Response><Message/></Response>", 14103),
        ("<Response><Message>" + "x" * 1601 + "</Message></Response>", 14103),
        ("<Response><Message><Media/></Message></Response>", 14103),
    ],
)
def test_it_reports_each_invalid_messaging_case_with_its_code(doc, code):
    assert code in codes(doc, "messaging"), validate(doc, "messaging")


def test_it_reports_line_path_and_message():
    doc = '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Gather>\n    <Dial>+15551234567</Dial>\n  </Gather>\n</Response>'
    [p] = validate(doc)
    assert (p.code, p.line, p.path, p.element) == (13320, 4, "/Response/Gather[1]/Dial[1]", "Dial")
    assert "not allowed inside <Gather>" in p.message
    assert p.to_dict()["more_info"] == "https://www.twilio.com/docs/errors/13320"


def test_it_reports_the_parse_error_line():
    [p] = validate("<Response>\n<Say>hi\n</Response>")
    assert p.code == 12100 and p.line == 3


def test_it_hints_at_case_mistakes():
    [p] = validate("<Response><hangup/></Response>")
    assert "did you mean <Hangup>" in p.message


def test_it_only_warns_about_unknown_voices_and_builder_only_top_level_nouns():
    problems = validate('<Response><Say voice="Robot.Bender">hi</Say><Queue>support</Queue></Response>')
    assert [(p.code, p.severity) for p in problems] == [(13511, "warning"), (12200, "warning")]
    assert is_valid(problems)


def test_it_accepts_an_empty_response_and_guesses_the_kind():
    assert validate("<Response/>") == []
    assert validate("<Response><Message>hi</Message></Response>") == []
    assert codes("<Response><Message>hi</Message></Response>", "voice") == [12200]


def test_it_refuses_documents_over_64_kb_with_11750():
    doc = "<Response>" + "<Say>hello</Say>" * 5000 + "</Response>"
    assert [p.code for p in validate(doc)] == [11750]


def test_it_applies_the_inline_4000_character_limit_on_request():
    doc = "<Response>" + "<Say>hello</Say>" * 300 + "</Response>"
    assert validate(doc) == []
    assert [p.code for p in validate(doc, inline=True)] == [32018]


def test_it_flags_legacy_version_attribute_as_12101():
    [p] = validate('<Response version="2008-08-01"><Hangup/></Response>')
    assert p.code == 12101


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "twiml", "validate", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_cli_exits_0_and_prints_json_for_a_valid_document(tmp_path):
    f = tmp_path / "ok.xml"
    f.write_text('<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hi</Say></Response>')
    out = run_cli(str(f))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"valid": True, "problems": []}


def test_cli_exits_1_with_problems_for_an_invalid_document_on_stdin():
    out = run_cli("-", stdin="<Response><Gather><Dial>1</Dial></Gather></Response>")
    assert out.returncode == 1
    result = json.loads(out.stdout)
    assert result["valid"] is False
    assert result["problems"][0]["code"] == 13320
    assert result["problems"][0]["line"] == 1
