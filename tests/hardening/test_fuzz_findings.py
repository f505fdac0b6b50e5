"""What the API fuzzer (test_fuzz_api.py) found, one regression test each: these answered 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.hardening.test_bad_input import assert_twilio_400
from tests.hardening.world import World, build_world

pytestmark = pytest.mark.django_db

NOT_OBJECTS = ["4.4e16", "true", "null", "[1, 2]", '"text"']


@pytest.fixture
def world(alice: Any, settings: Any, tmp_path: Any) -> World:
    settings.SERVERLESS = {**settings.SERVERLESS, "ROOT": tmp_path, "FUNCTIONS_DOMAIN": ""}
    return build_world(alice, "alice")


def json_post(api: Any, path: str, raw: str) -> Any:
    return api.post(path, data=raw, content_type="application/json")


@pytest.mark.parametrize("raw", NOT_OBJECTS)
def test_it_refuses_a_json_body_that_is_not_an_object(api: Any, world: World, raw: str) -> None:
    """Keys, Assets, Builds and Variables read parameters with ``.get`` from a float, a bool, a
    list or null (AttributeError / TypeError)."""
    sids = world.sids
    service = f"/v1/Services/{sids['service']}"
    for path in (
        f"/2010-04-01/Accounts/{sids['account']}/Keys.json",
        f"/2010-04-01/Accounts/{sids['account']}/Keys/{sids['key']}.json",
        f"{service}/Assets/{sids['asset']}",
        f"{service}/Builds",
        f"{service}/Environments/{sids['environment']}/Variables/{sids['variable']}",
    ):
        body = assert_twilio_400(json_post(api, path, raw))
        assert "must be an object" in body["message"], path


def test_it_answers_an_unsupported_content_type_in_twilios_shape(api: Any, world: World) -> None:
    """DRF's own {"detail": …} body broke the schema's error shape (415)."""
    path = f"/v1/Services/{world.sids['service']}/Environments"
    response = api.post(path, data=b"\x00", content_type="application/x-unknown")
    assert response.status_code == 415
    body = response.json()
    assert set(body) >= {"code", "message", "more_info", "status"}
    assert (body["code"], body["status"]) == (20415, 415)


def test_it_answers_404_before_checking_the_action_of_another_users_reservation(
    bob: Any, world: World, django_user_model: Any
) -> None:
    """A stranger's reservation POST with a bad action answered 400 (the body checked first)."""
    from tests.studio.console import console_user, post

    stranger = console_user(bob, django_user_model, "mallory", "owner")
    path = f"/api/console/flex/agent/{world.sids['worker']}/reservations/{world.sids['reservation']}"
    assert post(stranger, path, {"action": "nonsense"}).status_code == 404


def test_it_documents_creates_as_201_and_every_taskrouter_operation() -> None:
    """Serverless and TaskRouter creates answer 201, documented as 200 (an undocumented status);
    TaskRouter's views had no request body in the schema ("unable to guess serializer")."""
    from tests.hardening.test_openapi_bodies import generate

    schema, problems = generate()
    assert [p for p in problems if "flex/" in p or "serverless/" in p] == []
    paths = schema["paths"]
    for path in ("/v1/Services/{service_sid}/Builds", "/v1/Workspaces/{ws_sid}/Tasks", "/v1/Workspaces"):
        assert "201" in paths[path]["post"]["responses"], path
        assert "requestBody" in paths[path]["post"], path
    assert "/api/schema/" not in paths
    assert paths["/v2/Flows"]["get"]["responses"]["429"]["content"]


@pytest.mark.parametrize("kind", ["sms", "voice"])
def test_it_refuses_a_nul_character_in_a_webhook_field(alice: Any, kind: str) -> None:
    """PostgreSQL cannot store NUL: a voice webhook with one in a field answered 500 there
    (found by test_properties.py's webhook property on PostgreSQL)."""
    from django.test import Client

    from tests.executions.support import sign, webhook_path
    from tests.studio.flowdefs import make_flow

    flow = make_flow(alice)
    path = webhook_path(flow)
    sid = {"MessageSid": "SM" + "2" * 32} if kind == "sms" else {"CallSid": "CA" + "2" * 32}
    params = {"From": "+1555\x000100", "To": "+15550199", "Body": "a\x00b", **sid}
    response = Client().post(path, params, HTTP_X_TWILIO_SIGNATURE=sign(alice, path, params))
    assert_twilio_400(response)


def test_it_refuses_a_nul_character_in_a_path_a_query_or_a_json_body(api: Any, world: World) -> None:
    assert_twilio_400(api.get("/v2/Flows/FW%00"))
    assert_twilio_400(api.get("/v2/Flows?PageToken=a%00"))
    body = assert_twilio_400(json_post(api, "/v2/Flows/Validate", '{"FriendlyName": "a\\u0000"}'))
    assert "NUL" in body["message"]
    form = "FriendlyName=a%00&Status=draft&Definition={}"
    assert_twilio_400(api.post("/v2/Flows", form, content_type="application/x-www-form-urlencoded"))


@pytest.mark.parametrize("revision", ["-16", "x", "99999999999999999999", "0"])
def test_it_answers_a_json_404_for_a_console_revision_that_is_no_positive_number(
    console: Any, revision: str
) -> None:
    """``<int:revision>`` did not route "-16": Django's HTML 404 page, not the documented JSON."""
    from tests.studio.flowdefs import make_flow

    flow = make_flow(console.account)
    response = console.get(f"/api/console/flows/{flow.sid}/revisions/{revision}")
    assert response.status_code == 404
    assert response.json()["code"] == 20404
    assert console.get(f"/api/console/flows/{flow.sid}/revisions/1").json()["revision"] == 1
