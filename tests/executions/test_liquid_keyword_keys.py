"""A key named like a Liquid literal (``empty``, ``blank``, ``nil``, ``null``, ``true``,
``false``) after a dot is a key, as in Shopify's and Twilio's (Liqp) Liquid: JSON answers
carry such keys (``{"cart": {"empty": false}}``), and ``{{widgets.http.parsed.cart.empty}}``
must read it rather than stop the execution with a syntax error (81018). Alone, the words
keep their meaning."""

from __future__ import annotations

from typing import Any

import pytest

from executions.engine import templates
from studio.liquid import parse_errors
from tests.executions.factories import definition, make_flow, on, state
from tests.executions.support import bodies, start_rest

pytestmark = pytest.mark.django_db(transaction=True)

KEYWORDS = ["empty", "blank", "nil", "null", "true", "false"]


def render(source: str, **data: Any) -> str:
    return templates.render(1, source, {"flow": {"data": data, "variables": {}}})


@pytest.mark.parametrize("key", KEYWORDS)
def test_it_reads_a_key_named_like_a_literal(key: str) -> None:
    data = {"cart": {key: f"value of {key}"}}
    assert render("{{flow.data.cart." + key + "}}", **data) == f"value of {key}"
    assert render("{{flow.data.cart." + key + " | upcase}}", **data) == f"VALUE OF {key.upper()}"
    assert render("{% assign x = flow.data.cart." + key + " %}{{x}}", **data) == f"value of {key}"
    assert parse_errors("{{flow.data.cart." + key + "}}") is None


def test_it_keeps_the_literals_where_they_stand_alone() -> None:
    assert render("{{ true }} {{ nil }}|{{ false | default: 'd' }}") == "true |d"
    assert render("{% if flow.data.s == empty %}E{% endif %}", s="") == "E"
    assert render("{{ flow.data.x | default: true }}") == "true"


def test_it_runs_a_flow_that_reads_such_a_key(alice: Any) -> None:
    flow = make_flow(
        alice,
        definition(
            state(
                "reply",
                "send-message",
                [on("sent"), on("failed")],
                body="cart empty: {{flow.data.cart.empty}}",
                **{"from": "{{flow.channel.address}}", "to": "{{contact.channel.address}}"},
            ),
            trigger=[on("incomingRequest", "reply")],
        ),
    )
    start_rest(flow, data={"cart": {"empty": False}})
    assert bodies() == ["cart empty: false"]
