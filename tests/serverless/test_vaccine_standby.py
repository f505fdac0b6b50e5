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

from serverless.models import Environment, Variable
from studio.models import Flow
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


def test_setup_creates_the_studio_flow_through_this_servers_api(env: Environment, alice: Any) -> None:
    token = Client().post(f"/fn/{env.label}/login", {"password": "s3cret"}).json()["token"]
    answer = Client().post(f"/fn/{env.label}/setup", {"token": token})
    flow = Flow.objects.get(account=alice, friendly_name="Vaccine Standby Intake")
    assert flow.status == Flow.Status.PUBLISHED
    assert Variable.objects.get(environment=env, key="FLOW_SID").value == flow.sid
    # Its last step points the phone number's webhook at the flow: this server has no
    # IncomingPhoneNumbers resource, so that step (and the setup) ends in the function's error.
    assert answer.status_code == 500 and b"IncomingPhoneNumber" in answer.content
