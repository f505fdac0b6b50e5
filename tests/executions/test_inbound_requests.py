"""The webhook view and the fast path read a request through one set of helpers, and the fast
path's SQL follows the models' metadata (``executions.inbound.requests``, ``executions.inbound.sql``)."""

from __future__ import annotations

from typing import Any
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.db import connection, models
from django.test import RequestFactory

from accounts.signing import twilio_signature
from executions.inbound import fast_path, sql
from executions.inbound.requests import event_key, merged_params, message_pair, signed_url
from executions.inbound.webhook import _params
from executions.models import InboundEvent

FORM = "application/x-www-form-urlencoded"
AC, FW = "AC" + "a" * 32, "FW" + "b" * 32
PATH = f"/v1/Accounts/{AC}/Flows/{FW}"


def both_ways(body: dict[str, str], query: str = "") -> tuple[dict[str, Any], fast_path.Request]:
    """(the view's parameters, the fast path's request) for one signed POST."""
    encoded = urlencode(body).encode()
    full_path = PATH + (f"?{query}" if query else "")
    django_request = RequestFactory().post(full_path, encoded, content_type=FORM)
    scope = {"type": "http", "path": PATH, "query_string": query.encode()}
    headers = {b"host": "testserver", b"content-type": FORM, b"x-twilio-signature": "sig"}
    match = fast_path.PATH.fullmatch(PATH)
    assert match is not None
    parsed = fast_path.parse(scope, match, headers, encoded)
    assert parsed is not None
    assert parsed.full_path == django_request.get_full_path()
    return _params(django_request), parsed


def test_it_gives_the_fast_path_the_parameters_the_view_computes(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["testserver"]
    body = {"MessageSid": "SM" + "1" * 32, "From": "+15551230000", "To": "+15550001111", "Body": "hé"}
    view, fast = both_ways(body, "Extra=1&Body=query-loses")
    assert fast.params == view == {**body, "Extra": "1"}
    assert fast.key == event_key(view) == body["MessageSid"]
    assert (fast.contact, fast.channel) == message_pair(view) == ("+15551230000", "+15550001111")


def test_it_merges_the_body_first_then_the_query() -> None:
    assert merged_params({"a": "1", "b": "2"}, {"b": "x", "c": "3"}) == {"a": "1", "b": "2", "c": "3"}
    assert merged_params({"a": "1"}, None) == {"a": "1"}


def test_it_keys_an_event_by_message_then_sms_then_call_sid() -> None:
    assert event_key({"MessageSid": "SM1", "SmsSid": "SM2", "CallSid": "CA1"}) == "SM1"
    assert event_key({"SmsSid": "SM2", "CallSid": "CA1"}) == "SM2"
    assert event_key({"CallSid": "CA1"}) == "CA1"
    assert event_key({}) == ""


def test_it_pairs_a_messaging_service_sid_as_the_channel() -> None:
    assert message_pair({"From": "+1", "To": "+2", "MessagingServiceSid": "MG1"}) == ("+1", "MG1")
    assert message_pair({"Author": "+1", "To": "+2", "MessagingServiceSid": "XX1"}) == ("+1", "+2")


def test_it_signs_the_public_url_of_the_path_and_query(settings: Any) -> None:
    settings.PUBLIC_BASE_URL = "https://studio.example.com/"
    assert signed_url(PATH + "?a=1") == "https://studio.example.com" + PATH + "?a=1"
    params = {"Body": "hi"}
    from executions.inbound.requests import signature_valid

    good = twilio_signature("token", "https://studio.example.com" + PATH, params)
    assert signature_valid("token", PATH, params, good)
    assert not signature_valid("token", PATH + "?a=1", params, good)


def test_it_inserts_every_column_of_an_inbound_event() -> None:
    concrete = {f.name for f in InboundEvent._meta.concrete_fields if not f.primary_key}
    assert set(sql.inserted_fields()) == concrete


def test_it_follows_a_renamed_column_and_table() -> None:
    key = InboundEvent._meta.get_field("key")
    assert isinstance(key, models.Field)
    with (
        mock.patch.object(key, "column", "event_key"),
        mock.patch.object(InboundEvent._meta, "db_table", "inbound_events"),
    ):
        statement, _row = sql._insert_template()
    assert statement.startswith('INSERT INTO "inbound_events" ("flow_id", "event_key", ')
    assert 'ON CONFLICT ("flow_id", "event_key") DO NOTHING RETURNING "flow_id", "event_key"' in statement
    assert '"key"' not in statement


def test_it_writes_one_values_tuple_per_row() -> None:
    statement = sql.inbound_insert(3)
    assert statement.count("'message', 'pending', '', now())") == 3
    assert statement.count("%s") == 3 * len(sql.ROW_FIELDS)


@pytest.mark.django_db
def test_it_looks_a_flow_up_with_the_real_schema(flow_factory: Any, alice: Any) -> None:
    from tests.executions.factories import survey

    flow = flow_factory(survey())
    with connection.cursor() as cursor:
        cursor.execute(sql.flow_lookup(), [flow.sid, alice.sid])
        assert cursor.fetchone() == (flow.pk, alice.auth_token, alice.status)
        cursor.execute(sql.flow_lookup(), [flow.sid, "AC" + "0" * 32])
        assert cursor.fetchone() is None
