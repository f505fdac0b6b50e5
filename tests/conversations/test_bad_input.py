"""Bad input meets Twilio's error shape: nothing half-stored, nothing leaked; scripts in bodies
are stored and answered verbatim as JSON data (pages that show them render text, not markup)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import pytest

from conversations.models import ConversationMessage, Participant

pytestmark = pytest.mark.django_db(transaction=True)


def conversation(api: Any) -> str:
    answer = api.post("/v1/Conversations", {"FriendlyName": "Chat"})
    assert answer.status_code == 201
    return str(answer.json()["sid"])


def refused(answer: Any) -> tuple[int, int]:
    body = answer.json()
    assert set(body) >= {"code", "message", "more_info", "status"}
    return answer.status_code, body["code"]


def test_an_oversize_body_is_refused_and_nothing_is_stored(api: Any) -> None:
    sid = conversation(api)
    answer = api.post(f"/v1/Conversations/{sid}/Messages", {"Body": "x" * 1601})
    assert refused(answer) == (400, 20001)
    assert api.post(f"/v1/Conversations/{sid}/Messages", {"Body": "x" * 1600}).status_code == 201
    assert ConversationMessage.objects.count() == 1


def test_a_request_larger_than_the_upload_limit_is_a_413(api: Any, settings: Any) -> None:
    sid = conversation(api)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    answer = api.post(f"/v1/Conversations/{sid}/Messages", {"Body": "y" * 20_000})
    assert answer.status_code in (400, 413) and answer.json()["code"] == 20001
    assert ConversationMessage.objects.count() == 0


@pytest.mark.parametrize(
    "attributes",
    ["{not json", "[" * 200 + "]" * 200, json.dumps({"x": "y" * 20_000})],
    ids=["malformed", "too-deep", "too-long"],
)
def test_bad_attributes_are_refused(api: Any, attributes: str) -> None:
    sid = conversation(api)
    answer = api.post(f"/v1/Conversations/{sid}/Messages", {"Body": "hi", "Attributes": attributes})
    assert answer.status_code == 400
    assert api.post("/v1/Conversations", {"Attributes": attributes}).status_code == 400
    assert ConversationMessage.objects.count() == 0


def test_an_empty_message_is_refused(api: Any) -> None:
    sid = conversation(api)
    assert refused(api.post(f"/v1/Conversations/{sid}/Messages", {"Author": "x"})) == (400, 50500)


def test_participants_are_identities_or_full_sms_bindings(api: Any) -> None:
    sid = conversation(api)
    path = f"/v1/Conversations/{sid}/Participants"
    assert api.post(path, {}).status_code == 400
    both = {
        "Identity": "a",
        "MessagingBinding.Address": "+15551230001",
        "MessagingBinding.ProxyAddress": "+1555",
    }
    assert api.post(path, both).status_code == 400
    assert api.post(path, {"MessagingBinding.Address": "+15551230001"}).status_code == 400
    assert api.post(path, {"Identity": "i" * 300}).status_code == 400
    assert Participant.objects.count() == 0


def test_the_same_sms_pair_cannot_be_in_two_open_conversations(api: Any) -> None:
    pair = {"MessagingBinding.Address": "+15551230001", "MessagingBinding.ProxyAddress": "+15550009999"}
    first, second = conversation(api), conversation(api)
    assert api.post(f"/v1/Conversations/{first}/Participants", pair).status_code == 201
    assert refused(api.post(f"/v1/Conversations/{second}/Participants", pair)) == (409, 50416)
    api.post(f"/v1/Conversations/{first}", {"State": "closed"})
    assert api.post(f"/v1/Conversations/{second}/Participants", pair).status_code == 201


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/v1/Conversations", {"State": "paused"}),
        ("/v1/Conversations", {"Timers.Inactive": "ten minutes"}),
        ("/v1/Conversations", {"UniqueName": "CH" + "0" * 32}),
        ("/v1/Configuration/Addresses", {"Type": "sms", "Address": "+1555", "AutoCreation.Type": "studio"}),
        ("/v1/Configuration/Addresses", {"Type": "fax", "Address": "+1555"}),
    ],
)
def test_malformed_parameters_are_400s(api: Any, path: str, form: dict[str, str]) -> None:
    assert refused(api.post(path, form))[0] == 400


def test_webhooks_refuse_unknown_filters_targets_and_urls(api: Any) -> None:
    path = f"/v1/Conversations/{conversation(api)}/Webhooks"
    assert api.post(path, {"Target": "email"}).status_code == 400
    assert api.post(path, {"Target": "webhook", "Configuration.Url": "ftp://x"}).status_code == 400
    bad_filter = {
        "Target": "webhook",
        "Configuration.Url": "https://e.com",
        "Configuration.Filters": "onAnything",
    }
    assert api.post(path, bad_filter).status_code == 400
    assert api.post(path, {"Target": "studio", "Configuration.FlowSid": "not-a-flow"}).status_code == 400
    media = {"Body": "x", "MediaUrl": "javascript:alert(1)"}
    assert api.post(path.replace("Webhooks", "Messages"), media).status_code == 400


def test_unknown_and_foreign_sids_are_404s_with_twilios_code(api: Any, bob_api: Any) -> None:
    sid = conversation(api)
    assert refused(api.get("/v1/Conversations/CH" + "0" * 32)) == (404, 20404)
    assert refused(api.get(f"/v1/Conversations/{sid}/Messages/IM" + "0" * 32)) == (404, 20404)
    assert refused(api.get(f"/v1/Conversations/{sid}/Webhooks/WH" + "0" * 32)) == (404, 20404)
    assert refused(api.get("/v1/Services/IS" + "0" * 32)) == (404, 20404)
    assert refused(api.get("/v1/Configuration/Addresses/IG" + "0" * 32)) == (404, 20404)
    assert refused(bob_api.post(f"/v1/Conversations/{sid}/Participants", {"Identity": "mallory"})) == (
        404,
        20404,
    )
    assert (
        refused(
            bob_api.get(f"/v1/Services/{api.get(f'/v1/Conversations/{sid}').json()['chat_service_sid']}")
        )[0]
        == 404
    )
    assert Participant.objects.count() == 0


def test_a_script_in_a_body_is_stored_and_answered_verbatim_as_json(api: Any) -> None:
    sid = conversation(api)
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    api.post(f"/v1/Conversations/{sid}/Messages", {"Body": script, "Author": "<b>me</b>"})
    listed = api.get(f"/v1/Conversations/{sid}/Messages")
    assert listed["Content-Type"].startswith("application/json")
    (message,) = listed.json()["messages"]
    assert (message["body"], message["author"]) == (script, "<b>me</b>")


def test_a_webhook_target_gets_the_signed_on_message_added_event(api: Any, settings: Any) -> None:
    from accounts.signing import valid_signature
    from scenarios.stubs import Stub

    settings.STUDIO = {**settings.STUDIO, "ALLOWED_HTTP_HOSTS": ["127.0.0.1"]}
    with Stub() as stub:
        stub.route("/hook", body="")
        sid = conversation(api)
        hook = {
            "Target": "webhook",
            "Configuration.Url": stub.url("/hook"),
            "Configuration.Filters": "onMessageAdded",
        }
        assert api.post(f"/v1/Conversations/{sid}/Webhooks", hook).status_code == 201
        api.post(f"/v1/Conversations/{sid}/Messages", {"Author": "ann", "Body": "hello"})
        (request,) = stub.requests
    form = request.form
    assert (form["EventType"], form["ConversationSid"], form["Author"], form["Body"]) == (
        "onMessageAdded",
        sid,
        "ann",
        "hello",
    )
    assert form["Index"] == "0" and form["MessageSid"].startswith("IM")
    signature = request.headers["x-twilio-signature"]
    signed = dict(parse_qsl(request.body.decode(), keep_blank_values=True))  # empty fields are signed too
    assert valid_signature(api.account.auth_token, stub.url("/hook"), signed, signature)


def test_a_json_body_that_is_not_text_is_refused(api: Any) -> None:
    sid = conversation(api)
    answer = api.post(f"/v1/Conversations/{sid}/Messages", {"Body": {"nested": ["x"]}}, format="json")
    assert refused(answer) == (400, 20001)
    assert ConversationMessage.objects.count() == 0
