"""Media for Conversations (the Media Content Service): a file posted as the raw body becomes an
``ME…`` resource of the service; a message names it by ``MediaSid`` and lists it in ``media``; its
bytes come back from ``…/Content``, as an attachment."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from conversations import services

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def upload(
    client: Any, service_sid: str, body: bytes, content_type: str = "image/png", name: str = ""
) -> Any:
    query = f"?Filename={name}" if name else ""
    return client.generic("POST", f"/v1/Services/{service_sid}/Media{query}", body, content_type=content_type)


def test_an_upload_becomes_a_message_attachment(api: Any, alice: Any) -> None:
    with transaction.atomic():
        conversation = services.create_conversation(alice)
    service = conversation.service.sid
    answer = upload(api, service, PNG, name="receipt.png")
    assert answer.status_code == 201, answer.content
    media = answer.json()
    assert media["sid"].startswith("ME") and len(media["sid"]) == 34
    assert (media["service_sid"], media["size"], media["content_type"]) == (service, len(PNG), "image/png")
    assert (media["filename"], media["message_sid"], media["category"]) == ("receipt.png", None, "media")
    assert media["links"]["content"] == f"/v1/Services/{service}/Media/{media['sid']}/Content"

    posted = api.post(f"/v1/Conversations/{conversation.sid}/Messages", {"MediaSid": media["sid"]})
    assert posted.status_code == 201, posted.content
    assert posted.json()["media"] == [
        {
            "sid": media["sid"],
            "content_type": "image/png",
            "filename": "receipt.png",
            "size": len(PNG),
            "category": "media",
        }
    ]
    fetched = api.get(f"/v1/Services/{service}/Media/{media['sid']}").json()
    assert (fetched["message_sid"], fetched["channel_sid"]) == (posted.json()["sid"], conversation.sid)
    content = api.get(media["links"]["content"])
    assert content.status_code == 200 and content.content == PNG
    assert content["Content-Type"] == "image/png" and content["Content-Disposition"].startswith("attachment")


def test_bad_uploads_and_unknown_media_are_refused_in_twilios_shape(
    api: Any, bob_api: Any, alice: Any
) -> None:
    with transaction.atomic():
        conversation = services.create_conversation(alice)
    service = conversation.service.sid
    assert upload(api, service, b"").status_code == 400
    assert upload(api, service, PNG, content_type="not a type").status_code == 400
    assert upload(api, service, b"a=b", content_type="application/x-www-form-urlencoded").status_code == 400
    unknown = api.post(f"/v1/Conversations/{conversation.sid}/Messages", {"MediaSid": "ME" + "0" * 32})
    assert (unknown.status_code, unknown.json()["code"]) == (400, 20001)
    mine = upload(api, service, PNG).json()
    assert bob_api.get(f"/v1/Services/{service}/Media/{mine['sid']}").status_code == 404
    assert bob_api.get(f"/v1/Services/{service}/Media/{mine['sid']}/Content").status_code == 404
    assert upload(bob_api, service, PNG).status_code == 404
