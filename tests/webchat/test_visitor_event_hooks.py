"""A web chat visitor's message is a chat participant's action: the service's pre-action hook
is asked before it is added (and may refuse or change it), the post-action hook told after."""

from __future__ import annotations

import time
from typing import Any

import pytest

from accounts.errors import TwilioAPIError
from conversations.models import Conversation, ConversationMessage
from scenarios.stubs import Recorded, Stub
from studio.models import Flow
from tests.webchat.conftest import open_chat
from webchat import visitors

pytestmark = pytest.mark.django_db(transaction=True)


def heard(stub: Stub, path: str, count: int) -> list[Recorded]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len([r for r in stub.requests if r.path == path]) < count:
        time.sleep(0.02)
    return [r for r in stub.requests if r.path == path]


def test_the_visitors_messages_pass_the_pre_hook_and_are_told(
    api: Any, key: Any, webchat_flow: Flow, settings: Any
) -> None:
    settings.STUDIO = {**settings.STUDIO, "ALLOWED_HTTP_HOSTS": ["127.0.0.1"]}
    with Stub() as stub:
        stub.route("/post", body="")
        stub.route(
            "/pre",
            handler=lambda r: (
                (403, {}, "")
                if "buy now" in r.form["Body"]
                else (200, {}, '{"body": "ok: ' + r.form["Body"] + '"}')
            ),
        )
        answer = open_chat(key.key, webchat_flow.sid, friendlyName="Ann")
        conversation = Conversation.objects.get(sid=answer.json()["conversation_sid"])
        visitor = visitors.visitor_from(answer.json()["token"], conversation.sid)
        assert visitor is not None
        hooks = {
            "PreWebhookUrl": stub.url("/pre"),
            "PostWebhookUrl": stub.url("/post"),
            "Filters": ["onMessageAdd", "onMessageAdded"],
        }
        path = f"/v1/Services/{conversation.service.sid}/Configuration/Webhooks"
        assert api.post(path, hooks).status_code == 200
        with pytest.raises(TwilioAPIError) as refused:
            visitors.post(visitor, "buy now!!!", "c1")
        assert (refused.value.status_code, refused.value.code) == (403, 20403)
        message = visitors.post(visitor, "hello", "c2")
        assert message.body == "ok: hello"
        told = heard(stub, "/post", 1)
        asked = heard(stub, "/pre", 2)
    assert list(
        ConversationMessage.objects.filter(conversation=conversation).values_list("body", flat=True)
    ) == ["ok: hello"]
    assert [r.form["Source"] for r in asked] == ["SDK", "SDK"]
    assert {r.form["ClientIdentity"] for r in asked} == {visitor.identity}
    (post,) = told
    assert (post.form["EventType"], post.form["Body"], post.form["MessageSid"]) == (
        "onMessageAdded",
        "ok: hello",
        message.sid,
    )


def test_a_first_question_is_put_to_the_pre_hook_with_no_transaction_open(
    api: Any, key: Any, webchat_flow: Flow, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    from conversations import events

    settings.STUDIO = {**settings.STUDIO, "ALLOWED_HTTP_HOSTS": ["127.0.0.1"]}
    in_transaction: list[bool] = []
    real = events.signed_request

    def watching(*args: Any, **kwargs: Any) -> Any:
        in_transaction.append(connection.in_atomic_block)
        return real(*args, **kwargs)

    monkeypatch.setattr(events, "signed_request", watching)
    with Stub() as stub:
        stub.route("/pre", body="")
        hooks = {"PreWebhookUrl": stub.url("/pre"), "Filters": ["onMessageAdd"]}
        assert api.post("/v1/Configuration/Webhooks", hooks).status_code == 200
        answer = open_chat(key.key, webchat_flow.sid, friendlyName="Ann", question="Where is my order?")
        assert answer.status_code == 201, answer.content
        assert len(heard(stub, "/pre", 1)) == 1
    conversation = Conversation.objects.get(sid=answer.json()["conversation_sid"])
    first = ConversationMessage.objects.filter(conversation=conversation).first()
    assert first is not None and first.body == "Where is my order?"
    assert in_transaction == [False]


def test_an_agents_reply_by_post_and_by_socket_is_put_to_the_pre_hook_with_no_transaction_open(
    console: Any, api: Any, key: Any, webchat_flow: Flow, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    from conversations import events
    from tests.studio.console import post
    from tests.webchat.test_agent_socket_reply import accepted_chat, replies

    settings.STUDIO = {**settings.STUDIO, "ALLOWED_HTTP_HOSTS": ["127.0.0.1"]}
    in_transaction: list[bool] = []
    real = events.signed_request

    def watching(*args: Any, **kwargs: Any) -> Any:
        in_transaction.append(connection.in_atomic_block)
        return real(*args, **kwargs)

    monkeypatch.setattr(events, "signed_request", watching)
    chat = accepted_chat(console, key, webchat_flow)
    with Stub() as stub:
        stub.route("/pre", body="")
        hooks = {"PreWebhookUrl": stub.url("/pre"), "Filters": ["onMessageAdd"]}
        assert api.post("/v1/Configuration/Webhooks", hooks).status_code == 200
        assert post(console, f"{chat['path']}/messages", {"body": "by post"}).status_code == 201
        (answer,) = replies(
            console.user, [{"type": "reply", "reservation": chat["reservation"], "body": "by socket"}]
        )
        assert answer["type"] == "flex.reply", answer
        assert len(heard(stub, "/pre", 2)) == 2
    bodies = ConversationMessage.objects.filter(conversation=chat["conversation"]).values_list(
        "body", flat=True
    )
    assert {"by post", "by socket"} <= set(bodies)
    assert in_transaction == [False, False]
