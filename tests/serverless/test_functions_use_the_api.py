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


def test_sms_notifications_sends_one_message_per_recipient(alice: Any, api_url: str, settings: Any) -> None:
    env = deployed(
        alice, "sms-notifications", api_url, settings, PASSCODE="123456", TWILIO_PHONE_NUMBER="+12223334444"
    )
    event = {
        "passcode": "123456",
        "message": "Hello from the tests",
        "recipients": "+13334445555,+17778889999",
    }
    answer = Client().post(f"/fn/{env.label}/send-messages", event)
    assert answer.status_code == 200, answer.content
    sent = list(Message.objects.filter(account=alice).order_by("to_address"))
    assert [(m.from_address, m.to_address, m.body) for m in sent] == [
        ("+12223334444", "+13334445555", "Hello from the tests"),
        ("+12223334444", "+17778889999", "Hello from the tests"),
    ]
    assert sorted(r["sid"] for r in answer.json()["result"]) == sorted(m.sid for m in sent)
    assert all(r["success"] is True for r in answer.json()["result"])


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
