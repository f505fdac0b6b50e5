"""Media links: ``links.content_direct_temporary`` is a short-lived signed URL that serves the
bytes without credentials (as Twilio's), and a message with uploaded media reaches SMS
participants as an MMS whose MediaUrl is such a link."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client

from conversations import services
from executions.models import Message
from tests.conversations.test_media import PNG, upload

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.fixture
def conversation(alice: Any) -> Any:
    with transaction.atomic():
        return services.create_conversation(alice)


def test_the_temporary_link_serves_the_bytes_without_credentials(api: Any, conversation: Any) -> None:
    media = upload(api, conversation.service.sid, PNG, name="receipt.png").json()
    link = media["links"]["content_direct_temporary"]
    assert link.startswith("http") and f"/Media/{media['sid']}/" in link
    answer = Client().get(path_of(link))  # nobody's credentials
    assert answer.status_code == 200 and answer.content == PNG
    assert answer["Content-Type"] == "image/png" and answer["X-Content-Type-Options"] == "nosniff"
    again = api.get(f"/v1/Services/{conversation.service.sid}/Media/{media['sid']}").json()
    assert Client().get(path_of(again["links"]["content_direct_temporary"])).content == PNG


def test_a_tampered_or_expired_link_is_refused(api: Any, conversation: Any, monkeypatch: Any) -> None:
    media = upload(api, conversation.service.sid, PNG).json()
    link = path_of(media["links"]["content_direct_temporary"])
    other = upload(api, conversation.service.sid, b"GIF89a").json()
    swapped = link.replace(media["sid"], other["sid"])  # one file's signature on another
    assert Client().get(swapped).status_code == 403
    assert Client().get(link.replace("Signature=", "Signature=0")).status_code == 403
    assert Client().get(link.split("?")[0]).json()["code"] == 20403
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    expired = Client().get(link)
    assert expired.status_code == 403 and expired.json()["code"] == 20403


def test_a_deleted_medias_link_serves_nothing(api: Any, conversation: Any) -> None:
    media = upload(api, conversation.service.sid, PNG).json()
    link = path_of(media["links"]["content_direct_temporary"])
    assert api.delete(f"/v1/Services/{conversation.service.sid}/Media/{media['sid']}").status_code == 204
    assert Client().get(link).status_code == 404


def test_an_sms_participant_gets_uploaded_media_as_an_mms(api: Any, conversation: Any) -> None:
    with transaction.atomic():
        services.add_participant(conversation, address="+15551230001", proxy_address="+15550009999")
    media = upload(api, conversation.service.sid, PNG, name="map.png").json()
    posted = api.post(
        f"/v1/Conversations/{conversation.sid}/Messages",
        {"Author": "agent-ann", "Body": "Here is the map", "MediaSid": media["sid"]},
    )
    assert posted.status_code == 201, posted.content
    sms = Message.objects.get(account=conversation.account, to_address="+15551230001")
    assert (sms.from_address, sms.body) == ("+15550009999", "Here is the map")
    assert len(sms.media_urls) == 1 and f"/Media/{media['sid']}/ContentDirectTemporary" in sms.media_urls[0]
    fetched = Client().get(path_of(sms.media_urls[0]))  # as the provider fetches it: no credentials
    assert fetched.status_code == 200 and fetched.content == PNG
