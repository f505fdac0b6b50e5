"""Corpus functions that send messages through getTwilioClient() send them through this server's
Messages API: what their jest tests check on a mocked client is checked here on the real rows."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from twilio.request_validator import RequestValidator

from executions.models import Message
from serverless.models import Environment, Variable
from serverless.serializers import resource_url
from tests.serverless.support import CORPUS

pytestmark = pytest.mark.django_db(transaction=True)


def deployed(account: Any, project: str, api_url: str, settings: Any, **variables: str) -> Environment:
    settings.SERVERLESS = {**settings.SERVERLESS, "API_BASE_URL": api_url}
    out = io.StringIO()
    call_command("functions", "deploy", str(CORPUS / project), "--account", account.sid, "--json", stdout=out)
    env = Environment.objects.select_related("account", "service").get(
        sid=json.loads(out.getvalue())["environment_sid"]
    )
    Variable.objects.filter(environment=env).delete()
    for key, value in variables.items():
        Variable.objects.create(account=account, service=env.service, environment=env, key=key, value=value)
    return env


def test_sms_notifications_sends_the_message_and_answers_its_sid(
    alice: Any, api_url: str, settings: Any
) -> None:
    # One recipient (their test "sends one successful message"): several are sent concurrently,
    # which the test database (SQLite in memory, shared cache) answers with "table is locked".
    env = deployed(
        alice, "sms-notifications", api_url, settings, PASSCODE="123456", TWILIO_PHONE_NUMBER="+12223334444"
    )
    event = {"passcode": "123456", "message": "Hello from the tests", "recipients": "+13334445555"}
    answer = Client().post(f"/fn/{env.label}/send-messages", event)
    assert answer.status_code == 200, answer.content
    sent = Message.objects.get(account=alice)
    assert (sent.from_address, sent.to_address, sent.body) == (
        "+12223334444",
        "+13334445555",
        "Hello from the tests",
    )
    assert answer.json() == {"result": [{"success": True, "sid": sent.sid}]}


def test_voice_ivr_texts_the_address_when_3_is_pressed(alice: Any, api_url: str, settings: Any) -> None:
    env = deployed(alice, "voice-ivr", api_url, settings, TWILIO_PHONE_NUMBER="TwilioNumber")
    event = {"From": "+12223334444", "To": "+13334445555", "Digits": "3"}
    signature = RequestValidator(alice.auth_token).compute_signature(
        resource_url(env, "/handle-user-input"), event
    )
    answer = Client().post(f"/fn/{env.label}/handle-user-input", event, HTTP_X_TWILIO_SIGNATURE=signature)
    assert b"<Say>We will send you a text message with our address in a minute.</Say>" in answer.content
    message = Message.objects.get(account=alice)
    assert (message.from_address, message.to_address) == ("+13334445555", "+12223334444")
    assert message.body == "Here is our address: 375 Beale St #300, San Francisco, CA 94105, USA"
