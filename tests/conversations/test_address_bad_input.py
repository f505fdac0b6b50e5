"""Bad input on the SMS path of Conversations: Address Configurations, Studio webhooks and the
signed inbound entry. Unknown or another account's SIDs answer Twilio's error shape; nothing is half-stored,
nothing reaches across accounts."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from accounts.signing import twilio_signature
from conversations.models import AddressConfiguration, Conversation
from executions.models import Execution
from tests.executions.factories import definition, make_flow, on, state

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER, CONTACT = "+15550007777", "+15551230042"


def bot() -> dict[str, Any]:
    return definition(
        state("hello", "send-message", [on("sent"), on("failed")], body="Hi"),
        trigger=[on("incomingConversationMessage", "hello")],
    )


def refused(answer: Any) -> tuple[int, int]:
    body = answer.json()
    assert set(body) >= {"code", "message", "more_info", "status"}
    return answer.status_code, body["code"]


def configure(api: Any, flow_sid: str, address: str = NUMBER) -> Any:
    return api.post(
        "/v1/Configuration/Addresses",
        {
            "Type": "sms",
            "Address": address,
            "AutoCreation.Enabled": "true",
            "AutoCreation.Type": "studio",
            "AutoCreation.StudioFlowSid": flow_sid,
        },
    )


def text_in(account_sid: str, token: str, to: str = NUMBER, body: str = "hello") -> Any:
    path = f"/v1/Accounts/{account_sid}/Conversations/Inbound"
    form = {"From": CONTACT, "To": to, "Body": body, "MessageSid": "SM" + "1" * 32}
    signature = twilio_signature(token, settings.PUBLIC_BASE_URL.rstrip("/") + path, form)
    return Client().post(path, form, HTTP_X_TWILIO_SIGNATURE=signature)


def test_another_accounts_address_configuration_is_a_404_and_stays_as_it_was(
    api: Any, bob_api: Any, alice: Any
) -> None:
    sid = configure(api, make_flow(alice, bot()).sid).json()["sid"]
    path = f"/v1/Configuration/Addresses/{sid}"
    assert refused(bob_api.get(path)) == (404, 20404)
    assert refused(bob_api.post(path, {"FriendlyName": "mine now", "AutoCreation.Enabled": "false"})) == (
        404,
        20404,
    )
    assert refused(bob_api.delete(path)) == (404, 20404)
    assert bob_api.get("/v1/Configuration/Addresses").json()["address_configurations"] == []
    kept = AddressConfiguration.objects.get(sid=sid)
    assert (kept.friendly_name, kept.auto_creation_enabled) == ("", True)
    assert refused(api.post("/v1/Configuration/Addresses/IG" + "0" * 32, {"FriendlyName": "x"})) == (
        404,
        20404,
    )
    assert refused(api.delete("/v1/Configuration/Addresses/IG" + "0" * 32)) == (404, 20404)


def test_an_unknown_or_another_accounts_flow_is_refused_and_nothing_is_stored(
    api: Any, alice: Any, bob: Any
) -> None:
    theirs = make_flow(bob, bot())
    assert refused(configure(api, "FW" + "0" * 32)) == (400, 20001)
    assert refused(configure(api, theirs.sid)) == (400, 20001)
    assert not AddressConfiguration.objects.exists()

    sid = configure(api, make_flow(alice, bot()).sid).json()["sid"]
    before = AddressConfiguration.objects.get(sid=sid).studio_flow_sid
    answer = api.post(f"/v1/Configuration/Addresses/{sid}", {"AutoCreation.StudioFlowSid": theirs.sid})
    assert refused(answer) == (400, 20001)
    assert AddressConfiguration.objects.get(sid=sid).studio_flow_sid == before


def test_an_unknown_or_another_accounts_conversation_service_is_a_404(
    api: Any, bob_api: Any, alice: Any
) -> None:
    theirs = bob_api.post("/v1/Services", {"FriendlyName": "Bob's"}).json()["sid"]
    flow = make_flow(alice, bot())
    for service in ("IS" + "0" * 32, theirs):
        form = {
            "Type": "sms",
            "Address": NUMBER,
            "AutoCreation.Type": "studio",
            "AutoCreation.StudioFlowSid": flow.sid,
            "AutoCreation.ConversationServiceSid": service,
        }
        assert refused(api.post("/v1/Configuration/Addresses", form)) == (404, 20404)
    assert not AddressConfiguration.objects.exists()


def test_a_text_to_another_accounts_number_opens_nothing_there(api: Any, alice: Any, bob: Any) -> None:
    flow = make_flow(alice, bot())
    assert configure(api, flow.sid).status_code == 201
    answer = text_in(bob.sid, bob.auth_token)  # Bob's own entry, naming Alice's number
    assert answer.status_code == 200 and b"<Response/>" in answer.content
    assert refused(text_in(bob.sid, alice.auth_token)) == (403, 20403)  # Alice's key on Bob's entry
    assert refused(text_in("AC" + "0" * 32, alice.auth_token)) == (404, 20404)
    assert not Conversation.objects.exists() and not Execution.objects.exists()
    assert text_in(alice.sid, alice.auth_token).status_code == 200  # the right door still opens
    assert Conversation.objects.get().account_id == alice.pk
    assert Execution.objects.get().flow_id == flow.pk


def test_a_disabled_configuration_opens_no_conversation(api: Any, alice: Any) -> None:
    sid = configure(api, make_flow(alice, bot()).sid).json()["sid"]
    api.post(f"/v1/Configuration/Addresses/{sid}", {"AutoCreation.Enabled": "false"})
    assert text_in(alice.sid, alice.auth_token).status_code == 200
    assert not Conversation.objects.exists()


def test_a_studio_webhook_naming_an_unknown_or_another_accounts_flow_is_refused(
    api: Any, alice: Any, bob: Any
) -> None:
    from conversations.models import ConversationWebhook

    sid = api.post("/v1/Conversations", {"FriendlyName": "SMS"}).json()["sid"]
    path = f"/v1/Conversations/{sid}/Webhooks"
    for flow_sid in ("FW" + "0" * 32, make_flow(bob, bot()).sid):
        answer = api.post(path, {"Target": "studio", "Configuration.FlowSid": flow_sid})
        assert refused(answer) == (400, 20001)
    assert not ConversationWebhook.objects.exists()
    mine = api.post(path, {"Target": "studio", "Configuration.FlowSid": make_flow(alice, bot()).sid})
    assert mine.status_code == 201
