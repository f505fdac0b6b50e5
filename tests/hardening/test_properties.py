"""Properties of the parts that read what strangers send, for any input hypothesis draws:

* a flow definition is either valid or refused with Twilio's error (never a 500);
* a Liquid template renders to text within the output cap, or raises the project's TemplateError;
* a TwiML document parses and validates to a list of problems with Twilio codes, and plays;
* a TaskRouter expression compiles and evaluates to a bool, or raises ExpressionError — and is
  never handed to Python's ``eval``;
* an inbound SMS or voice webhook with arbitrary form fields answers 200 or 4xx.

Each property is bounded (``max_examples``) so the suite stays quick."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BOUNDED = settings(max_examples=80, deadline=None, database=None, suppress_health_check=list(HealthCheck))
FEW = settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


# --- flow definitions --------------------------------------------------------------------------


def widget_types() -> list[str]:
    from studio import widgets

    return widgets.types()


NAMES = st.sampled_from(["Trigger", "a", "b", "send", "x y", ""]) | TEXT
EVENTS = st.sampled_from(["incomingMessage", "incomingCall", "incomingRequest", "next", "sent", "failed"])
PROPS = st.dictionaries(
    st.sampled_from(["body", "to", "from", "url", "method", "variables", "timeout", "offset"]) | TEXT,
    JSON | st.sampled_from(["{{trigger.message.Body}}", "{% for x in y %}", "{{ x | append: x }}"]),
    max_size=5,
)
STATE = st.fixed_dictionaries(
    {
        "name": NAMES,
        "type": st.sampled_from(["trigger", "send-message", "split-based-on", "set-variables"]) | TEXT,
        "transitions": st.lists(
            st.fixed_dictionaries({"event": EVENTS | TEXT}, optional={"next": NAMES | JSON}), max_size=4
        ),
        "properties": PROPS | JSON,
    }
)
DEFINITION = st.fixed_dictionaries(
    {"states": st.lists(STATE | JSON, max_size=6)},
    optional={"initial_state": NAMES | JSON, "flags": JSON, "description": JSON},
)


@BOUNDED
@given(definition=DEFINITION | JSON)
def test_it_validates_any_definition_to_errors_or_none(definition: Any) -> None:
    from studio import revisions

    checked = revisions.validate(definition)
    assert isinstance(checked.errors, list) and isinstance(checked.warnings, list)
    assert all(isinstance(e, dict) and "message" in e for e in checked.errors)


@pytest.mark.django_db
def test_it_answers_any_definition_sent_to_the_api_with_200_or_a_twilio_400(api: Any) -> None:
    @FEW
    @given(definition=DEFINITION, types=st.lists(st.sampled_from(widget_types()), max_size=3))
    def check(definition: dict[str, Any], types: list[str]) -> None:
        for state, kind in zip(definition["states"], types, strict=False):
            if isinstance(state, dict):
                state["type"] = kind  # real widget types reach the widgets' own checks
        body = {"FriendlyName": "fuzz", "Status": "draft", "Definition": json.dumps(definition)}
        response = api.post("/v2/Flows/Validate", urlencode(body), content_type=FORM)
        assert response.status_code in (200, 400), response.content[:300]
        if response.status_code == 400:
            assert {"code", "message", "more_info", "status"} <= set(response.json())

    check()


FORM = "application/x-www-form-urlencoded"


# --- Liquid ------------------------------------------------------------------------------------

VALUES = st.sampled_from(["x", "n", "items", "trigger.message.Body", "'ab'", "'%'", "3", "-1", "0.5", "nil"])
FILTERS = st.sampled_from(
    [
        "append: x",
        "append: x | append: x",
        "replace: 'a', x",
        "prepend: x",
        "split: ''",
        "join: x",
        "size",
        "upcase",
        "times: 1000",
        "divided_by: 0",
        "modulo: 0",
        "slice: -1, 99999999999",
        "truncate: -5",
        "date: '%Y'",
        "to_json",
        "url_decode",
        "nosuchfilter",
        "default: n",
        "first",
        "sort",
        "plus: x",
    ]
)
OUTPUT = st.builds(lambda v, fs: "{{ " + " | ".join([v, *fs]) + " }}", VALUES, st.lists(FILTERS, max_size=4))
TAG = st.sampled_from(
    [
        "{% for i in (1..100000) %}{{ x }}{% endfor %}",
        "{% for i in items %}{% for j in items %}{{ x }}{% endfor %}{% endfor %}",
        "{% assign x = x | append: x %}",
        "{% capture x %}{{ x }}{{ x }}{% endcapture %}",
        "{% if x == 'a' %}a{% elsif n > 2 %}b{% else %}c{% endif %}",
        "{% case x %}{% when 'a' %}A{% endcase %}",
        "{% unless x %}u{% endunless %}",
        "{% for i in (1..3) %}{% break %}{% endfor %}",
        "{% raw %}{{ x }}{% endraw %}",
        "{% cycle 'a', 'b' %}",
        "{% increment n %}",
        "{% tablerow i in items %}{{ i }}{% endtablerow %}",
        "{% comment %}x{% endcomment %}",
        "{% include 'x' %}",
        "{% render 'x' %}",
        "{%",
        "{{",
        "}}",
        "{% endif %}",
    ]
)
TEMPLATE = st.lists(OUTPUT | TAG | TEXT, min_size=1, max_size=12).map("".join)
CONTEXT = {"x": "ab" * 50, "n": 7, "items": list(range(30)), "trigger": {"message": {"Body": "hi"}}}


@BOUNDED
@given(source=TEMPLATE)
def test_it_renders_any_template_within_the_caps_or_raises_template_error(source: str) -> None:
    from executions.engine import templates
    from studio.conf import studio_settings
    from studio.widgets.runtime import TemplateError

    try:
        out = templates.render(0, source, dict(CONTEXT))
    except TemplateError:
        return
    assert isinstance(out, str)
    # text outside the tags is returned unrendered when there is no tag at all
    if any(marker in source for marker in ("{{", "{%")):
        assert len(out) <= int(studio_settings.LIQUID_OUTPUT_LIMIT)


# --- TwiML -------------------------------------------------------------------------------------

VERBS = st.sampled_from(
    [
        "Say",
        "Play",
        "Gather",
        "Dial",
        "Number",
        "Record",
        "Redirect",
        "Hangup",
        "Pause",
        "Message",
        "Body",
        "X",
    ]
)
ATTRS = st.dictionaries(
    st.sampled_from(["voice", "loop", "action", "method", "timeout", "numDigits", "input", "to", "x"]),
    TEXT | st.sampled_from(["-1", "99999999999", "GET", "http://127.0.0.1/x", "file:///etc/passwd"]),
    max_size=3,
)


def element(tag: str, attrs: dict[str, str], children: list[str], text: str) -> str:
    from xml.sax.saxutils import escape, quoteattr

    rendered = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
    return f"<{tag}{rendered}>{escape(text)}{''.join(children)}</{tag}>"


ELEMENT = st.recursive(
    st.builds(element, VERBS, ATTRS, st.just([]), TEXT),
    lambda inner: st.builds(element, VERBS, ATTRS, st.lists(inner, max_size=3), TEXT),
    max_leaves=8,
)
DOCUMENT = st.builds(
    lambda children: "<Response>" + "".join(children) + "</Response>", st.lists(ELEMENT, max_size=4)
)
RAW = st.sampled_from(
    [
        "",
        "<",
        "<Response>",
        '<?xml version="1.0" encoding="x-nonsense"?><Response/>',
        '<!DOCTYPE r [<!ENTITY a "aaaa">]><Response>&a;</Response>',
        "<Response>&undefined;</Response>",
        "<Response>" * 2000,
    ]
)


@BOUNDED
@given(document=DOCUMENT | RAW | TEXT, as_bytes=st.booleans())
def test_it_validates_and_plays_any_document_with_twilio_codes(document: str, as_bytes: bool) -> None:
    from twiml import validator
    from twiml.interpreter import play_call

    text: str | bytes = document.encode() if as_bytes else document
    problems = validator.validate(text)
    assert all(isinstance(p.code, int) and 10000 <= p.code < 100000 for p in problems)
    transcript = play_call(text)  # a scripted caller: never raises, whatever the document
    assert transcript is not None


# --- TaskRouter expressions --------------------------------------------------------------------

PYTHONISH = st.sampled_from(
    [
        "__import__('os').system('touch /tmp/pwned')",
        "().__class__.__bases__[0].__subclasses__()",
        "open('/etc/passwd').read()",
        "1 if True else 0",
        "lambda: 1",
        "eval('1')",
        "skills HAS __import__",
        "a.b.c.d.e.f == 1",
        "((((((((((((((((((((1==1))))))))))))))))))))",
        "1 == 1 AND " * 200 + "1 == 1",
    ]
)


@BOUNDED
@given(text=PYTHONISH | TEXT)
def test_it_compiles_any_expression_or_refuses_it_cleanly(text: str) -> None:
    from flex.expressions import ExpressionError, Scope, evaluate

    worker = {"skills": ["a"], "level": 3}
    try:
        value = evaluate(text, Scope(worker, {"worker": worker, "task": {"type": "x"}}))
    except ExpressionError:
        return
    assert isinstance(value, bool)
    assert not Path("/tmp/pwned").exists()


def test_it_never_hands_an_expression_to_python() -> None:
    source = Path(__file__).resolve().parents[2] / "flex" / "expressions.py"
    called = {
        node.func.id
        for node in ast.walk(ast.parse(source.read_text()))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert called.isdisjoint({"eval", "exec", "compile", "__import__"})


# --- inbound webhooks --------------------------------------------------------------------------

FIELD = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
KNOWN = ["From", "To", "Body", "MessageSid", "CallSid", "NumMedia", "MediaUrl0", "Digits", "CallStatus"]
FIELDS = st.dictionaries(st.sampled_from(KNOWN) | FIELD.filter(bool), FIELD, max_size=10)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["sms", "voice"])
def test_it_answers_any_signed_webhook_body_with_200_or_4xx(alice: Any, kind: str) -> None:
    from django.test import Client

    from tests.executions.support import sign, webhook_path
    from tests.studio.flowdefs import make_flow

    flow = make_flow(alice)
    path = webhook_path(flow)
    base = {"From": "+15550100", "To": "+15550199", "AccountSid": alice.sid}
    base.update(
        {"MessageSid": "SM" + "1" * 32, "Body": "hi"} if kind == "sms" else {"CallSid": "CA" + "1" * 32}
    )

    @FEW
    @given(extra=FIELDS, drop=st.lists(st.sampled_from(sorted(base)), max_size=3))
    def check(extra: dict[str, str], drop: list[str]) -> None:
        params = {k: v for k, v in {**base, **extra}.items() if k not in drop}
        response = Client().post(path, params, HTTP_X_TWILIO_SIGNATURE=sign(alice, path, params))
        assert 200 <= response.status_code < 500, (response.status_code, response.content[:300])

    check()
