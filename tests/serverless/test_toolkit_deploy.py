"""The Serverless Toolkit's own deploy client (@twilio-labs/serverless-api, installed by
``make toolkit``) deploys a corpus project here unchanged: services, environments, multipart
version uploads, builds polled through Status, variables and deployments all answer as Twilio's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from twilio.request_validator import RequestValidator

from serverless.models import Environment, Service
from serverless.serializers import resource_url
from tests.serverless.support import CORPUS

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPT = Path(__file__).with_name("toolkit_deploy.js")
MODULES = Path(django_settings.BASE_DIR) / "var" / "toolkit" / "node_modules"


def toolkit_deploy(
    account: Any, api_url: str, project: Path, name: str, environment: str = "dev"
) -> dict[str, Any]:
    assert (MODULES / "@twilio-labs" / "serverless-api").is_dir(), "run `make toolkit` (or `make test`)"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "TOOLKIT_MODULES": str(MODULES),
        "API_BASE": api_url,
        "ACCOUNT_SID": account.sid,
        "AUTH_TOKEN": account.auth_token,
    }
    done = subprocess.run(
        ["node", str(SCRIPT), str(project), name, environment],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_toolkit_deploys_and_redeploys_a_project_here(alice: Any, api_url: str, tmp_path: Path) -> None:
    project = tmp_path / "hello-voice"
    shutil.copytree(CORPUS / "hello-voice", project)
    first = toolkit_deploy(alice, api_url, project, "toolkit-voice")
    service = Service.objects.get(sid=first["serviceSid"])
    env = Environment.objects.select_related("build", "account", "service").get(sid=first["environmentSid"])
    assert (service.unique_name, env.domain_suffix, env.build.sid) == (
        "toolkit-voice",
        "dev",
        first["buildSid"],
    )
    assert first["domain"] == resource_url(env, "/").split("://", 1)[1].rstrip("/")
    assert [(f["path"], f["access"]) for f in first["functions"]] == [("/hello-voice", "protected")]
    assert {v.key: v.value for v in env.variables.all()} == {"GREETING": "from the toolkit"}

    url = resource_url(env, "/hello-voice")
    signature = RequestValidator(alice.auth_token).compute_signature(url, {})
    answer = Client().post(f"/fn/{env.label}/hello-voice", {}, HTTP_X_TWILIO_SIGNATURE=signature)
    assert answer.status_code == 200 and b"<Say>Hello World</Say>" in answer.content
    assert Client().get(f"/fn/{env.label}/index.html")["Content-Type"].startswith("text/html")

    (project / "functions" / "hello-voice.protected.js").write_text(
        "exports.handler = (c, e, cb) => { const t = new Twilio.twiml.VoiceResponse(); t.say(c.GREETING); cb(null, t); };\n"
    )
    second = toolkit_deploy(alice, api_url, project, "toolkit-voice")
    assert (second["serviceSid"], second["environmentSid"]) == (first["serviceSid"], first["environmentSid"])
    assert second["buildSid"] != first["buildSid"]
    answer = Client().post(f"/fn/{env.label}/hello-voice", {}, HTTP_X_TWILIO_SIGNATURE=signature)
    assert b"<Say>from the toolkit</Say>" in answer.content
