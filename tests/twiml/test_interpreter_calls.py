"""The interpreter plays scripted calls as Twilio would: events for the caller, requests for the app."""

from __future__ import annotations

import json

from twiml import VoiceDoc
from twiml.interpreter import CallScript, dial_in, messages_from, play_call

BASE = "https://app.example.com/voice"
CALL = {
    "CallSid": "CA" + "1" * 32,
    "AccountSid": "AC" + "2" * 32,
    "From": "+15551110000",
    "To": "+15552220000",
}


class App:
    """A fake web app: URL (without query) -> TwiML; it records every request it gets."""

    def __init__(self, pages: dict[str, str]):
        self.pages = pages
        self.seen: list[tuple[str, str, dict[str, str]]] = []

    def __call__(self, method: str, url: str, params: dict[str, str]) -> tuple[int, str]:
        self.seen.append((method, url, params))
        body = self.pages.get(url)
        return (404, "") if body is None else (200, body)


def menu() -> str:
    r = VoiceDoc()
    g = r.add("Gather", action="/menu/choice", num_digits=1, timeout=3)
    g.add("Say", "Press 1 for sales, 2 for support.", voice="Polly.Joanna", language="en-US")
    r.add("Say", "We did not get your choice. Goodbye.")
    r.add("Hangup")
    return r.to_xml()


def test_it_plays_an_ivr_menu_and_posts_the_digits_to_the_action():
    app = App(
        {"https://app.example.com/menu/choice": "<Response><Say>Connecting you to sales</Say></Response>"}
    )
    t = play_call(menu(), CallScript(inputs=["1"], call=CALL), url=BASE, fetcher=app)

    says = t.of_type("say")
    assert says[0] == {
        "type": "say",
        "text": "Press 1 for sales, 2 for support.",
        "voice": "Polly.Joanna",
        "language": "en-US",
        "loop": 1,
    }
    assert says[1]["text"] == "Connecting you to sales"
    [req] = t.requests
    assert req["method"] == "POST" and req["url"] == "https://app.example.com/menu/choice"
    p = req["params"]
    assert (p["Digits"], p["FinishedOnKey"], p["msg"]) == ("1", "", "Gather End")
    assert (p["CallSid"], p["AccountSid"], p["From"], p["To"]) == (
        CALL["CallSid"],
        CALL["AccountSid"],
        CALL["From"],
        CALL["To"],
    )
    assert (p["CallStatus"], p["Direction"], p["ApiVersion"]) == ("in-progress", "inbound", "2010-04-01")
    assert t.ended == "completed"
    json.dumps(t.to_dict())  # the browser simulator gets it as JSON


def test_it_ends_input_on_finish_on_key_and_reports_it():
    app = App({"https://app.example.com/voice": "<Response/>"})
    t = play_call(
        '<Response><Gather finishOnKey="#"/></Response>', CallScript(inputs=["1234#9"]), url=BASE, fetcher=app
    )
    p = t.requests[0]["params"]
    assert (p["Digits"], p["FinishedOnKey"]) == ("1234", "#")
    # The default action is the document's own URL.
    assert t.requests[0]["url"] == BASE


def test_it_falls_through_to_the_next_verb_when_the_gather_times_out():
    t = play_call(menu(), CallScript(inputs=["silence"]), url=BASE, fetcher=App({}))
    assert t.requests == []
    assert [e["text"] for e in t.of_type("say")][-1] == "We did not get your choice. Goodbye."
    assert t.ended == "hangup"


def test_it_requests_the_action_on_empty_result_when_asked():
    app = App({"https://app.example.com/empty": "<Response><Say>Nothing?</Say></Response>"})
    doc = '<Response><Gather action="/empty" actionOnEmptyResult="true"/><Say>unreached</Say></Response>'
    t = play_call(doc, CallScript(), url=BASE, fetcher=app)
    assert t.requests[0]["params"]["Digits"] == ""
    assert [e["text"] for e in t.of_type("say")] == ["Nothing?"]


def test_it_sends_speech_results_with_confidence():
    app = App({"https://app.example.com/s": "<Response/>"})
    doc = '<Response><Gather input="speech" action="/s" method="GET"/></Response>'
    t = play_call(
        doc, CallScript(inputs=[{"speech": "billing please", "confidence": 0.87}]), url=BASE, fetcher=app
    )
    req = t.requests[0]
    assert req["method"] == "GET"
    assert (req["params"]["SpeechResult"], req["params"]["Confidence"]) == ("billing please", "0.87")
    assert (
        req["full_url"].startswith("https://app.example.com/s?")
        and "SpeechResult=billing+please" in req["full_url"]
    )


def test_it_ignores_digits_when_only_speech_is_accepted():
    doc = '<Response><Gather input="speech" action="/s"/><Say>fell through</Say></Response>'
    t = play_call(doc, CallScript(inputs=["5"]), url=BASE, fetcher=App({}))
    assert t.requests == [] and t.of_type("say")[0]["text"] == "fell through"


def test_it_stops_when_the_caller_hangs_up_during_a_gather():
    t = play_call(menu(), CallScript(inputs=["hangup"]), url=BASE, fetcher=App({}))
    assert t.requests == [] and t.ended == "caller-hangup"


def test_it_records_and_posts_the_recording():
    app = App({"https://app.example.com/rec": "<Response><Say>Saved</Say></Response>"})
    doc = '<Response><Say>Leave a message</Say><Record action="/rec" maxLength="30"/><Say>unreached</Say></Response>'
    t = play_call(doc, CallScript(record=[{"duration": 12, "digits": "#"}], call=CALL), url=BASE, fetcher=app)
    p = t.requests[0]["params"]
    assert p["RecordingDuration"] == "12" and p["Digits"] == "#"
    assert p["RecordingSid"].startswith("RE") and len(p["RecordingSid"]) == 34
    assert (
        p["RecordingUrl"]
        == f"https://api.twilio.com/2010-04-01/Accounts/{CALL['AccountSid']}/Recordings/{p['RecordingSid']}"
    )
    assert [e["text"] for e in t.of_type("say")] == ["Leave a message", "Saved"]


def test_it_skips_the_action_for_an_empty_recording():
    doc = '<Response><Record action="/rec"/><Say>Nothing recorded</Say></Response>'
    t = play_call(doc, CallScript(record=["empty"]), url=BASE, fetcher=App({}))
    assert t.requests == [] and t.of_type("say")[0]["text"] == "Nothing recorded"


def test_it_reports_a_hangup_during_recording_with_digits_hangup():
    app = App({"https://app.example.com/rec": "<Response/>"})
    t = play_call(
        '<Response><Record action="/rec"/></Response>', CallScript(record=["hangup"]), url=BASE, fetcher=app
    )
    p = t.requests[0]["params"]
    assert (p["Digits"], p["CallStatus"]) == ("hangup", "completed")
    assert t.ended == "caller-hangup"


def test_it_reports_each_dial_status_to_the_action():
    for status in ("completed", "busy", "no-answer", "failed", "canceled"):
        app = App({"https://app.example.com/after": "<Response/>"})
        doc = '<Response><Dial action="/after" timeout="10"><Number>+15553334444</Number></Dial></Response>'
        t = play_call(doc, CallScript(dial=[{"status": status, "duration": 42}]), url=BASE, fetcher=app)
        p = t.requests[0]["params"]
        assert p["DialCallStatus"] == status
        assert p["DialCallSid"].startswith("CA")
        assert ("DialCallDuration" in p) == (status == "completed")
        assert p["DialBridged"] == ("true" if status == "completed" else "false")
        assert t.of_type("dial")[0]["targets"] == [{"type": "Number", "value": "+15553334444"}]


def test_it_continues_after_a_dial_without_action():
    t = play_call(
        "<Response><Dial>+15553334444</Dial><Say>Call ended</Say></Response>", CallScript(dial=["busy"])
    )
    assert t.requests == [] and t.of_type("say")[0]["text"] == "Call ended"


def test_it_plays_the_wait_url_until_leave_and_reports_queue_result():
    app = App(
        {
            "https://app.example.com/wait": "<Response><Say>Please hold</Say><Leave/></Response>",
            "https://app.example.com/left": "<Response><Say>Sorry, nobody is free</Say></Response>",
        }
    )
    doc = '<Response><Enqueue waitUrl="/wait" action="/left">support</Enqueue></Response>'
    t = play_call(doc, CallScript(), url=BASE, fetcher=app)
    wait_req, action_req = t.requests
    assert wait_req["params"]["QueuePosition"] == "1" and wait_req["params"]["QueueSid"].startswith("QU")
    assert action_req["params"]["QueueResult"] == "leave"
    assert [e["text"] for e in t.of_type("say")] == ["Please hold", "Sorry, nobody is free"]


def test_it_reports_a_bridged_enqueue():
    app = App({"https://app.example.com/done": "<Response/>"})
    doc = '<Response><Enqueue action="/done">support</Enqueue></Response>'
    t = play_call(doc, CallScript(enqueue=[{"result": "bridged", "queue_time": 17}]), url=BASE, fetcher=app)
    assert t.requests[0]["params"]["QueueResult"] == "bridged"
    assert t.requests[0]["params"]["QueueTime"] == "17"


def test_it_follows_redirects_and_bounds_redirect_loops():
    app = App({"https://app.example.com/loop": "<Response><Redirect>/loop</Redirect></Response>"})
    t = play_call(
        "<Response><Redirect method='GET'>/loop</Redirect></Response>", url=BASE, fetcher=app, max_documents=5
    )
    assert t.ended == "loop-limit"
    assert len(t.requests) == 5
    assert t.requests[0]["method"] == "GET" and t.requests[1]["method"] == "POST"


def test_it_hangs_up_and_nothing_after_runs():
    t = play_call("<Response><Say>a</Say><Hangup/><Say>b</Say></Response>")
    assert [e["text"] for e in t.of_type("say")] == ["a"] and t.ended == "hangup"


def test_it_rejects_a_call():
    t = play_call('<Response><Reject reason="busy"/></Response>')
    assert t.of_type("reject")[0]["reason"] == "busy" and t.ended == "rejected"


def test_it_pays_and_posts_masked_card_data():
    app = App({"https://app.example.com/paid": "<Response/>"})
    doc = '<Response><Pay action="/paid" chargeAmount="10.00"><Prompt for="payment-card-number"><Say>Card number</Say></Prompt></Pay></Response>'
    t = play_call(doc, CallScript(pay=["success"]), url=BASE, fetcher=app)
    p = t.requests[0]["params"]
    assert (
        p["Result"] == "success"
        and p["PaymentCardNumber"].endswith("1111")
        and "PaymentConfirmationCode" in p
    )
    assert t.of_type("say")[0]["text"] == "Card number"


def test_it_stops_with_an_error_when_the_app_answers_500_or_garbage():
    t = play_call("<Response><Redirect>/missing</Redirect></Response>", url=BASE, fetcher=App({}))
    assert t.of_type("error")[0]["code"] == 11217 and t.ended == "error"
    app = App({"https://app.example.com/bad": "<Response><Say>oops</Response>"})
    t = play_call("<Response><Redirect>/bad</Redirect></Response>", url=BASE, fetcher=app)
    assert t.of_type("error")[0]["code"] == 12100


def test_it_skips_unknown_verbs_with_a_warning_and_goes_on():
    t = play_call("<Response><Speak>x</Speak><Say>after</Say></Response>")
    assert t.of_type("skipped")[0]["element"] == "Speak"
    assert t.of_type("say")[0]["text"] == "after"


def test_it_dials_in_like_twilio_with_callstatus_ringing():
    app = App({BASE: "<Response><Say>Hello</Say></Response>"})
    t = dial_in(BASE, CallScript(call=CALL), fetcher=app)
    assert app.seen[0][2]["CallStatus"] == "ringing"
    assert t.of_type("say")[0]["text"] == "Hello"


def test_it_turns_a_messaging_document_into_outbound_messages():
    doc = (
        "<Response><Message>Thanks!<Media>/img/cat.png</Media></Message>"
        '<Message to="+15559990000" from="+15558880000" action="/status"><Body>Second</Body></Message>'
        "<Redirect>/next</Redirect></Response>"
    )
    out = messages_from(
        doc, inbound={"From": "+15551110000", "To": "+15552220000"}, url="https://app.example.com/sms"
    )
    assert out[0] == {
        "type": "message",
        "to": "+15551110000",
        "from": "+15552220000",
        "body": "Thanks!",
        "media": ["https://app.example.com/img/cat.png"],
        "action": None,
        "method": "POST",
        "status_callback": None,
    }
    assert (out[1]["to"], out[1]["from"], out[1]["body"], out[1]["action"]) == (
        "+15559990000",
        "+15558880000",
        "Second",
        "https://app.example.com/status",
    )
    assert out[2] == {"type": "redirect", "url": "https://app.example.com/next", "method": "POST"}
