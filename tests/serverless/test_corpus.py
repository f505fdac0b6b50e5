"""Every corpus project deploys with ``manage.py functions deploy`` unchanged and answers, over
HTTP, what its own jest tests expect for the same event and variables (corpus_cases.py).

Builds share the npm cache (``SERVERLESS["NPM_CACHE"]`` under var/): only the first run of a
machine installs ``moment``/``node-fetch`` from the npm registry."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils.datastructures import MultiValueDict
from twilio.request_validator import RequestValidator

from scenarios.stubs import Stub
from serverless.models import Environment, Variable
from serverless.serializers import resource_url
from tests.serverless.corpus_cases import CASES, Case
from tests.serverless.support import CORPUS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def shared_npm_cache(settings: Any) -> None:
    cache = django_settings.BASE_DIR / "var" / "test-serverless-npm"
    settings.SERVERLESS = {**settings.SERVERLESS, "NPM_CACHE": cache}


def deploy(account: Any, project: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("functions", "deploy", str(CORPUS / project), "--account", account.sid, "--json", stdout=out)
    return dict(json.loads(out.getvalue()))


def signed_post(env: Environment, case: Case) -> Any:
    """POST the event as Twilio would: form-encoded and signed with the account's auth token."""
    lists = {k: v if isinstance(v, list) else [v] for k, v in case.params.items()}
    signature = RequestValidator(env.account.auth_token).compute_signature(
        resource_url(env, case.path), MultiValueDict(lists)
    )
    return Client().post(
        f"/fn/{env.label}{case.path}",
        urlencode(lists, doseq=True),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )


def check(env: Environment, case: Case) -> None:
    # The jest context is exactly the case's variables: the environment gets those, nothing else.
    Variable.objects.filter(environment=env).delete()
    for key, value in case.variables.items():
        Variable.objects.create(
            account=env.account, service=env.service, environment=env, key=key, value=value
        )
    answer = signed_post(env, case)
    body = answer.content.decode()
    where = f"{case.path} {case.params}: {answer.status_code} {body[:400]}"
    assert answer.status_code == case.status, where
    if case.content_type:
        assert answer["Content-Type"].startswith(case.content_type), where
    for text in case.contains:
        assert text in body, where
    if case.equals is not None:
        assert body == case.equals, where
    for name, value in case.headers.items():
        assert answer[name] == value, where


@pytest.mark.parametrize("project", sorted(CASES))
def test_each_corpus_project_answers_what_its_own_tests_expect(project: str, alice: Any) -> None:
    deployed = deploy(alice, project)
    env = Environment.objects.select_related("account", "service", "build").get(
        sid=deployed["environment_sid"]
    )
    for case in CASES[project]:
        check(env, case)


def test_json_webhook_forwards_the_event_to_its_webhook(alice: Any, stub: Stub, allow_local: None) -> None:
    """json-webhook's own tests mock node-fetch; here the npm package really posts to a local peer."""
    stub.route("/hook", body={"ok": True})
    stub.route("/broken", status=500, body={"ok": False})
    env = Environment.objects.select_related("account", "service").get(
        sid=deploy(alice, "json-webhook")["environment_sid"]
    )
    event = {"Body": "Hello world", "From": "ExternalNumber", "MessageSid": "SM1"}
    check(env, Case("/event-to-webhook", params=event, variables={"WEBHOOK_URL": stub.url("/hook")},
                    contains=("The SMS was successfully forwarded to your webhook.",)))  # fmt: skip
    posted = stub.requests[0].json
    assert (posted["value1"], posted["value2"], posted["value3"]) == ("SM1", "ExternalNumber", "Hello world")
    check(
        env,
        Case("/event-to-webhook", params=event, variables={"WEBHOOK_URL": stub.url("/broken")}, status=500),
    )
