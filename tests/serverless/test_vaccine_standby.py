"""vaccine-standby (the corpus's whole app): its login uses a private helper through
Runtime.getFunctions(), and its setup creates the app's Studio flow through getTwilioClient() on
this server's API, then records the flow's SID in its own environment's variables (found through
the Serverless API by its DOMAIN_NAME)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import IncomingPhoneNumber
from executions.models import Execution
from serverless.models import Environment, Variable
from studio.models import Flow
from studio.serializers import webhook_url
from tests.executions.support import send_sms
from tests.serverless.support import CORPUS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def env(alice: Any, api_url: str, settings: Any) -> Environment:
    # getTwilioClient() talks to this server's API: the one a deployed function would reach.
    settings.SERVERLESS = {**settings.SERVERLESS, "API_BASE_URL": api_url}
    out = io.StringIO()
    project = str(CORPUS / "vaccine-standby")
    call_command("functions", "deploy", project, "--account", alice.sid, "--json", stdout=out)
    deployed = json.loads(out.getvalue())
    environment = Environment.objects.select_related("account", "service").get(
        sid=deployed["environment_sid"]
    )
    for key, value in {"ADMIN_PASSWORD": "s3cret", "TWILIO_PHONE_NUMBER": "+15550001111"}.items():
        Variable.objects.create(
            account=alice, service=environment.service, environment=environment, key=key, value=value
        )
    return environment


def test_login_answers_a_token_for_the_admin_password_only(env: Environment) -> None:
    good = Client().post(f"/fn/{env.label}/login", {"password": "s3cret"})
    assert good.status_code == 200 and good.json()["token"]
    bad = Client().post(f"/fn/{env.label}/login", {"password": "guess"})
    assert bad.status_code == 401 and bad.json() == {"message": "Unauthorized"}


NUMBER = "+15550001111"  # the app's TWILIO_PHONE_NUMBER
RESIDENT = "+15551239876"
# A resident's answers, question by question, to the end of the intake flow.
ANSWERS = ["hi", "yes", "Ada Lovelace", "67", "94110", "no", "yes", "no", "no", "yes", "1", "1"]


def set_up(env: Environment, alice: Any) -> tuple[Flow, IncomingPhoneNumber, Any]:
    number = IncomingPhoneNumber.objects.create(account=alice, phone_number=NUMBER)
    token = Client().post(f"/fn/{env.label}/login", {"password": "s3cret"}).json()["token"]
    answer = Client().post(f"/fn/{env.label}/setup", {"token": token})
    assert answer.status_code == 200, answer.content
    assert answer.content == b"success"
    flow = Flow.objects.get(account=alice, friendly_name="Vaccine Standby Intake")
    number.refresh_from_db()
    return flow, number, token


def test_setup_creates_the_studio_flow_and_points_the_number_at_it(env: Environment, alice: Any) -> None:
    flow, number, _ = set_up(env, alice)
    assert flow.status == Flow.Status.PUBLISHED
    assert Variable.objects.get(environment=env, key="FLOW_SID").value == flow.sid
    # Its last step found the number through IncomingPhoneNumbers and set its SMS webhook to
    # the flow's webhook URL (Studio v2's ``webhook_url``), as on Twilio.
    assert number.sms_url == webhook_url(flow)
    assert Client().post(f"/fn/{env.label}/check-existing-flow").content == flow.sid.encode()


def test_a_resident_texts_the_flow_and_the_apps_functions_list_them(env: Environment, alice: Any) -> None:
    flow, _, token = set_up(env, alice)
    for body in ANSWERS:
        send_sms(Client(), flow, RESIDENT, NUMBER, body)
    execution = Execution.objects.get(flow=flow)
    assert execution.status == "ended"
    residents = Client().post(f"/fn/{env.label}/get-studio-executions", {"token": token})
    assert residents.status_code == 200, residents.content
    (resident,) = residents.json()
    assert resident["name"] == "Ada Lovelace" and resident["phone_number"] == RESIDENT
    assert (resident["age"], resident["zip_code"], resident["language_preference"]) == ("67", "94110", "1")
